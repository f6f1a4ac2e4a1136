// POST/GET/DELETE /_dialtone/behaviors as pure handlers.
#include "api/control_behaviors.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class ControlBehaviorsTest : public ApiTest {};

TEST_F(ControlBehaviorsTest, AddsAnExactRuleAndTheCalleeFollowsIt) {
  Response r = add_behavior(engine_.behaviors(kAc), fields({{"Number", "+14155550100"}, {"Outcome", "busy"},
                                             {"AnswerAfter", "4"}, {"Gather", "12"},
                                             {"Gather", "speech:hello"}, {"HangupAfter", "30"},
                                             {"AnsweredBy", "machine_start"},
                                             {"RecordSeconds", "9"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = parse_json(r.body);
  EXPECT_STREQ(doc["outcome"].GetString(), "busy");
  EXPECT_EQ(doc["gather"].Size(), 2u);
  EXPECT_EQ(doc["hangup_after"].GetInt(), 30);
  const core::Behavior& b = engine_.behaviors(kAc).for_number("+14155550100");
  EXPECT_EQ(b.outcome, core::Outcome::kBusy);
  EXPECT_EQ(b.answer_after_s, 4);
  EXPECT_EQ(b.answered_by, "machine_start");
  EXPECT_EQ(b.record_seconds, 9);
  // The next call to that number is busy.
  const std::string sid = create();
  for (int i = 0; i < 2; ++i) {  // placed, then the ring outcome
    clock_.advance(core::Millis{10000});
    engine_.fire_due(effects_);
  }
  EXPECT_EQ(engine_.find_call(kAc, sid)->status, core::CallStatus::kBusy);
}

TEST_F(ControlBehaviorsTest, RegexRuleAndDefault) {
  ASSERT_EQ(add_behavior(engine_.behaviors(kAc), fields({{"Number", "^\\+1415"}, {"Outcome", "fail"}})).status,
            201);
  EXPECT_EQ(engine_.behaviors(kAc).for_number("+14155551234").outcome, core::Outcome::kFail);
  ASSERT_EQ(add_behavior(engine_.behaviors(kAc), fields({{"Default", "true"}, {"Outcome", "no-answer"}})).status,
            201);
  EXPECT_EQ(engine_.behaviors(kAc).for_number("+442071234567").outcome, core::Outcome::kNoAnswer);
  auto list = parse_json(list_behaviors(engine_.behaviors(kAc)).body);
  EXPECT_STREQ(list["default"]["outcome"].GetString(), "no-answer");
  ASSERT_EQ(list["behaviors"].Size(), 1u);
  EXPECT_STREQ(list["behaviors"][0]["number"].GetString(), "^\\+1415");
}

TEST_F(ControlBehaviorsTest, ClearRemovesRulesAndRestoresTheDefault) {
  add_behavior(engine_.behaviors(kAc), fields({{"Number", "+14155550100"}, {"Outcome", "busy"}}));
  add_behavior(engine_.behaviors(kAc), fields({{"Default", "true"}, {"Outcome", "busy"}}));
  auto list = parse_json(clear_behaviors(engine_.behaviors(kAc), 2).body);
  EXPECT_EQ(list["behaviors"].Size(), 0u);
  EXPECT_EQ(engine_.behaviors(kAc).default_behavior().outcome, core::Outcome::kAnswer);
  EXPECT_EQ(engine_.behaviors(kAc).default_behavior().answer_after_s, 2);
}

TEST_F(ControlBehaviorsTest, BadInputs) {
  struct Case {
    FormFields f;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {fields({}), "Number"},
      {fields({{"Number", "+1415"}, {"Default", "true"}}), "either"},
      {fields({{"Default", "maybe"}}), "Default"},
      {fields({{"Number", "14155550100"}}), "neither E.164"},
      {fields({{"Number", "^(+1"}}), "not a valid regex"},
      {fields({{"Number", "+14155550100"}, {"Outcome", "explode"}}), "Outcome"},
      {fields({{"Number", "+14155550100"}, {"AnswerAfter", "-1"}}), "AnswerAfter"},
      {fields({{"Number", "+14155550100"}, {"AnswerAfter", "1.5"}}), "AnswerAfter"},
      {fields({{"Number", "+14155550100"}, {"HangupAfter", "x"}}), "HangupAfter"},
      {fields({{"Number", "+14155550100"}, {"RecordSeconds", "999999"}}), "RecordSeconds"},
      {fields({{"Number", "+14155550100"}, {"AnsweredBy", "robot"}}), "AnsweredBy"},
      {fields({{"Number", "+14155550100"}, {"Gather", "12a"}}), "Gather"},
  };
  for (const auto& c : cases) {
    Response r = add_behavior(engine_.behaviors(kAc), c.f);
    EXPECT_EQ(r.status, 400) << c.needle;
    EXPECT_NE(r.body.find(c.needle), std::string::npos) << r.body;
  }
  EXPECT_TRUE(engine_.behaviors(kAc).rules().empty());
}

}  // namespace
}  // namespace dialtone::api::testing
