// What the engine keeps per call once calls end: the runtime state goes, stale timers are
// purged, and anything that still arrives for an ended call (a webhook result, a timer, a
// callee action) is harmless.
#include <gtest/gtest.h>

#include "tests/core/engine_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using Memory = EngineTest;

TEST_F(Memory, AnEndedCallReleasesItsRuntimeState) {
  on_twiml(kApp + "/voice", "<Response><Pause length=\"5\"/></Response>");
  const std::string sid = answered_call();
  EXPECT_EQ(engine().stats().runtimes, 1u);
  advance(5);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(engine().stats().runtimes, 0u);
  EXPECT_EQ(engine().stats().live_timers, 0u);
  // The Call itself is all there: the API and the store read it.
  EXPECT_EQ(call(sid).duration_s, 5);
  EXPECT_EQ(call(sid).url.url, kApp + "/voice");
}

TEST_F(Memory, AWebhookResultForAnEndedCallIsHarmless) {
  on_twiml(kApp + "/voice", "<Response><Pause length=\"60\"/></Response>");
  CreateCall req = call_request();
  req.status_callback = Webhook{kApp + "/status", HttpMethod::kPost};
  req.status_callback_events = kEventCompleted | kEventAnswered;
  const std::string sid = create(req);
  advance(1);
  ASSERT_EQ(status(sid), CallStatus::kInProgress);
  hold(true);  // the app has not answered the redirect nor the completed callback yet
  ASSERT_TRUE(update(sid, redirect_to(kApp + "/next")).ok());
  ASSERT_TRUE(update(sid, set_status(CallStatus::kCompleted)).ok());
  EXPECT_EQ(engine().stats().runtimes, 0u);
  on(kApp + "/status", http_error(500));  // a late failure becomes a notification
  on_twiml(kApp + "/next", "<Response><Say>too late</Say></Response>");
  release();
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(engine().stats().runtimes, 0u);
  EXPECT_EQ(engine().notifications(kAc, sid).size(), 1u);
  EXPECT_TRUE(verbs(sid).empty() || verbs(sid).back() != "Say");
}

TEST_F(Memory, LateTimersAndCalleeActionsOnAnEndedCallAreHarmless) {
  on_twiml(kApp + "/voice",
           "<Response><Gather timeout=\"30\"><Say>press</Say></Gather></Response>");
  const std::string sid = answered_call();
  ASSERT_TRUE(callee(sid, CalleeAction::kHangup).ok());
  EXPECT_EQ(engine().stats().runtimes, 0u);
  EXPECT_FALSE(digits(sid, "1").ok());  // not in a <Gather> any more
  EXPECT_FALSE(callee(sid, CalleeAction::kAnswer).ok());
  advance(4 * 3600 + 60);  // the Gather timeout and the TimeLimit would have been due
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(engine().stats().runtimes, 0u);
}

TEST_F(Memory, StaleTimersArePurgedOnceTheyOutnumberLiveOnes) {
  on_twiml(kApp + "/voice", "<Response><Hangup/></Response>");
  for (int i = 0; i < 3000; ++i) create();
  advance(1);  // each answered, armed its 4-hour TimeLimit, and hung up
  const EngineStats s = engine().stats();
  EXPECT_EQ(s.runtimes, 0u);
  EXPECT_EQ(s.live_timers, 0u);
  EXPECT_LT(s.timers, 1024u) << "the TimeLimit timers of ended calls stay in the heap";
}

TEST_F(Memory, PurgingKeepsLiveTimersInOrder) {
  on_twiml(kApp + "/voice", "<Response><Hangup/></Response>");
  on_twiml(kApp + "/long", "<Response><Pause length=\"30\"/></Response>");
  on_twiml(kApp + "/short", "<Response><Pause length=\"10\"/></Response>");
  const std::string long_sid = create(kApp + "/long");
  const std::string short_sid = create(kApp + "/short");
  for (int i = 0; i < 3000; ++i) create();
  advance(1);
  EXPECT_LT(engine().stats().timers, 1024u);
  EXPECT_EQ(engine().stats().live_timers, 4u);  // two Pauses, two TimeLimits
  advance(10);
  EXPECT_EQ(status(short_sid), CallStatus::kCompleted);
  EXPECT_EQ(status(long_sid), CallStatus::kInProgress);
  advance(20);
  EXPECT_EQ(status(long_sid), CallStatus::kCompleted);
  EXPECT_EQ(call(long_sid).duration_s, 30);
}

TEST_F(Memory, DeletingACallWithTimersInTheHeapIsSafe) {
  on_twiml(kApp + "/voice", "<Response><Hangup/></Response>");
  const std::string sid = create();
  advance(1);
  ASSERT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_GT(engine().stats().timers, 0u);  // its stale TimeLimit is still queued
  ASSERT_TRUE(engine().delete_call(kAc, sid).ok());
  advance(5 * 3600);  // the stale timer pops after its record went
  EXPECT_EQ(engine().stats().timers, 0u);
  EXPECT_EQ(engine().find_call(kAc, sid), nullptr);
}

TEST_F(Memory, ResettingAnAccountWithLiveCallsDropsTheirTimers) {
  on_twiml(kApp + "/voice", "<Response><Pause length=\"30\"/></Response>");
  const std::string sid = answered_call();
  engine().reset_account(kAc);
  EXPECT_EQ(engine().stats().live_timers, 0u);
  advance(5 * 3600);  // their timers (the TimeLimit last) pop as stale
  EXPECT_EQ(engine().call_count(), 0u);
  EXPECT_EQ(engine().stats().timers, 0u);
}

TEST_F(Memory, CallsWithTheSameInlineTwimlRunIndependently) {
  CreateCall a = call_request();
  a.url = {};
  a.twiml = "<Response><Pause length=\"3\"/><Say>hi</Say></Response>";
  const std::string first = create(a);
  advance(2);  // the first is in its Pause
  const std::string second = create(a);
  advance(1);
  advance(2);
  EXPECT_EQ(verbs(first), (std::vector<std::string>{"Pause", "Say", "(end of document)"}));
  EXPECT_EQ(verbs(second), (std::vector<std::string>{"Pause"}));
}

}  // namespace
}  // namespace dialtone::core::testing
