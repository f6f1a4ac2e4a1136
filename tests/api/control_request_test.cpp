// The control API's routes, parameters (form, JSON, query) and error envelope.
#include "api/control_request.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

Request post(std::string target, std::string body, std::string content_type) {
  Request r;
  r.method = "POST";
  r.target = std::move(target);
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

TEST(ControlRoutes, MatchesEveryRoute) {
  EXPECT_EQ(match_control("/_dialtone/clock")->kind, ControlKind::kClock);
  EXPECT_EQ(match_control("/_dialtone/clock/advance")->kind, ControlKind::kClockAdvance);
  EXPECT_EQ(match_control("/_dialtone/behaviors/")->kind, ControlKind::kBehaviors);
  EXPECT_EQ(match_control("/_dialtone/events")->kind, ControlKind::kEvents);
  auto a = match_control("/_dialtone/calls/CAxyz/no-answer");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, ControlKind::kCallAction);
  EXPECT_EQ(a->call_sid, "CAxyz");
  EXPECT_EQ(a->action, "no-answer");
  auto e = match_control("/_dialtone/calls/CAxyz/events");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ControlKind::kCallEvents);
  EXPECT_EQ(match_control("/_dialtone/faults")->kind, ControlKind::kFaults);
}

TEST(ControlRoutes, AnAccountAndWhatCanBeDoneToIt) {
  auto one = match_control("/_dialtone/accounts/ACxyz");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->kind, ControlKind::kAccount);
  EXPECT_EQ(one->account_sid, "ACxyz");
  const std::pair<const char*, ControlKind> actions[] = {
      {"secondary-token", ControlKind::kAccountSecondaryToken},
      {"promote", ControlKind::kAccountPromote},
      {"signature", ControlKind::kAccountSignature},
      {"snapshot", ControlKind::kAccountSnapshot}};
  for (const auto& [action, kind] : actions) {
    auto r = match_control(std::string("/_dialtone/accounts/ACxyz/") + action);
    ASSERT_TRUE(r) << action;
    EXPECT_EQ(r->kind, kind);
    EXPECT_EQ(r->account_sid, "ACxyz");
  }
  EXPECT_FALSE(match_control("/_dialtone/accounts/ACxyz/restore"));
  EXPECT_FALSE(match_control("/_dialtone/accounts//promote"));
  EXPECT_FALSE(match_control("/_dialtone/accounts/ACxyz/promote/now"));
  EXPECT_EQ(match_control("/_dialtone/accounts/")->kind, ControlKind::kAccounts);
}

TEST(ControlRoutes, UnknownPathsAndActions) {
  EXPECT_FALSE(match_control("/_dialtone/nope"));
  EXPECT_FALSE(match_control("/_dialtone/calls/CA1/dance"));
  EXPECT_FALSE(match_control("/_dialtone/calls/CA1"));
  EXPECT_FALSE(match_control("/_dialtone/calls//answer"));
  EXPECT_FALSE(match_control("/2010-04-01/Accounts"));
}

TEST(ControlRoutes, MethodsAndAllow) {
  EXPECT_TRUE(control_method_allowed(ControlKind::kBehaviors, "DELETE"));
  EXPECT_FALSE(control_method_allowed(ControlKind::kClockAdvance, "GET"));
  EXPECT_TRUE(control_method_allowed(ControlKind::kEvents, "HEAD"));
  const Response r = control_method_not_allowed(ControlKind::kClock);
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, POST"}));
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
}

TEST(ControlParams, FormBodyAndQuery) {
  auto p = control_params(post("/_dialtone/x?a=1", "Gather=1&Gather=2&b=x+y",
                               "application/x-www-form-urlencoded"));
  ASSERT_TRUE(p);
  EXPECT_EQ(*p->get("a"), "1");
  EXPECT_EQ(p->get_all("Gather").size(), 2u);
  EXPECT_EQ(*p->get("b"), "x y");
}

TEST(ControlParams, JsonArraysBecomeRepeatedValues) {
  auto p = control_params(post("/_dialtone/x",
                               R"({"Gather":["12","speech:hi"],"Seconds":1.5,"Default":true,)"
                               R"("AnswerAfter":3,"Skip":null})",
                               "application/json; charset=utf-8"));
  ASSERT_TRUE(p);
  auto g = p->get_all("Gather");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[1], "speech:hi");
  EXPECT_EQ(*p->get("Seconds"), "1.5");
  EXPECT_EQ(*p->get("Default"), "true");
  EXPECT_EQ(*p->get("AnswerAfter"), "3");
  EXPECT_FALSE(p->has("Skip"));
}

TEST(ControlParams, BadBodies) {
  EXPECT_EQ(control_params(post("/_dialtone/x", "{bad", "application/json")).error().http_status,
            400);
  EXPECT_NE(control_params(post("/_dialtone/x", "[1]", "application/json"))
                .error().message.find("object"), std::string::npos);
  EXPECT_FALSE(control_params(post("/_dialtone/x", R"({"a":{"b":1}})", "application/json")));
  EXPECT_FALSE(control_params(post("/_dialtone/x", R"({"a":[{}]})", "application/json")));
  EXPECT_FALSE(control_params(post("/_dialtone/x", "a=%zz", "")));
  EXPECT_FALSE(control_params(post("/_dialtone/x?a=%", "", "")));
  // A megabyte of '[' is a 400, not a stack overflow.
  const std::string deep(1 << 20, '[');
  EXPECT_EQ(control_params(post("/_dialtone/x", deep, "application/json")).error().http_status,
            400);
}

TEST(ControlErrors, Envelope) {
  Response r = control_error(400, "bad thing");
  EXPECT_EQ(r.body, R"({"message": "bad thing", "status": 400})");
  r = control_error(429, "Too Many Requests", 20429);
  EXPECT_NE(r.body.find(R"("code": 20429)"), std::string::npos);
  EXPECT_EQ(control_not_found("/_dialtone/x").status, 404);
}

TEST(ControlHelpers, SecondsAndIso) {
  int64_t ms = 0;
  EXPECT_TRUE(parse_seconds("1.5", 10, ms));
  EXPECT_EQ(ms, 1500);
  EXPECT_TRUE(parse_seconds("0", 10, ms));
  EXPECT_FALSE(parse_seconds("-1", 10, ms));
  EXPECT_FALSE(parse_seconds("11", 10, ms));
  EXPECT_FALSE(parse_seconds("1e3", 1e9, ms));
  EXPECT_FALSE(parse_seconds("", 10, ms));
  EXPECT_FALSE(parse_seconds("abc", 10, ms));
  EXPECT_EQ(format_iso_ms(core::TimePoint{core::Millis{1767225600123}}),
            "2026-01-01T00:00:00.123Z");
}

}  // namespace
}  // namespace dialtone::api::testing
