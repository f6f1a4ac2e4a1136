#include "server/group_commit.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "server/background_thread.hpp"

namespace dialtone::server {

using Clock = std::chrono::steady_clock;

GroupCommit::GroupCommit(BatchTransaction& transaction, Deliver deliver, Report report,
                         std::chrono::microseconds max_gather, Sync sync)
    : transaction_(transaction),
      sync_(std::move(sync)),
      deliver_(std::move(deliver)),
      report_(std::move(report)),
      max_gather_(max_gather),
      sync_thread_(sync_ ? std::thread([this] { run_sync(); }) : std::thread()),
      thread_([this] { run(); }) {}

GroupCommit::~GroupCommit() { close(); }

GroupCommit::Wait GroupCommit::submit(StoreBatch batch) {
  std::unique_lock lock(mu_);
  const uint64_t ticket = next_ticket_++;
  const bool state = batch.holds_state();
  if (state) last_state_ = ticket;
  if (closed_) {
    // No writer any more (shutdown): the caller writes. Callers hold the engine lock, which
    // keeps these in order too.
    std::vector<StoreBatch> one;
    one.push_back(std::move(batch));
    bool ok = true;
    std::string error;
    try {
      transaction_.commit(one);
      if (sync_) sync_();
    } catch (const std::exception& e) {
      ok = false;
      error = e.what();
    }
    if (ok && durable_ == ticket - 1) durable_ = ticket;
    if (ok) written_ = synced_ = ticket;
    settled_ = ticket;
    lock.unlock();
    if (!ok) report_(true, "data_dir: write failed after shutdown began: " + error);
    return state ? Wait{ticket, true} : Wait{};
  }
  if (failing_) {
    // The disk said no a moment ago: keep it for the next try and fail its waiters at once.
    kept_.push_back({ticket, std::move(batch)});
    settled_ = ticket;
    return state ? Wait{ticket, true} : read_point_locked();
  }
  const bool first = queue_.empty() && !applying_ahead_;
  if (first) oldest_queued_ = Clock::now();
  queue_.push_back({ticket, std::move(batch)});
  queue_has_state_ = queue_has_state_ || state;
  if (state) ++gather_arrived_;
  // A busy writer takes this with the next commit; an idle one needs waking for state (someone
  // waits) once it has gathered what it expects, to apply ahead (see the top), or to start the
  // clock of a lazy batch.
  const bool wake = writer_idle_ && ((state && gather_arrived_ >= gather_expect_) || first ||
                                     queue_.size() >= kApplyAheadAt);
  const Wait wait = state ? Wait{ticket, true} : read_point_locked();
  lock.unlock();
  if (wake) wake_.notify_one();
  return wait;
}

GroupCommit::Wait GroupCommit::read_point() const {
  std::lock_guard lock(mu_);
  return read_point_locked();
}

GroupCommit::Wait GroupCommit::read_point_locked() const {
  return last_state_ > durable_ ? Wait{last_state_, false} : Wait{};
}

std::optional<bool> GroupCommit::status_locked(Wait wait) const {
  if (wait.ticket <= durable_) return true;
  if (wait.ticket <= settled_) return !wait.own;
  return std::nullopt;
}

void GroupCommit::when_durable(Wait wait, Done done) {
  std::unique_lock lock(mu_);
  if (auto s = status_locked(wait)) {
    lock.unlock();
    done(*s);
    return;
  }
  waiters_.push_back({wait, std::move(done)});
}

bool GroupCommit::wait(Wait wait) {
  std::unique_lock lock(mu_);
  std::optional<bool> s;
  settled_cv_.wait(lock, [&] { return (s = status_locked(wait)).has_value(); });
  return *s;
}

size_t GroupCommit::settle_locked(std::vector<std::pair<Done, bool>>& ready) {
  size_t writers = 0;
  std::erase_if(waiters_, [&](Waiter& w) {
    auto s = status_locked(w.wait);
    if (!s) return false;
    if (w.wait.own && *s) ++writers;
    ready.emplace_back(std::move(w.done), *s);
    return true;
  });
  return writers;
}

void GroupCommit::report_first(std::unique_lock<std::mutex>& lock, bool failing,
                               const std::string& message) {
  if (message.empty()) return;
  lock.unlock();
  report_(failing, message);
  lock.lock();
}

void GroupCommit::gather_locked(size_t answered, Clock::time_point started) {
  // Counted from now: what came in while this commit was written is not what it answers.
  const auto now = Clock::now();
  gather_expect_ = answered;
  gather_arrived_ = 0;
  gather_until_ = now + std::min<Clock::duration>(now - started, max_gather_);
}

void GroupCommit::run() {
  mark_background_thread("dt-commit");  // server/background_thread.hpp
  // The next commit's batches, in ticket order; the first `applied` of them are in its open
  // transaction already (applied ahead), which began at `started`.
  std::vector<StoreBatch> batches;
  std::vector<uint64_t> tickets;
  size_t applied = 0;
  Clock::time_point started{};
  std::string error;  // the transaction's failure: it is rolled back, its batches kept
  // Runs a step of the transaction unless one has failed already; a failure goes into `error`.
  const auto attempt = [&](auto&& step) {
    if (!error.empty()) return;
    try {
      step();
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "unknown error";
    }
  };
  const auto take = [&](std::deque<Entry>& from) {
    if (batches.empty() && !from.empty()) started = Clock::now();
    for (auto& e : from) {
      tickets.push_back(e.ticket);
      batches.push_back(std::move(e.batch));
    }
    from.clear();
  };
  const auto apply_rest = [&] {
    attempt([&] {
      for (; applied < batches.size(); ++applied) transaction_.apply(batches[applied]);
    });
  };
  std::unique_lock lock(mu_);
  for (;;) {
    // What the writer waits for: a retry's time while failing, a state batch (or the lazy
    // delay of an events-only one), or the stop.
    const auto now = Clock::now();
    std::optional<Clock::time_point> until;
    bool go = false;
    if (!kept_.empty()) {
      go = stopping_ || !failing_ || now >= next_retry_;
      until = next_retry_;
    } else if (!queue_.empty() || applying_ahead_) {
      const bool gathered = gather_arrived_ >= gather_expect_ || now >= gather_until_;
      go = stopping_ || (queue_has_state_ && gathered) || now - oldest_queued_ >= kLazyFor;
      until = queue_has_state_ ? std::min(gather_until_, oldest_queued_ + kLazyFor)
                               : oldest_queued_ + kLazyFor;
    } else if (stopping_) {
      break;
    }
    if (!go && kept_.empty() && !queue_.empty()) {
      // Applying ahead (see the top).
      applying_ahead_ = true;
      take(queue_);
      lock.unlock();
      apply_rest();
      lock.lock();
      if (error.empty()) continue;
      go = true;  // failed as a commit fails, below
    }
    if (!go) {
      writer_idle_ = true;
      if (until) {
        wake_.wait_until(lock, *until);
      } else {
        wake_.wait(lock);
      }
      writer_idle_ = false;
      continue;
    }

    // Everything ready goes into this commit, after what was applied ahead (which leaves
    // kept_ empty) and kept batches first: tickets stay in order.
    if (error.empty()) {
      take(kept_);
      take(queue_);
    }
    queue_has_state_ = false;
    applying_ahead_ = false;
    const uint64_t last = tickets.back();
    const bool was_failing = failing_;
    lock.unlock();

    apply_rest();
    attempt([&] { transaction_.finish(); });
    if (!error.empty()) transaction_.abort();

    lock.lock();
    if (error.empty()) {
      failing_ = false;  // new changes are queued again; what this commit answers waits below
      if (was_failing) {
        report_first(lock, false,
                     "data_dir: writes succeed again; the " + std::to_string(batches.size()) +
                         " change(s) kept meanwhile are on disk");
      }
      ++commits_;
      written_ = last;
      if (sync_) {
        // Durable once the sync thread says so; it answers the clients, and gathers.
        written_started_ = started;
        sync_wake_.notify_one();
      } else {
        durable_ = synced_ = last;
        if (last > settled_) settled_ = last;
      }
      failures_ = 0;
    } else {
      // What was written before is the sync thread's to settle: settled_ moves as a prefix.
      settled_cv_.wait(lock, [this] { return synced_ >= written_; });
      ++failures_;
      const auto now_failed = Clock::now();
      const std::string kept_now =
          std::to_string(batches.size() + kept_.size() + queue_.size()) + " change(s)";
      std::string message;
      if (stopping_) {
        // One last try has failed: nobody will try again (below).
        message = "data_dir: write failed at shutdown: " + error + "; " + kept_now + " not written";
      } else if (failures_ == 1) {
        message = "data_dir: write failed: " + error + "; " + kept_now +
                  " are kept in memory and written again every " +
                  std::to_string(kRetryEvery.count()) +
                  " ms until a write succeeds; until then changes are answered 500";
        next_report_ = now_failed + kReportEvery;
      } else if (now_failed >= next_report_) {
        message = "data_dir: writes still fail (" + error + "), " + std::to_string(failures_) +
                  " attempts; " + kept_now + " kept in memory";
        next_report_ = now_failed + kReportEvery;
      }
      report_first(lock, true, message);
      // Kept in order: this attempt's, then what came in during it (one of the two queues,
      // whichever failing_ sent it to), the report's time included.
      std::deque<Entry> keep;
      for (size_t i = 0; i < batches.size(); ++i) {
        keep.push_back({tickets[i], std::move(batches[i])});
      }
      for (auto* from : {&kept_, &queue_}) {
        for (auto& e : *from) keep.push_back(std::move(e));
        from->clear();
      }
      queue_has_state_ = false;
      kept_ = std::move(keep);
      settled_ = next_ticket_ - 1;
      failing_ = true;
      next_retry_ = now_failed + kRetryEvery;
      if (stopping_) kept_.clear();
    }
    std::vector<std::pair<Done, bool>> ready;
    const size_t answered = settle_locked(ready);
    if (!error.empty()) {
      gather_expect_ = answered;
    } else if (!sync_) {
      gather_locked(answered, started);
    }
    const bool give_up = stopping_ && !error.empty();
    lock.unlock();
    settled_cv_.notify_all();
    if (!ready.empty()) {
      deliver_([ready = std::move(ready)]() mutable {
        for (auto& [done, ok] : ready) done(ok);
      });
    }
    batches.clear();
    tickets.clear();
    applied = 0;
    error.clear();
    lock.lock();
    if (give_up) break;
  }
}

void GroupCommit::run_sync() {
  mark_background_thread("dt-sync");
  std::unique_lock lock(mu_);
  for (;;) {
    sync_wake_.wait(lock, [this] { return sync_stopping_ || written_ > synced_; });
    if (written_ <= synced_) break;  // stopping, and everything written is synced
    const uint64_t target = written_;
    const auto started = written_started_;
    lock.unlock();
    std::string error;
    try {
      sync_();
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "unknown error";
    }
    lock.lock();
    std::string message;
    if (error.empty()) {
      if (sync_failing_) message = "data_dir: syncs to disk succeed again";
    } else if (!sync_failing_) {
      message = "data_dir: sync to disk failed: " + error +
                "; the changes it held are answered 500 (they may be on disk or not)";
    }
    report_first(lock, !error.empty(), message);
    sync_failing_ = !error.empty();
    synced_ = target;
    if (target > settled_) settled_ = target;
    if (error.empty()) durable_ = target;
    std::vector<std::pair<Done, bool>> ready;
    const size_t answered = settle_locked(ready);
    if (answered > 0) gather_locked(answered, started);
    lock.unlock();
    settled_cv_.notify_all();
    wake_.notify_one();
    if (!ready.empty()) {
      deliver_([ready = std::move(ready)]() mutable {
        for (auto& [done, ok] : ready) done(ok);
      });
    }
    lock.lock();
  }
}

void GroupCommit::close() {
  {
    std::lock_guard lock(mu_);
    if (closed_ || stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (sync_thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      sync_stopping_ = true;
    }
    sync_wake_.notify_one();
    sync_thread_.join();
  }
  std::vector<std::pair<Done, bool>> ready;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    failing_ = false;
    settled_ = next_ticket_ - 1;  // nothing is left to try
    settle_locked(ready);
  }
  settled_cv_.notify_all();
  for (auto& [done, ok] : ready) done(ok);
}

bool GroupCommit::failing() const {
  std::lock_guard lock(mu_);
  return failing_;
}

uint64_t GroupCommit::durable_ticket() const {
  std::lock_guard lock(mu_);
  return durable_;
}

size_t GroupCommit::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

}  // namespace dialtone::server
