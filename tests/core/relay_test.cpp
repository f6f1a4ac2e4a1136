// ConversationRelay: its messages (reference §3.5: `setup` documented, the others observed) and
// a session through the engine with a scripted callee, the server's WebSocket client replaced
// by reading the StreamCommands the engine hands out and feeding StreamEvents back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/relay/messages.hpp"
#include "tests/core/conversation_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::ElementsAre;

const std::string kRelay = "wss://bot.example.com/relay";

TEST(RelayMessages, TwilioToAppShapes) {
  relay::Setup s{"VX1", "AC1", "", "CA1", "+15005550006", "+14155550100", "", "",
                 "outbound-api", "IN-PROGRESS", {{"customer", "42"}}};
  EXPECT_EQ(relay::setup_message(s),
            R"({"type":"setup","sessionId":"VX1","accountSid":"AC1","parentCallSid":"",)"
            R"("callSid":"CA1","from":"+15005550006","to":"+14155550100","forwardedFrom":"",)"
            R"("callType":"PSTN","callerName":"","direction":"outbound-api",)"
            R"("callStatus":"IN-PROGRESS","customParameters":{"customer":"42"}})");
  EXPECT_EQ(relay::prompt_message("hi there", "en-US", true),
            R"({"type":"prompt","voicePrompt":"hi there","lang":"en-US","last":true})");
  EXPECT_EQ(relay::dtmf_message('5'), R"({"type":"dtmf","digit":"5"})");
  EXPECT_EQ(relay::interrupt_message("Once upon", 1000),
            R"({"type":"interrupt","utteranceUntilInterrupt":"Once upon",)"
            R"("durationUntilInterruptMs":1000})");
  EXPECT_EQ(relay::error_message("bad"), R"({"type":"error","description":"bad"})");
}

TEST(RelayMessages, ParsesWhatTheAppSends) {
  auto t = relay::parse_app_message(R"({"type":"text","token":"Hi ","last":false,"interruptible":false})");
  EXPECT_EQ(t.kind, relay::AppMessage::Kind::kText);
  EXPECT_EQ(t.token, "Hi ");
  EXPECT_FALSE(t.last);
  EXPECT_EQ(t.interruptible, false);
  auto p = relay::parse_app_message(R"({"type":"play","source":"https://x/a.mp3","loop":2})");
  EXPECT_EQ(p.kind, relay::AppMessage::Kind::kPlay);
  EXPECT_EQ(p.loop, 2);
  auto d = relay::parse_app_message(R"({"type":"sendDigits","digits":"12w#"})");
  EXPECT_EQ(d.kind, relay::AppMessage::Kind::kSendDigits);
  auto l = relay::parse_app_message(
      R"({"type":"language","ttsLanguage":"fr-FR","transcriptionLanguage":"fr-FR"})");
  EXPECT_EQ(l.transcription_language, "fr-FR");
  auto e = relay::parse_app_message(R"({"type":"end","handoffData":"{\"to\":\"agent\"}"})");
  EXPECT_EQ(e.kind, relay::AppMessage::Kind::kEnd);
  EXPECT_EQ(e.handoff_data, R"({"to":"agent"})");
}

TEST(RelayMessages, BadMessagesCarryTheirError) {
  EXPECT_EQ(relay::parse_app_message("not json").error_code, stream::kErrMalformedMessage);
  EXPECT_EQ(relay::parse_app_message("[1]").error_code, stream::kErrMalformedMessage);
  for (const char* bad : {R"({"token":"x"})", R"({"type":"shout"})", R"({"type":"text"})",
                          R"({"type":"text","token":"x","last":"yes"})",
                          R"({"type":"sendDigits","digits":"12a"})",
                          R"({"type":"play","source":"x","loop":-1})", R"({"type":"play"})"}) {
    auto m = relay::parse_app_message(bad);
    EXPECT_EQ(m.kind, relay::AppMessage::Kind::kInvalid) << bad;
    EXPECT_EQ(m.error_code, stream::kErrInvalidMessage) << bad;
  }
  EXPECT_EQ(relay::parse_app_message(std::string(relay::kMaxAppMessageBytes + 1, ' ')).kind,
            relay::AppMessage::Kind::kInvalid);
}

class RelayEngine : public ConversationTest {
 protected:
  // Runs `twiml`, opens the relay's socket; returns the call's sid.
  std::string start(const std::string& twiml_body) {
    const std::string sid = run(twiml_body);
    for (const auto& c : take())
      if (c.kind == StreamCommand::Kind::kOpen) {
        EXPECT_EQ(c.text, kRelay);
        EXPECT_EQ(c.auth_token, kToken);
        id_ = c.stream_id;
      }
    EXPECT_NE(id_, 0u) << "no socket was opened";
    return sid;
  }
  std::vector<StreamCommand> take() {
    std::vector<StreamCommand> out = std::move(stream_commands());
    stream_commands().clear();
    return out;
  }
  // What was sent to the app since the last look, as "<ms after answer> <json>".
  std::vector<std::string> to_app() {
    std::vector<std::string> out;
    for (const auto& c : take()) {
      if (c.kind == StreamCommand::Kind::kSend) out.push_back(c.text);
      if (c.kind == StreamCommand::Kind::kClose) out.push_back("(close)");
    }
    return out;
  }
  void feed(StreamEvent::Kind kind, std::string text = {}, int code = 0) {
    Effects effects;
    engine().on_stream_event(StreamEvent{kind, id_, kAc, code, std::move(text)}, effects);
    pump(effects);
  }
  void app(const std::string& json) { feed(StreamEvent::Kind::kText, json); }
  // Moves to `ms` after the answer.
  void to_ms(int64_t ms) {
    advance(std::chrono::duration<double>(answered_at_ + Millis{ms} - now()).count());
  }
  uint64_t id_ = 0;
};

TEST_F(RelayEngine, AConversationThroughTheRelay) {
  script({"wait", "say:What are your hours", "wait", "say:Tell me a long story",
          "interrupt(1s):stop please", "press:5", "wait"});
  const std::string after = kApp + "/after";
  on_twiml(after, doc("<Say>Transferring you now</Say>"));
  const std::string sid = start(
      "<Connect action=\"/after\"><ConversationRelay url=\"" + kRelay +
      "\" welcomeGreeting=\"Hello, how can I help?\" dtmfDetection=\"true\">"
      "<Parameter name=\"customer\" value=\"42\"/><Language code=\"fr-FR\"/>"
      "</ConversationRelay></Connect><Say>never</Say>");
  feed(StreamEvent::Kind::kOpened);
  auto sent = to_app();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_NE(sent[0].find(R"("type":"setup")"), std::string::npos);
  EXPECT_NE(sent[0].find(R"("sessionId":"VX)"), std::string::npos);
  EXPECT_NE(sent[0].find(R"("callStatus":"IN-PROGRESS","customParameters":{"customer":"42"})"),
            std::string::npos);
  // The greeting (5 words, 2 s), 0.5 s, then the callee's question (4 words, 1.6 s).
  to_ms(4099);
  EXPECT_TRUE(to_app().empty());
  to_ms(4100);
  EXPECT_THAT(to_app(), ElementsAre(R"({"type":"prompt","voicePrompt":"What are your hours",)"
                                    R"("lang":"en-US","last":true})"));
  app(R"({"type":"text","token":"We are open ","last":false})");
  app(R"({"type":"text","token":"nine to five.","last":true})");
  // 6 words: 4.1-6.5 s; the callee asks at 7 s (2 s), and the app tells its story at 9 s.
  to_ms(9000);
  EXPECT_THAT(to_app(), ElementsAre(R"({"type":"prompt","voicePrompt":"Tell me a long story",)"
                                    R"("lang":"en-US","last":true})"));
  app(R"({"type":"text","token":"Once upon a time there was a long long story","last":true})");
  to_ms(10000);
  EXPECT_THAT(to_app(), ElementsAre(R"({"type":"interrupt","utteranceUntilInterrupt":)"
                                    R"("Once upon","durationUntilInterruptMs":1000})"));
  to_ms(10800);
  EXPECT_THAT(to_app(), ElementsAre(R"({"type":"prompt","voicePrompt":"stop please",)"
                                    R"("lang":"en-US","last":true})",
                                    R"({"type":"dtmf","digit":"5"})"));
  to_ms(11000);
  app(R"({"type":"end","handoffData":"{\"reason\":\"transfer\"}"})");
  EXPECT_THAT(to_app(), ElementsAre("(close)"));
  ASSERT_EQ(sent_to(after).size(), 1u);
  const Sent action = sent_to(after)[0];
  EXPECT_EQ(action.param("HandoffData"), R"({"reason":"transfer"})");
  EXPECT_EQ(action.param("SessionStatus"), "ended");
  EXPECT_EQ(action.param("SessionDuration"), "11");
  EXPECT_EQ(action.param("SessionId").substr(0, 2), "VX");
  advance(10);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_THAT(verbs(sid), ElementsAre("Connect", "Say", "(end of document)"));
  EXPECT_THAT(transcript(sid, false),
              ElementsAre("agent speech 0-2000 Hello, how can I help?",
                          "callee speech 2500-4100 What are your hours",
                          "agent speech 4100-6500 We are open nine to five.",
                          "callee speech 7000-9000 Tell me a long story",
                          "agent speech 9000-10000 Once upon a time there was a long long story "
                          "interrupted",
                          "callee speech 10000-10800 stop please",
                          "callee digits 10800-10800 5",
                          "agent speech 11000-12334 Transferring you now"));
}

TEST_F(RelayEngine, BadMessagesGetAnErrorAndOneNotificationEachAndTheSessionGoesOn) {
  const std::string sid = start("<Connect><ConversationRelay url=\"" + kRelay +
                                "\"/></Connect><Say>after</Say>");
  feed(StreamEvent::Kind::kOpened);
  to_app();
  app("{oops");
  app("{oops again");
  app(R"({"type":"dance"})");
  feed(StreamEvent::Kind::kBinary);
  auto sent = to_app();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_NE(sent[0].find(R"("type":"error")"), std::string::npos);
  EXPECT_NE(sent[2].find("unknown message type"), std::string::npos);
  EXPECT_THAT(notification_codes(sid), ElementsAre(31950, 31951));
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  // The app closes: the call goes on with the next verb (no action).
  feed(StreamEvent::Kind::kClosed);
  EXPECT_THAT(verbs(sid), ElementsAre("Connect", "Say"));
}

TEST_F(RelayEngine, ASocketThatFailsLetsTheCallGoOn) {
  const std::string sid = start("<Connect action=\"/after\"><ConversationRelay url=\"" + kRelay +
                                "\"/></Connect>");
  on_twiml(kApp + "/after", doc("<Hangup/>"));
  feed(StreamEvent::Kind::kFailed, "connect timed out", stream::kErrConnectTimeout);
  EXPECT_THAT(notification_codes(sid), ElementsAre(31901));
  ASSERT_EQ(sent_to(kApp + "/after").size(), 1u);
  EXPECT_EQ(sent_to(kApp + "/after")[0].param("SessionStatus"), "failed");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(RelayEngine, ARedirectEndsTheSessionAndTheNewTwimlRuns) {
  on_twiml(kNext, doc("<Pause length=\"3\"/>"));
  const std::string sid = start("<Connect><ConversationRelay url=\"" + kRelay +
                                "\" welcomeGreeting=\"Please hold while I look that up\"/>"
                                "</Connect>");
  feed(StreamEvent::Kind::kOpened);
  to_app();
  advance(1);
  ASSERT_TRUE(update(sid, redirect_to(kNext)).ok());
  EXPECT_THAT(to_app(), ElementsAre("(close)"));
  EXPECT_THAT(verbs(sid), ElementsAre("Connect", "Pause"));
  feed(StreamEvent::Kind::kText, R"({"type":"text","token":"late","last":true})");
  EXPECT_THAT(to_app(), ElementsAre("(close)")) << "an ended session's socket is closed again";
}

TEST_F(RelayEngine, PartialPromptsAndAnUninterruptibleAgent) {
  script({"wait:1s", "say:one two three"});
  const std::string sid = start("<Connect><ConversationRelay url=\"" + kRelay +
                                "\" partialPrompts=\"true\" welcomeGreetingInterruptible=\"none\" "
                                "welcomeGreeting=\"A long welcome that nobody can stop now\"/>"
                                "</Connect>");
  feed(StreamEvent::Kind::kOpened);
  to_app();
  to_ms(2200);
  EXPECT_THAT(to_app(), ElementsAre(R"({"type":"prompt","voicePrompt":"one","lang":"en-US","last":false})",
                                    R"({"type":"prompt","voicePrompt":"one two","lang":"en-US","last":false})",
                                    R"({"type":"prompt","voicePrompt":"one two three","lang":"en-US","last":true})"));
  EXPECT_EQ(transcript(sid, false)[0], "agent speech 0-3200 A long welcome that nobody can stop now")
      << "not interrupted: interruptible=\"none\"";
}

TEST_F(RelayEngine, AnInvalidUrlIsReportedAndSkipped) {
  const std::string sid = run("<Connect><ConversationRelay url=\"https://not-a-socket\"/>"
                              "</Connect><Say>fallthrough</Say>");
  EXPECT_THAT(notification_codes(sid), ElementsAre(31923));
  EXPECT_THAT(verbs(sid), ElementsAre("Connect", "Say"));
}

}  // namespace
}  // namespace dialtone::core::testing
