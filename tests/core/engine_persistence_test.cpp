// The engine's side of persistence: take_changes() reports exactly what a store must write,
// and a restored engine brings calls that were live to the documented end state.
#include <gmock/gmock.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/core/engine_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::UnorderedElementsAre;

class PersistenceTest : public EngineTest {
 protected:
  PersistenceTest() { rebuild(tracking_config()); }

  std::vector<std::string> changed_sids(const Changes& c) {
    std::vector<std::string> out;
    for (const Call* call : c.calls) out.push_back(call->sid);
    return out;
  }
};

TEST_F(PersistenceTest, ChangesListEachTouchedCallOnceAndOnlyNewEvents) {
  on_twiml(kApp + "/voice", "<Response><Pause length=\"30\"/></Response>");
  const std::string a = create();
  const std::string b = create();
  Changes first = engine().take_changes();
  EXPECT_THAT(changed_sids(first), UnorderedElementsAre(a, b));
  ASSERT_FALSE(first.events.empty());
  const uint64_t last = first.events.back()->seq;

  EXPECT_TRUE(engine().take_changes().empty()) << "nothing happened since";

  advance(1);  // both ring and are answered
  Changes second = engine().take_changes();
  EXPECT_THAT(changed_sids(second), UnorderedElementsAre(a, b));
  ASSERT_FALSE(second.events.empty());
  EXPECT_GT(second.events.front()->seq, last) << "no event is handed out twice";
}

// After a change to many calls at once, the set of changed calls is dropped rather than
// cleared (its bucket array would otherwise be zeroed on every later request); what is
// reported stays exact on both sides of that.
TEST_F(PersistenceTest, ChangesStayExactAfterManyCallsChangedAtOnce) {
  on_twiml(kApp + "/voice", "<Response><Pause length=\"30\"/></Response>");
  std::vector<std::string> sids;
  for (int i = 0; i < 3000; ++i) sids.push_back(create());
  EXPECT_EQ(engine().take_changes().calls.size(), sids.size());
  EXPECT_TRUE(engine().take_changes().empty());

  advance(1);  // every call rings and is answered in one advance
  std::vector<std::string> changed = changed_sids(engine().take_changes());
  std::sort(changed.begin(), changed.end());
  std::vector<std::string> expected = sids;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(changed, expected) << "each answered call once";
  EXPECT_TRUE(engine().take_changes().empty());

  const std::string later = create();
  EXPECT_THAT(changed_sids(engine().take_changes()), UnorderedElementsAre(later));
  EXPECT_TRUE(engine().take_changes().empty());
}

TEST_F(PersistenceTest, DeletesResetsAndNotificationsAreReported) {
  on(kApp + "/voice", Reply{500, "text/plain", "boom", 0, ""});
  const std::string sid = create();
  advance(2);  // fetch fails (11200), no fallback: the call completes
  ASSERT_EQ(status(sid), CallStatus::kCompleted);
  Changes c = engine().take_changes();
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(c.notifications[0]->error_code, 11200);

  ASSERT_TRUE(engine().delete_call(kAc, sid).ok());
  c = engine().take_changes();
  EXPECT_THAT(c.deleted, UnorderedElementsAre(sid));
  EXPECT_TRUE(c.calls.empty());

  engine().reset_account(kAc);
  c = engine().take_changes();
  EXPECT_THAT(c.reset_accounts, UnorderedElementsAre(kAc));
  engine().reset();
  EXPECT_TRUE(engine().take_changes().reset_all);
}

TEST_F(PersistenceTest, RestoredEngineEndsLiveCallsOnceWithTheirCallbacks) {
  on_twiml(kApp + "/voice", "<Response><Pause length=\"300\"/></Response>");
  CreateCall req = call_request();
  req.status_callback = Webhook{kApp + "/status", HttpMethod::kPost};
  req.status_callback_events = kEventAnswered | kEventCompleted;
  const std::string live = create(req);
  advance(1);  // in progress; the answered callback went out
  const std::string queued = create(req);
  const std::string ended = create();
  ASSERT_TRUE(update(ended, set_status(CallStatus::kCanceled)).ok());

  // Copy everything out, as a store would, then "restart" with the copy.
  std::vector<Call> calls;
  for (const std::string& sid : {live, queued, ended}) calls.push_back(call(sid));
  std::vector<JournalEvent> events(engine().journal().events().begin(),
                                   engine().journal().events().end());
  advance(10);
  rebuild(tracking_config());
  for (const Call& c : calls) engine().restore_call(c);
  for (const JournalEvent& e : events) engine().restore_event(e);
  EXPECT_TRUE(engine().take_changes().calls.empty()) << "restored calls are already on disk";

  Effects effects;
  EXPECT_EQ(engine().recover_live_calls(effects), 2u);
  pump(effects);
  EXPECT_EQ(status(live), CallStatus::kCompleted);
  EXPECT_EQ(call(live).end_time, now());
  EXPECT_EQ(call(live).duration_s, 10);
  EXPECT_EQ(status(queued), CallStatus::kCanceled);
  EXPECT_EQ(status(ended), CallStatus::kCanceled);
  EXPECT_FALSE(call(queued).end_time.has_value());
  // Only the completed callbacks are new: "answered" went out before the restart.
  EXPECT_THAT(callback_statuses(live), ::testing::ElementsAre("completed"));
  EXPECT_THAT(callback_statuses(queued), ::testing::ElementsAre("canceled"));
  EXPECT_GT(engine().journal().last_seq(), events.back().seq) << "seqs continue";
  EXPECT_EQ(engine().recover_live_calls(effects), 0u);
}

// Without a store nobody drains the changes, so the engine keeps none (memory stays flat).
TEST_F(EngineTest, WithoutChangeTrackingNothingIsKeptForAStore) {
  on_twiml(kApp + "/voice", "<Response><Pause length=\"3\"/></Response>");
  const std::string sid = create();
  advance(10);
  ASSERT_EQ(status(sid), CallStatus::kCompleted);
  ASSERT_TRUE(engine().delete_call(kAc, sid).ok());
  const Changes c = engine().take_changes();
  EXPECT_TRUE(c.calls.empty());
  EXPECT_TRUE(c.deleted.empty());
  EXPECT_TRUE(c.notifications.empty());
}

}  // namespace
}  // namespace dialtone::core::testing
