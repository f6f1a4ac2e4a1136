// GET /_dialtone/events: filters, rendering, and the wait conditions.
#include "api/control_journal.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class ControlJournalTest : public ApiTest {
 protected:
  rapidjson::Document query(FormFields f, std::string call_sid = {}) {
    auto q = parse_event_query(f, std::move(call_sid));
    EXPECT_TRUE(q.ok());
    Response r = events_response(engine_, *q);
    EXPECT_EQ(r.status, 200);
    return parse_json(r.body);
  }
};

TEST_F(ControlJournalTest, RendersAndFilters) {
  const std::string a = create();
  const std::string b = create("%2B14155550101");
  auto all = query({});
  ASSERT_GE(all["events"].Size(), 2u);
  const auto& e = all["events"][0];
  EXPECT_EQ(e["seq"].GetUint64(), 1u);
  EXPECT_STREQ(e["type"].GetString(), "status");
  EXPECT_STREQ(e["at"].GetString(), "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(e["at_ms"].GetInt64(), 1767225600000);
  EXPECT_TRUE(e["wall"].IsString());
  EXPECT_STREQ(e["fields"]["status"].GetString(), "queued");
  EXPECT_EQ(all["last_seq"].GetUint64(), engine_.journal().last_seq());

  auto only_b = query({}, b);
  for (const auto& ev : only_b["events"].GetArray()) EXPECT_EQ(ev["call_sid"].GetString(), b);
  auto since = query(fields({{"since", "1"}}));
  for (const auto& ev : since["events"].GetArray()) EXPECT_GT(ev["seq"].GetUint64(), 1u);
  auto other = query(fields({{"account_sid", kOther}}));
  EXPECT_EQ(other["events"].Size(), 0u);
  (void)a;
}

TEST_F(ControlJournalTest, TypeFilterIsAPrefixOnDots) {
  engine_.record(kAc, "CA1", "webhook.request", {});
  engine_.record(kAc, "CA1", "webhook.response", {});
  engine_.record(kAc, "CA1", "webhooks", {});
  engine_.record(kAc, "CA1", "verb", {{"verb", "Say"}});
  auto w = query(fields({{"type", "webhook"}}));
  EXPECT_EQ(w["events"].Size(), 2u);
  auto two = query(fields({{"type", "webhook.request"}, {"type", "verb"}}));
  EXPECT_EQ(two["events"].Size(), 2u);
}

TEST_F(ControlJournalTest, WaitConditions) {
  auto s = parse_wait_for("status:completed");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->call_status);
  auto v = parse_wait_for("verb:verb=Gather");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, "verb");
  EXPECT_EQ(v->field, "verb");
  EXPECT_EQ(v->value, "Gather");
  auto t = parse_wait_for("webhook.request");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->field.empty());
  for (auto bad : {"", "status:", "status:sleeping", ":x", "verb:=x", "verb:nofield"}) {
    EXPECT_FALSE(parse_wait_for(bad)) << bad;
  }
}

TEST_F(ControlJournalTest, WaitHoldsOnStatusOfTheCall) {
  const std::string sid = create();
  auto q = parse_event_query(fields({{"wait_for", "status:ringing"}}), sid);
  ASSERT_TRUE(q);
  JournalWait wait(*q);
  EXPECT_FALSE(wait.holds(engine_));
  clock_.advance(core::Millis{10});
  engine_.fire_due(effects_);
  EXPECT_TRUE(wait.holds(engine_));
}

TEST_F(ControlJournalTest, WaitHoldsOnANewEventOnly) {
  engine_.record(kAc, "CA1", "verb", {{"verb", "Say"}});
  const uint64_t seq = engine_.journal().last_seq();
  auto q = parse_event_query(fields({{"wait_for", "verb:verb=Say"},
                                     {"since", std::to_string(seq)}}), {});
  ASSERT_TRUE(q);
  JournalWait wait(*q);
  EXPECT_FALSE(wait.holds(engine_));
  engine_.record(kAc, "CA1", "verb", {{"verb", "Play"}});
  EXPECT_FALSE(wait.holds(engine_));
  engine_.record(kAc, "CA1", "verb", {{"verb", "Say"}});
  EXPECT_TRUE(wait.holds(engine_));
  // Without call_sid, status:X holds on any status event with that status.
  auto any = parse_event_query(fields({{"wait_for", "status:queued"}}), {});
  JournalWait any_wait(*any);
  EXPECT_FALSE(any_wait.holds(engine_));
  create();
  EXPECT_TRUE(any_wait.holds(engine_));
}

TEST_F(ControlJournalTest, TimeoutAnswerIs408WithLastSeq) {
  auto q = parse_event_query(fields({{"wait_for", "status:completed"}}), "CA1");
  Response r = wait_timeout_response(engine_, *q);
  EXPECT_EQ(r.status, 408);
  auto doc = parse_json(r.body);
  EXPECT_STREQ(doc["message"].GetString(), "timed out waiting for status:completed");
  EXPECT_EQ(doc["status"].GetInt(), 408);
  EXPECT_TRUE(doc["last_seq"].IsUint64());
}

TEST_F(ControlJournalTest, BadQueries) {
  EXPECT_FALSE(parse_event_query(fields({{"since", "x"}}), {}));
  EXPECT_FALSE(parse_event_query(fields({{"since", "-1"}}), {}));
  EXPECT_FALSE(parse_event_query(fields({{"type", ""}}), {}));
  EXPECT_FALSE(parse_event_query(fields({{"wait_for", "status:nope"}}), {}));
  EXPECT_FALSE(parse_event_query(fields({{"timeout", "5"}}), {}));  // without wait_for
  EXPECT_FALSE(parse_event_query(fields({{"wait_for", "verb"}, {"timeout", "61"}}), {}));
  EXPECT_FALSE(parse_event_query(fields({{"wait_for", "verb"}, {"timeout", "-1"}}), {}));
  auto ok = parse_event_query(fields({{"wait_for", "verb"}, {"timeout", "0.25"}}), {});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->timeout_ms, 250);
  EXPECT_EQ(parse_event_query({}, {})->timeout_ms, kDefaultWaitMs);
}

}  // namespace
}  // namespace dialtone::api::testing
