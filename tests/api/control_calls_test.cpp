// POST/GET /_dialtone/numbers, POST /_dialtone/calls (inbound) and the callee actions.
#include "api/control_calls.hpp"

#include <gtest/gtest.h>

#include "api/control_numbers.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class ControlCallsTest : public ApiTest {
 protected:
  std::string add_ivr_number() {
    Response r = add_number(engine_, fields({{"PhoneNumber", "+14155550700"},
                                             {"VoiceUrl", "https://app.test/voice"},
                                             {"VoiceMethod", "GET"},
                                             {"StatusCallback", "https://app.test/status"}}),
                            kAc);
    EXPECT_EQ(r.status, 201) << r.body;
    return parse_json(r.body)["sid"].GetString();
  }
  Response act(const std::string& sid, const std::string& action, FormFields f = {}) {
    effects_.webhooks.clear();
    return callee_act(engine_, sid, action, f, effects_);
  }
};

TEST_F(ControlCallsTest, AddsAndListsNumbers) {
  const std::string sid = add_ivr_number();
  EXPECT_TRUE(core::is_sid(sid, "PN"));
  // Adding it again updates it and keeps its sid.
  Response again = add_number(engine_, fields({{"PhoneNumber", "+14155550700"},
                                               {"VoiceUrl", "https://app.test/v2"}}), kAc);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(parse_json(again.body)["sid"].GetString(), sid);
  add_number(engine_, fields({{"PhoneNumber", "+14155550701"}, {"AccountSid", kOther}}), kAc);
  auto all = parse_json(list_numbers(engine_, {}).body);
  EXPECT_EQ(all["numbers"].Size(), 2u);
  auto mine = parse_json(list_numbers(engine_, fields({{"AccountSid", kOther}})).body);
  ASSERT_EQ(mine["numbers"].Size(), 1u);
  EXPECT_STREQ(mine["numbers"][0]["phone_number"].GetString(), "+14155550701");
}

TEST_F(ControlCallsTest, NumberBadInputs) {
  EXPECT_EQ(add_number(engine_, {}, kAc).status, 400);
  EXPECT_EQ(add_number(engine_, fields({{"PhoneNumber", "not a number"}}), kAc).status, 400);
  EXPECT_EQ(add_number(engine_, fields({{"PhoneNumber", "client:bob"}}), kAc).status, 400);
  EXPECT_EQ(add_number(engine_, fields({{"PhoneNumber", "+14155550700"},
                                        {"AccountSid", "AC" + std::string(32, 'f')}}),
                       kAc).status, 404);
  EXPECT_EQ(add_number(engine_, fields({{"PhoneNumber", "+14155550700"},
                                        {"VoiceUrl", "ftp://x"}}), kAc).status, 400);
  EXPECT_EQ(add_number(engine_, fields({{"PhoneNumber", "+14155550700"},
                                        {"VoiceMethod", "PUT"}}), kAc).status, 400);
}

TEST_F(ControlCallsTest, InboundCallRingsAndFetchesTheVoiceUrl) {
  add_ivr_number();
  Response r = start_inbound_call(
      engine_, fields({{"From", "+14155550123"}, {"To", "+14155550700"}}), effects_);
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = parse_json(r.body);
  EXPECT_STREQ(doc["direction"].GetString(), "inbound");
  EXPECT_STREQ(doc["status"].GetString(), "ringing");
  EXPECT_EQ(r.call_sid, doc["sid"].GetString());
  bool fetched = false;
  for (const auto& w : effects_.webhooks) {
    fetched = fetched || (w.target.url == "https://app.test/voice" &&
                          w.target.method == core::HttpMethod::kGet);
  }
  EXPECT_TRUE(fetched);
}

TEST_F(ControlCallsTest, InboundBadInputs) {
  add_ivr_number();
  EXPECT_EQ(start_inbound_call(engine_, fields({{"From", "+14155550123"}}), effects_).status, 400);
  EXPECT_EQ(start_inbound_call(engine_, fields({{"From", "??"}, {"To", "+14155550700"}}),
                               effects_).status, 400);
  Response none = start_inbound_call(
      engine_, fields({{"From", "+14155550123"}, {"To", "+14155550999"}}), effects_);
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(none.body.find("/_dialtone/numbers"), std::string::npos);
  EXPECT_EQ(start_inbound_call(engine_, fields({{"From", "+14155550123"},
                                                {"To", "+14155550700"},
                                                {"AccountSid", kOther}}), effects_).status, 404);
  add_number(engine_, fields({{"PhoneNumber", "+14155550702"}}), kAc);  // no VoiceUrl
  EXPECT_EQ(start_inbound_call(engine_, fields({{"From", "+14155550123"},
                                                {"To", "+14155550702"}}), effects_).status, 400);
}

TEST_F(ControlCallsTest, AnswerThenHangup) {
  engine_.behaviors(kAc).set_default(core::Behavior{core::Outcome::kAnswer, 600, "", {}, {}, 5, {}});
  const std::string sid = create();
  clock_.advance(core::Millis{10});
  engine_.fire_due(effects_);  // placed: ringing
  Response r = act(sid, "answer");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(parse_json(r.body)["status"].GetString(), "in-progress");
  r = act(sid, "hangup");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(parse_json(r.body)["status"].GetString(), "completed");
  // An ended call cannot be answered: 409.
  EXPECT_EQ(act(sid, "answer").status, 409);
}

TEST_F(ControlCallsTest, BusyNoAnswerFail) {
  engine_.behaviors(kAc).set_default(core::Behavior{core::Outcome::kAnswer, 600, "", {}, {}, 5, {}});
  for (auto [action, status] : {std::pair{"busy", "busy"}, std::pair{"no-answer", "no-answer"},
                                std::pair{"fail", "failed"}}) {
    const std::string sid = create();
    clock_.advance(core::Millis{10});
    engine_.fire_due(effects_);
    Response r = act(sid, action);
    ASSERT_EQ(r.status, 200) << action << r.body;
    EXPECT_STREQ(parse_json(r.body)["status"].GetString(), status);
  }
}

TEST_F(ControlCallsTest, DigitsAndSpeechNeedAGather) {
  const std::string sid = create();
  EXPECT_EQ(act(sid, "digits").status, 400);                              // missing
  EXPECT_EQ(act(sid, "digits", fields({{"Digits", "12x"}})).status, 400);  // invalid
  EXPECT_EQ(act(sid, "speech").status, 400);
  EXPECT_EQ(act(sid, "digits", fields({{"Digits", "12"}})).status, 409);  // not gathering
  EXPECT_EQ(act(sid, "speech", fields({{"SpeechResult", "hi"}})).status, 409);
}

TEST_F(ControlCallsTest, UnknownCallIs404) {
  Response r = act("CA" + std::string(32, '0'), "answer");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("20404"), std::string::npos);
  EXPECT_EQ(find_any_call(engine_, "CAnope"), nullptr);
}

}  // namespace
}  // namespace dialtone::api::testing
