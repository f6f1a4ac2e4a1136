// The control API of scripted callees (docs/conversations.md): a behaviour's Script, the live
// say and press turns, and the transcript's JSON, as pure handlers.
#include "api/control/conversations.hpp"

#include <gtest/gtest.h>

#include "api/control_behaviors.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class ControlConversationsTest : public ApiTest {};

TEST_F(ControlConversationsTest, ABehavioursScriptIsParsedSharedAndListedAsWritten) {
  Response r = add_behavior(engine_.behaviors(kAc),
                            fields({{"Number", "+14155550100"}, {"Script", "wait"},
                                    {"Script", "say(1.5s, confidence=0.5):Hi there"},
                                    {"Script", "press:1"}, {"Script", "hangup"},
                                    {"Gather", "12"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = parse_json(r.body);
  ASSERT_EQ(doc["script"].Size(), 4u);
  EXPECT_STREQ(doc["script"][1].GetString(), "say(1500ms, confidence=0.5):Hi there");
  EXPECT_EQ(doc["gather"].Size(), 1u) << "Gather inputs stay beside the script";
  const core::Behavior& b = engine_.behaviors(kAc).for_number("+14155550100");
  ASSERT_TRUE(b.script);
  EXPECT_EQ(b.script->size(), 4u);
  // Without a Script the behaviour has none, and lists an empty one.
  Response plain = add_behavior(engine_.behaviors(kAc), fields({{"Default", "true"}}));
  EXPECT_EQ(parse_json(plain.body)["script"].Size(), 0u);
  EXPECT_FALSE(engine_.behaviors(kAc).default_behavior().script);
}

TEST_F(ControlConversationsTest, ABadTurnIsA400NamingIt) {
  Response r = add_behavior(engine_.behaviors(kAc), fields({{"Number", "+14155550100"},
                                                            {"Script", "wait"},
                                                            {"Script", "yell:hi"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Script[1]"), std::string::npos) << r.body;
}

TEST_F(ControlConversationsTest, LiveTurns) {
  auto say = parse_live_turn("say", fields({{"Text", "hello there"}, {"Duration", "2s"},
                                            {"Confidence", "0.7"}}));
  ASSERT_TRUE(say.ok()) << say.error().message;
  EXPECT_EQ(say->kind, core::callee::Turn::Kind::kSay);
  EXPECT_EQ(*say->duration, core::Millis{2000});
  EXPECT_DOUBLE_EQ(say->confidence, 0.7);
  auto press = parse_live_turn("press", fields({{"Digits", "12#"}}));
  ASSERT_TRUE(press.ok());
  EXPECT_EQ(press->text, "12#");
  EXPECT_FALSE(parse_live_turn("say", fields({})).ok());
  EXPECT_FALSE(parse_live_turn("say", fields({{"Text", "x"}, {"Duration", "1s):y"}})).ok());
  EXPECT_FALSE(parse_live_turn("say", fields({{"Text", "x"}, {"Confidence", "9"}})).ok());
  EXPECT_FALSE(parse_live_turn("press", fields({{"Digits", "abc"}})).ok());
}

TEST_F(ControlConversationsTest, TranscriptJson) {
  const core::TimePoint t0 = clock_.now();
  core::callee::Conversation c("CA1", nullptr, t0);
  c.add({core::callee::Entry::Speaker::kAgent, "speech", "Hello", "say", t0,
         t0 + core::Millis{1000}, true, 0});
  c.add({core::callee::Entry::Speaker::kCallee, "speech", "Hi \"you\"", "", t0 + core::Millis{500},
         t0 + core::Millis{900}, false, 0.75});
  EXPECT_EQ(transcript_json(c),
            "{\"call_sid\": \"CA1\", \"started\": \"Thu, 01 Jan 2026 00:00:00 +0000\", "
            "\"ended\": false, \"entries\": [{\"speaker\": \"agent\", \"type\": \"speech\", "
            "\"text\": \"Hello\", \"via\": \"say\", \"start_ms\": 0, \"end_ms\": 1000, "
            "\"interrupted\": true}, {\"speaker\": \"callee\", \"type\": \"speech\", \"text\": "
            "\"Hi \\\"you\\\"\", \"via\": null, \"start_ms\": 500, \"end_ms\": 900, "
            "\"confidence\": 0.75}]}");
  EXPECT_EQ(transcript(engine_, "CAnone").status, 404);
}

}  // namespace
}  // namespace dialtone::api::testing
