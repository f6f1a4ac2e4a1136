// api/control/faults: a rule from the control API's parameters (and the 400 naming the field
// for each bad one), the listing, DELETE's selection, the signature fault parameter, what a
// status fault answers on Twilio's API, and the route templates rules name.
#include <gtest/gtest.h>

#include "api/control/faults.hpp"
#include "api/route.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

using core::faults::FaultKind;

TEST(ControlFaults, ParsesARuleWithDefaults) {
  auto r = parse_fault_rule(fields({{"Method", "POST"},
                                    {"Route", "Calls"},
                                    {"Kind", "status"},
                                    {"Status", "429"},
                                    {"Times", "2"}}),
                            kAc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->account_sid, kAc);
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->route, "Calls");
  EXPECT_EQ(r->kind, FaultKind::kStatus);
  EXPECT_EQ(r->code, 20429);
  EXPECT_EQ(r->retry_after_s, 1);
  EXPECT_EQ(r->times, 2u);
  EXPECT_FALSE(r->probability);
  EXPECT_FALSE(r->applied);

  r = parse_fault_rule(fields({{"AccountSid", kOther},
                               {"Kind", "latency"},
                               {"LatencyMs", "250"},
                               {"Probability", "0.25"},
                               {"Seed", "7"},
                               {"Applied", "true"}}),
                       kAc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->account_sid, kOther);
  EXPECT_EQ(r->method, "");
  EXPECT_EQ(r->route, "");
  EXPECT_EQ(r->latency_ms, 250);
  EXPECT_EQ(r->probability, 0.25);
  EXPECT_EQ(r->seed, 7u);
  EXPECT_TRUE(r->applied);

  // An empty AccountSid is the default account.
  r = parse_fault_rule(fields({{"AccountSid", ""}, {"Kind", "reset"}}), kAc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->account_sid, kAc);
}

TEST(ControlFaults, BadRulesAre400NamingTheField) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> params;
    const char* starts;
  };
  const std::vector<Case> cases = {
      {{{"Status", "500"}}, "Kind is required"},
      {{{"Kind", "explode"}}, "Kind 'explode' is not"},
      {{{"Kind", "status"}}, "Status is required"},
      {{{"Kind", "status"}, {"Status", "5xx"}}, "Status must be an integer"},
      {{{"Kind", "status"}, {"Status", "200"}}, "Status must be 400..599"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Method", "PATCH"}}, "Method 'PATCH'"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Route", "/Calls"}}, "Route '/Calls'"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Method", "DELETE"}, {"Route", "Calls"}},
       "Method DELETE is not served on Calls"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Times", "-1"}}, "Times must be a whole number"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Times", "0"}}, "Times must be 1.."},
      {{{"Kind", "status"}, {"Status", "500"}, {"Probability", "1e-3"}}, "Probability must be"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Probability", "2"}}, "Probability must be"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Seed", "3"}}, "Seed is only used"},
      {{{"Kind", "status"}, {"Status", "500"}, {"Applied", "maybe"}}, "Applied must be"},
      {{{"Kind", "reset"}, {"Status", "500"}}, "Status is only for Kind=status"},
      {{{"Kind", "latency"}}, "LatencyMs is required"},
      {{{"Kind", "hang"}, {"LatencyMs", "5"}}, "LatencyMs is not used"},
      {{{"Kind", "reset"}, {"AccountSid", "AC1"}}, "AccountSid 'AC1'"},
      {{{"Kind", "reset"}, {"Time", "3"}}, "Unknown parameter 'Time'"},
  };
  for (const auto& c : cases) {
    FormFields params;
    for (const auto& [k, v] : c.params) params.add(k, v);
    auto r = parse_fault_rule(params, kAc);
    ASSERT_FALSE(r.ok()) << c.starts;
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_TRUE(r.error().message.starts_with(c.starts))
        << "want '" << c.starts << "', got '" << r.error().message << "'";
  }
}

TEST(ControlFaults, ListingShowsCountersAndWhatIsLeft) {
  core::faults::RuleEntry e;
  e.id = 3;
  e.rule.account_sid = kAc;
  e.rule.kind = FaultKind::kStatus;
  e.rule.status = 503;
  e.rule.times = 5;
  e.rule.applied = true;
  ASSERT_FALSE(core::faults::complete(e.rule));
  e.source = "api";
  e.matched = 4;
  e.injected = 2;
  core::faults::RuleEntry p;
  p.id = 4;
  p.rule.account_sid = kOther;
  p.rule.kind = FaultKind::kHang;
  p.rule.method = "GET";
  p.rule.probability = 0.5;
  p.rule.seed = 99;
  p.source = "config";
  auto doc = parse_json(faults_json({e, p}, {{kOther, core::faults::SignatureFault::kWrongKey}}));
  const auto& rules = doc["rules"];
  ASSERT_EQ(rules.Size(), 2u);
  EXPECT_EQ(rules[0]["id"].GetUint64(), 3u);
  EXPECT_STREQ(rules[0]["method"].GetString(), "*");
  EXPECT_STREQ(rules[0]["route"].GetString(), "*");
  EXPECT_STREQ(rules[0]["kind"].GetString(), "status");
  EXPECT_EQ(rules[0]["status"].GetInt(), 503);
  EXPECT_EQ(rules[0]["code"].GetInt(), 20503);
  EXPECT_TRUE(rules[0]["retry_after"].IsNull());
  EXPECT_EQ(rules[0]["times"].GetUint64(), 5u);
  EXPECT_EQ(rules[0]["remaining"].GetUint64(), 3u);
  EXPECT_TRUE(rules[0]["probability"].IsNull());
  EXPECT_TRUE(rules[0]["seed"].IsNull());
  EXPECT_TRUE(rules[0]["applied"].GetBool());
  EXPECT_EQ(rules[0]["matched"].GetUint64(), 4u);
  EXPECT_EQ(rules[0]["injected"].GetUint64(), 2u);
  EXPECT_STREQ(rules[1]["kind"].GetString(), "hang");
  EXPECT_STREQ(rules[1]["method"].GetString(), "GET");
  EXPECT_EQ(rules[1]["probability"].GetDouble(), 0.5);
  EXPECT_EQ(rules[1]["seed"].GetUint64(), 99u);
  EXPECT_TRUE(rules[1]["times"].IsNull());
  EXPECT_TRUE(rules[1]["remaining"].IsNull());
  EXPECT_STREQ(rules[1]["source"].GetString(), "config");
  ASSERT_EQ(doc["signature_faults"].Size(), 1u);
  EXPECT_EQ(doc["signature_faults"][0]["account_sid"].GetString(), kOther);
  EXPECT_STREQ(doc["signature_faults"][0]["fault"].GetString(), "wrong-key");
}

TEST(ControlFaults, DeleteSelectionAndSignatureParameter) {
  auto all = parse_fault_selection(fields({}));
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->id);
  EXPECT_EQ(all->account_sid, "");
  auto one = parse_fault_selection(fields({{"Id", "12"}}));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->id, 12u);
  EXPECT_EQ(parse_fault_selection(fields({{"AccountSid", kAc}}))->account_sid, kAc);
  EXPECT_FALSE(parse_fault_selection(fields({{"Id", "x"}})).ok());
  EXPECT_FALSE(parse_fault_selection(fields({{"Id", "1"}, {"AccountSid", kAc}})).ok());
  EXPECT_FALSE(parse_fault_selection(fields({{"Rule", "1"}})).ok());

  EXPECT_EQ(*parse_signature_fault_param(fields({{"Fault", "wrong-key"}})),
            core::faults::SignatureFault::kWrongKey);
  EXPECT_EQ(*parse_signature_fault_param(fields({{"Fault", "none"}})),
            core::faults::SignatureFault::kNone);
  auto bad = parse_signature_fault_param(fields({{"Fault", "bad-key"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("Fault"), std::string::npos);
  EXPECT_FALSE(parse_signature_fault_param(fields({})).ok());
}

TEST(ControlFaults, StatusFaultAnswersInTwiliosEnvelope) {
  auto rule =
      parse_fault_rule(fields({{"Kind", "status"}, {"Status", "429"}, {"RetryAfter", "3"}}), kAc);
  ASSERT_TRUE(rule.ok());
  Response json = fault_status_response(*rule, Format::kJson);
  EXPECT_EQ(json.status, 429);
  EXPECT_EQ(json.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(json.body,
            "{\"code\": 20429, \"message\": \"Too Many Requests\", \"more_info\": "
            "\"https://www.twilio.com/docs/errors/20429\", \"status\": 429}");
  ASSERT_EQ(json.headers.size(), 1u);
  EXPECT_EQ(json.headers[0], (std::pair<std::string, std::string>{"Retry-After", "3"}));

  auto five = parse_fault_rule(fields({{"Kind", "status"}, {"Status", "500"}}), kAc);
  ASSERT_TRUE(five.ok());
  Response xml = fault_status_response(*five, Format::kXml);
  EXPECT_EQ(xml.status, 500);
  EXPECT_EQ(xml.content_type, "application/xml");
  EXPECT_NE(xml.body.find("<Code>20500</Code>"), std::string::npos) << xml.body;
  EXPECT_TRUE(xml.headers.empty());
}

// core/faults names the routes; api/route.hpp serves them. The two must agree.
TEST(ControlFaults, RouteTemplatesAreApisRoutes) {
  const std::string base = "/2010-04-01/Accounts/" + kAc + "/";
  const std::string ca = "CA0123456789abcdef0123456789abcdef";
  const std::string no = "NO0123456789abcdef0123456789abcdef";
  const std::string qu = "QU0123456789abcdef0123456789abcdef";
  const std::string cf = "CF0123456789abcdef0123456789abcdef";
  const std::vector<std::pair<RouteKind, std::string>> examples = {
      {RouteKind::kCalls, "Calls.json"},
      {RouteKind::kCall, "Calls/" + ca + ".json"},
      {RouteKind::kCallNotifications, "Calls/" + ca + "/Notifications.json"},
      {RouteKind::kCallNotification, "Calls/" + ca + "/Notifications/" + no + ".json"},
      {RouteKind::kCallEvents, "Calls/" + ca + "/Events.json"},
      {RouteKind::kQueues, "Queues.json"},
      {RouteKind::kQueue, "Queues/" + qu + ".json"},
      {RouteKind::kQueueMembers, "Queues/" + qu + "/Members.json"},
      {RouteKind::kQueueMember, "Queues/" + qu + "/Members/Front.json"},
      {RouteKind::kConferences, "Conferences.json"},
      {RouteKind::kConference, "Conferences/" + cf + ".json"},
      {RouteKind::kParticipants, "Conferences/" + cf + "/Participants.json"},
      {RouteKind::kParticipant, "Conferences/" + cf + "/Participants/" + ca + ".json"},
      {RouteKind::kCallStreams, "Calls/" + ca + "/Streams.json"},
      {RouteKind::kCallStream, "Calls/" + ca + "/Streams/tap.json"},
      {RouteKind::kCallSiprecs, "Calls/" + ca + "/Siprec.json"},
      {RouteKind::kCallSiprec, "Calls/" + ca + "/Siprec/rec.json"},
      {RouteKind::kCallTranscriptions, "Calls/" + ca + "/Transcriptions.json"},
      {RouteKind::kCallTranscription, "Calls/" + ca + "/Transcriptions/t.json"},
      {RouteKind::kCallPayments, "Calls/" + ca + "/Payments.json"},
      {RouteKind::kCallPayment, "Calls/" + ca + "/Payments/PK0123456789abcdef0123456789abcdef.json"},
      {RouteKind::kCallUserDefinedMessages, "Calls/" + ca + "/UserDefinedMessages.json"},
      {RouteKind::kCallUserDefinedMessageSubscriptions,
       "Calls/" + ca + "/UserDefinedMessageSubscriptions.json"},
      {RouteKind::kCallUserDefinedMessageSubscription,
       "Calls/" + ca + "/UserDefinedMessageSubscriptions/ZY0123456789abcdef0123456789abcdef.json"},
      {RouteKind::kCallRecordings, "Calls/" + ca + "/Recordings.json"},
      {RouteKind::kCallRecording, "Calls/" + ca + "/Recordings/Twilio.CURRENT.json"},
      {RouteKind::kRecordings, "Recordings.json"},
      {RouteKind::kRecording, "Recordings/RE0123456789abcdef0123456789abcdef.wav"},
      {RouteKind::kConferenceRecordings, "Conferences/" + cf + "/Recordings.json"},
      {RouteKind::kConferenceRecording, "Conferences/" + cf + "/Recordings/Twilio.CURRENT.json"},
  };
  ASSERT_EQ(examples.size(), core::faults::kRouteTemplates.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    const auto& [kind, path] = examples[i];
    auto route = match_route(base + path);
    ASSERT_TRUE(route) << path;
    EXPECT_EQ(route->kind, kind) << path;
    EXPECT_EQ(route_template(kind), core::faults::kRouteTemplates[i].name);
    EXPECT_EQ(allowed_methods(kind), core::faults::kRouteTemplates[i].methods);
  }
}

}  // namespace
}  // namespace dialtone::api::testing
