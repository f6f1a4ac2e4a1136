// The store's group commit: what becomes ready while a commit is written goes into the next
// one together; a waiter hears only once the commit holding its batch is over (ok only if it
// is durable); a failed commit fails every waiter it held, keeps the batches and writes them
// again, first and in order; a batch of journal events alone waits for the next commit. With a
// sync stage, a commit is durable only once a sync after it is over, and the writer goes on
// writing the next commits meanwhile.
#include "server/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace dialtone::server {
namespace {

using namespace std::chrono_literals;

StoreBatch call_batch(const std::string& sid) {
  StoreBatch b;
  core::Call call;
  call.sid = sid;
  call.account_sid = "AC1";
  b.calls.push_back(std::move(call));
  return b;
}

StoreBatch events_batch(int64_t seq) {
  StoreBatch b;
  core::JournalEvent e;
  e.seq = static_cast<uint64_t>(seq);
  e.account_sid = "AC1";
  e.call_sid = "CA1";
  e.type = "api.request";
  b.events.push_back(std::move(e));
  return b;
}

// Where a writer's call (a commit, a sync) can be held until released, and told to fail.
class Gate {
 public:
  // Called by the writer: returns once not held, whether the call should fail.
  bool pass() {
    std::unique_lock lock(mu_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !hold_; });
    return fail_;
  }
  void hold(bool on) {
    std::lock_guard lock(mu_);
    hold_ = on;
    changed_.notify_all();
  }
  void fail(bool on) {
    std::lock_guard lock(mu_);
    fail_ = on;
  }
  // Waits until `n` calls have been entered (held or not).
  void wait_entered(int n) {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(changed_.wait_for(lock, 5s, [&] { return entered_ >= n; }));
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool hold_ = false;
  bool fail_ = false;
  int entered_ = 0;
};

// A store that records each commit (the first call sid, or "e<seq>", of each batch), can be
// held inside a commit (its finish) until released, and can be told to fail it, or to fail
// applying one batch.
class FakeStore : public Gate, public BatchTransaction {
 public:
  void apply(const StoreBatch& b) override {
    std::string name =
        b.calls.empty() ? "e" + std::to_string(b.events.front().seq) : b.calls.front().sid;
    std::lock_guard lock(mu_);
    if (name == fail_apply_) throw std::runtime_error("database or disk is full");
    open_.push_back(std::move(name));
    changed_.notify_all();
  }
  void finish() override {
    const bool failing = pass();
    if (const auto latency = latency_.load(); latency > 0ms) {
      std::this_thread::sleep_for(latency);  // the disk's flush
    }
    if (failing) throw std::runtime_error("database or disk is full");
    std::lock_guard lock(mu_);
    commits_.push_back(std::move(open_));
    open_.clear();
    changed_.notify_all();
  }
  void abort() override {
    std::lock_guard lock(mu_);
    open_.clear();
    ++aborts_;
  }

  // Applying the batch named `name` throws (until cleared with "").
  void fail_apply(const std::string& name) {
    std::lock_guard lock(mu_);
    fail_apply_ = name;
  }
  // Waits until the open transaction holds `n` batches; returns them.
  std::vector<std::string> wait_open(size_t n) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(changed_.wait_for(lock, 5s, [&] { return open_.size() >= n; }));
    return open_;
  }
  int aborts() {
    std::lock_guard lock(mu_);
    return aborts_;
  }

  // Set before the commits it should slow (read without the lock by the writer thread).
  void latency(std::chrono::milliseconds d) { latency_ = d; }
  void wait_commits(size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(changed_.wait_for(lock, timeout, [&] { return commits_.size() >= n; }));
  }
  std::vector<std::vector<std::string>> commits() {
    std::lock_guard lock(mu_);
    return commits_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::atomic<std::chrono::milliseconds> latency_{0ms};
  std::vector<std::vector<std::string>> commits_;
  std::vector<std::string> open_;  // applied since the last commit or abort
  std::string fail_apply_;
  int aborts_ = 0;
};

class GroupCommitTest : public ::testing::Test {
 protected:
  // The gathering window is as long as a commit took, at most 2 s here (10 ms in the
  // server): long enough that a loaded machine cannot stretch the tests' short sleeps past it.
  GroupCommitTest() : GroupCommitTest(false) {}
  // with_sync: commits are durable once sync_ lets a sync through (the server's way).
  explicit GroupCommitTest(bool with_sync)
      : writer_(store_,
                [](std::function<void()> f) { f(); },
                [this](bool failing, const std::string& message) {
                  ++reports_begun_;
                  std::this_thread::sleep_for(report_takes_.load());  // a slow log
                  std::lock_guard lock(mu_);
                  reports_.emplace_back(failing, message);
                },
                2s,
                with_sync ? GroupCommit::Sync([this] {
                  if (sync_.pass()) throw std::runtime_error("Input/output error");
                })
                          : nullptr) {}

  // The outcome of `wait`, as a future (answered through `deliver`, or at once).
  std::future<bool> outcome(GroupCommit::Wait wait) {
    auto p = std::make_shared<std::promise<bool>>();
    auto f = p->get_future();
    writer_.when_durable(wait, [p](bool ok) { p->set_value(ok); });
    return f;
  }

  static bool ready(std::future<bool>& f) { return f.wait_for(0s) == std::future_status::ready; }

  // Commits CA0, then CA1 and CA2 of two waiting clients together in a commit that takes
  // `commit_takes`, and returns once both are answered: the writer now expects two changes.
  void answer_two_clients(std::chrono::milliseconds commit_takes) {
    store_.hold(true);
    writer_.submit(call_batch("CA0"));
    store_.wait_entered(1);
    auto a = outcome(writer_.submit(call_batch("CA1")));
    auto b = outcome(writer_.submit(call_batch("CA2")));
    store_.latency(commit_takes);
    store_.hold(false);
    ASSERT_EQ(a.wait_for(5s), std::future_status::ready);
    ASSERT_EQ(b.wait_for(5s), std::future_status::ready);
    store_.latency(0ms);
  }

  // With a commit or a sync made to fail: a change's waiter hears of the failure only once its
  // log line, slow to write here, is in.
  void expect_failure_logged_before_its_waiter_hears() {
    report_takes_ = 100ms;
    const auto wait = writer_.submit(call_batch("CA1"));
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (reports_begun_ < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    // It has failed and its log line is being written.
    EXPECT_FALSE(writer_.wait(wait));
    std::lock_guard lock(mu_);
    EXPECT_EQ(reports_.size(), 1u);
  }

  FakeStore store_;
  Gate sync_;  // the sync stage (Store::sync in the server)
  std::mutex mu_;
  std::vector<std::pair<bool, std::string>> reports_;
  std::atomic<int> reports_begun_{0};
  std::atomic<std::chrono::milliseconds> report_takes_{0ms};
  GroupCommit writer_;  // last: its threads use the members above
};

TEST_F(GroupCommitTest, BatchesReadyDuringACommitGoIntoTheNextOneTogether) {
  store_.hold(true);
  auto first = writer_.submit(call_batch("CA1"));
  store_.wait_entered(1);  // the first commit is being written
  auto second = writer_.submit(call_batch("CA2"));
  auto third = writer_.submit(call_batch("CA3"));
  auto fourth = writer_.submit(call_batch("CA4"));
  EXPECT_EQ(first.ticket, 1u);
  EXPECT_TRUE(first.own);
  EXPECT_EQ(fourth.ticket, 4u);
  store_.hold(false);
  store_.wait_commits(2);
  EXPECT_EQ(store_.commits(),
            (std::vector<std::vector<std::string>>{{"CA1"}, {"CA2", "CA3", "CA4"}}));
  EXPECT_TRUE(writer_.wait(second));
  EXPECT_TRUE(writer_.wait(third));
  EXPECT_EQ(writer_.commits(), 2u);
}

TEST_F(GroupCommitTest, AWaiterIsAnsweredOnlyOnceItsCommitIsDurable) {
  store_.hold(true);
  auto wait = writer_.submit(call_batch("CA1"));
  auto answered = outcome(wait);
  store_.wait_entered(1);
  std::this_thread::sleep_for(20ms);  // the commit is still being written
  EXPECT_FALSE(ready(answered));
  EXPECT_EQ(writer_.durable_ticket(), 0u);
  store_.hold(false);
  ASSERT_EQ(answered.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(answered.get());
  EXPECT_EQ(writer_.durable_ticket(), 1u);
  // Once durable, a new waiter is answered at once, on its own thread.
  auto again = outcome(wait);
  EXPECT_TRUE(ready(again));
  EXPECT_TRUE(again.get());
}

TEST_F(GroupCommitTest, AReaderWaitsForTheNewestChangeItMayHaveSeen) {
  EXPECT_EQ(writer_.read_point().ticket, 0u);  // nothing written yet: nothing to wait for
  store_.hold(true);
  auto change = writer_.submit(call_batch("CA1"));
  store_.wait_entered(1);
  const auto read = writer_.read_point();
  EXPECT_EQ(read.ticket, change.ticket);
  EXPECT_FALSE(read.own);
  auto answered = outcome(read);
  EXPECT_FALSE(ready(answered));
  store_.hold(false);
  ASSERT_EQ(answered.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(answered.get());
  EXPECT_EQ(writer_.read_point().ticket, 0u);
}

TEST_F(GroupCommitTest, JournalEventsAloneWaitForTheNextCommitOrTheLazyDelay) {
  // A fetch's journal line: its request waits for nothing.
  const auto wait = writer_.submit(events_batch(1));
  EXPECT_EQ(wait.ticket, 0u);
  std::this_thread::sleep_for(GroupCommit::kLazyFor / 4);
  EXPECT_TRUE(store_.commits().empty());
  // A change comes: both go in its commit, in order.
  writer_.submit(call_batch("CA1"));
  store_.wait_commits(1);
  EXPECT_EQ(store_.commits()[0], (std::vector<std::string>{"e1", "CA1"}));
  // Alone, an event is written after the lazy delay.
  const auto started = std::chrono::steady_clock::now();
  writer_.submit(events_batch(2));
  store_.wait_commits(2);
  EXPECT_GE(std::chrono::steady_clock::now() - started, GroupCommit::kLazyFor - 5ms);
  EXPECT_EQ(store_.commits()[1], (std::vector<std::string>{"e2"}));
}

TEST_F(GroupCommitTest, AFailedCommitFailsEveryWaiterItHeldAndIsWrittenAgainInOrder) {
  store_.hold(true);
  writer_.submit(call_batch("CA1"));
  store_.wait_entered(1);
  store_.fail(true);  // the first commit fails too: it is still being written
  auto a = writer_.submit(call_batch("CA2"));
  auto b = writer_.submit(call_batch("CA3"));
  auto answered_a = outcome(a);
  auto answered_b = outcome(b);
  store_.hold(false);
  ASSERT_EQ(answered_a.wait_for(5s), std::future_status::ready);
  ASSERT_EQ(answered_b.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(answered_a.get());
  EXPECT_FALSE(answered_b.get());
  EXPECT_TRUE(writer_.failing());
  // While failing, a new change fails at once, and a reader is answered with what it saw.
  auto c = writer_.submit(call_batch("CA4"));
  EXPECT_FALSE(writer_.wait(c));
  EXPECT_TRUE(writer_.wait(writer_.read_point()));
  {
    std::lock_guard lock(mu_);
    ASSERT_EQ(reports_.size(), 1u);  // the first failure is reported, the next ones not
    EXPECT_TRUE(reports_[0].first);
    EXPECT_NE(reports_[0].second.find("database or disk is full"), std::string::npos);
  }
  // The disk has room again: the next try writes everything kept, in order, in one commit.
  store_.fail(false);
  const auto deadline = std::chrono::steady_clock::now() + GroupCommit::kRetryEvery * 3;
  while (writer_.durable_ticket() < c.ticket && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(store_.commits().size(), 1u);
  EXPECT_EQ(store_.commits()[0], (std::vector<std::string>{"CA1", "CA2", "CA3", "CA4"}));
  EXPECT_FALSE(writer_.failing());
  EXPECT_EQ(writer_.durable_ticket(), c.ticket);
  auto d = writer_.submit(call_batch("CA5"));
  EXPECT_TRUE(writer_.wait(d));
  std::lock_guard lock(mu_);
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_FALSE(reports_[1].first);  // the recovery
}

// The log line of a failure is written before anyone can learn of the failure: whoever
// answers a client 500 finds the cause in the log already.
TEST_F(GroupCommitTest, AFailedCommitIsReportedBeforeItsWaiterHearsOfIt) {
  store_.fail(true);
  expect_failure_logged_before_its_waiter_hears();
}

TEST_F(GroupCommitTest, CloseWritesWhatIsQueuedAndLaterSubmitsWriteInPlace) {
  store_.hold(true);
  writer_.submit(call_batch("CA1"));
  store_.wait_entered(1);
  auto queued = writer_.submit(call_batch("CA2"));
  auto answered = outcome(queued);
  std::thread closer([this] { writer_.close(); });
  std::this_thread::sleep_for(10ms);
  store_.hold(false);
  closer.join();
  ASSERT_TRUE(ready(answered));
  EXPECT_TRUE(answered.get());
  auto late = writer_.submit(call_batch("CA3"));
  EXPECT_TRUE(writer_.wait(late));
  EXPECT_EQ(store_.commits(), (std::vector<std::vector<std::string>>{{"CA1"}, {"CA2"}, {"CA3"}}));
}

TEST_F(GroupCommitTest, AfterACommitTheWriterGathersTheChangesOfTheClientsItAnswered) {
  answer_two_clients(300ms);
  // One of them sends its next change: the writer waits for the other's rather than write a
  // commit for one, then one for the other.
  writer_.submit(call_batch("CA3"));
  std::this_thread::sleep_for(30ms);
  writer_.submit(call_batch("CA4"));
  store_.wait_commits(3);
  EXPECT_EQ(store_.commits(),
            (std::vector<std::vector<std::string>>{{"CA0"}, {"CA1", "CA2"}, {"CA3", "CA4"}}));
}

TEST_F(GroupCommitTest, WhileGatheringTheWriterAppliesTheChangesThatCameIn) {
  answer_two_clients(300ms);
  // The first client's change goes into the next commit's transaction while the writer waits
  // for the second's; once that comes, the commit holds both.
  writer_.submit(call_batch("CA3"));
  EXPECT_EQ(store_.wait_open(1), std::vector<std::string>{"CA3"});
  EXPECT_EQ(store_.commits().size(), 2u);
  writer_.submit(call_batch("CA4"));
  store_.wait_commits(3);
  EXPECT_EQ(store_.commits().back(), (std::vector<std::string>{"CA3", "CA4"}));
  EXPECT_EQ(store_.aborts(), 0);
}

TEST_F(GroupCommitTest, AChangeThatFailsToApplyAheadFailsItsCommitAndIsWrittenAgain) {
  answer_two_clients(300ms);
  store_.fail_apply("CA3");
  auto failed = outcome(writer_.submit(call_batch("CA3")));
  ASSERT_EQ(failed.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(failed.get());
  EXPECT_EQ(store_.aborts(), 1);
  EXPECT_TRUE(writer_.failing());
  store_.fail_apply("");
  // Kept, and written again first (with what came in meanwhile) once the retry comes.
  const auto kept = writer_.submit(call_batch("CA4"));
  EXPECT_FALSE(writer_.wait(kept));
  const auto deadline = std::chrono::steady_clock::now() + GroupCommit::kRetryEvery * 3;
  while (writer_.durable_ticket() < kept.ticket && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(store_.commits().back(), (std::vector<std::string>{"CA3", "CA4"}));
  EXPECT_FALSE(writer_.failing());
  EXPECT_TRUE(writer_.wait(writer_.submit(call_batch("CA5"))));
}

TEST_F(GroupCommitTest, ALoneClientsNextChangeIsNotHeldBack) {
  store_.latency(300ms);
  auto first = outcome(writer_.submit(call_batch("CA1")));
  ASSERT_EQ(first.wait_for(5s), std::future_status::ready);
  store_.latency(0ms);
  // The one client answered sends its next change: that is all the writer expected, so it
  // commits at once; a change that comes 50 ms later goes into a commit of its own.
  auto second = outcome(writer_.submit(call_batch("CA2")));
  std::this_thread::sleep_for(50ms);
  writer_.submit(call_batch("CA3"));
  store_.wait_commits(3);
  EXPECT_EQ(store_.commits(), (std::vector<std::vector<std::string>>{{"CA1"}, {"CA2"}, {"CA3"}}));
}

TEST_F(GroupCommitTest, ClientsThatDoNotComeBackDelayTheNextCommitByOneCommitAtMost) {
  answer_two_clients(100ms);
  // Only one of the two comes back: its change waits out the window (as long as the last
  // commit took, 100 ms) and is then written alone.
  const auto sent = std::chrono::steady_clock::now();
  auto c = outcome(writer_.submit(call_batch("CA3")));
  ASSERT_EQ(c.wait_for(5s), std::future_status::ready);
  const auto waited = std::chrono::steady_clock::now() - sent;
  EXPECT_GE(waited, 90ms);
  EXPECT_LT(waited, 2s);
  EXPECT_EQ(store_.commits().back(), std::vector<std::string>{"CA3"});
}

class PipelinedCommitTest : public GroupCommitTest {
 protected:
  PipelinedCommitTest() : GroupCommitTest(true) {}
};

TEST_F(PipelinedCommitTest, ACommitIsAnsweredOnceSyncedAndTheNextIsWrittenMeanwhile) {
  sync_.hold(true);
  auto first = writer_.submit(call_batch("CA1"));
  auto answered_first = outcome(first);
  sync_.wait_entered(1);  // CA1 is committed, its sync is under way
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(ready(answered_first));
  EXPECT_EQ(writer_.durable_ticket(), 0u);
  // A reader that may have seen CA1 waits for it too.
  auto read = outcome(writer_.read_point());
  EXPECT_FALSE(ready(read));
  // The writer does not wait for the sync: CA2 is committed while CA1's sync runs.
  auto second = writer_.submit(call_batch("CA2"));
  store_.wait_commits(2);
  EXPECT_EQ(store_.commits(), (std::vector<std::vector<std::string>>{{"CA1"}, {"CA2"}}));
  sync_.hold(false);
  ASSERT_EQ(answered_first.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(answered_first.get());
  EXPECT_TRUE(writer_.wait(second));
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(read.get());
  EXPECT_EQ(writer_.durable_ticket(), second.ticket);
}

TEST_F(PipelinedCommitTest, AFailedSyncFailsTheChangesItHeldAndTheNextOneSucceeds) {
  sync_.fail(true);
  EXPECT_FALSE(writer_.wait(writer_.submit(call_batch("CA1"))));
  EXPECT_FALSE(writer_.failing());  // the commit itself succeeded: new changes are tried
  sync_.fail(false);
  EXPECT_TRUE(writer_.wait(writer_.submit(call_batch("CA2"))));
  std::lock_guard lock(mu_);
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_TRUE(reports_[0].first);
  EXPECT_NE(reports_[0].second.find("Input/output error"), std::string::npos);
  EXPECT_FALSE(reports_[1].first);  // the recovery
}

TEST_F(PipelinedCommitTest, AFailedSyncIsReportedBeforeItsWaiterHearsOfIt) {
  sync_.fail(true);
  expect_failure_logged_before_its_waiter_hears();
}

TEST_F(PipelinedCommitTest, CloseSyncsWhatIsWritten) {
  sync_.hold(true);
  auto answered = outcome(writer_.submit(call_batch("CA1")));
  sync_.wait_entered(1);
  std::thread closer([this] { writer_.close(); });
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(ready(answered));
  sync_.hold(false);
  closer.join();
  ASSERT_TRUE(ready(answered));
  EXPECT_TRUE(answered.get());
  // After close, a change is committed and synced on the caller's thread.
  EXPECT_TRUE(writer_.wait(writer_.submit(call_batch("CA2"))));
  EXPECT_EQ(store_.commits(), (std::vector<std::vector<std::string>>{{"CA1"}, {"CA2"}}));
}

}  // namespace
}  // namespace dialtone::server
