// Group commit for the store (--data-dir). One writer thread does every commit: batches
// submitted while a commit is being written go into the next one together, one transaction
// and one fsync for all of them, and whoever waits on a batch hears about it once the commit
// holding it is durable. The I/O threads never wait for the disk, and the disk's latency is
// paid once per commit instead of once per change.
//
// Tickets: submit() numbers batches 1, 2, ... in the order it is called (under the engine
// lock, so the order of the engine's changes), and commits keep that order. So "ticket t is
// durable" means every batch up to t is.
//
// Gathering: clients answered by one commit send their next change a moment later. Started at
// once, the next commit would hold only the changes that came in while the last one was being
// written, and the clients would settle into two halves taking turns, each commit holding half
// of them. So after a commit that held N changes, the writer waits until N more have come in,
// or a fraction of that commit's own duration (at most kMaxGather), whichever is first: under
// load every commit holds every client's change; a lone client pays nothing, its one change
// being the N that was expected.
//
// Applying ahead: while the writer waits for the rest of a commit's changes, those that have
// come in go into the commit's open transaction, kApplyAheadAt at a time (and the first one,
// which starts the wait). So writing the rows overlaps the I/O threads' making of the next
// changes, and once the last one is in, only its rows and the COMMIT are left: under load the
// I/O thread and the writer had taken turns, each idle while the other worked (durable
// creates: ~21 us of I/O thread and ~16 us of writer a change, one after the other).
//
// The sync stage (with a Sync function; the server's is Store::sync): a commit returns with
// its change in the log but not yet durable, and a thread of its own syncs the log while the
// writer writes the next commits; one sync makes every commit before it durable, and their
// waiters are answered then. The writer never waits for the disk's flush, which on this VM
// took 0.5-2 ms under load, longer than writing a commit (bench/RESULTS.md, eleventh
// session). The gathering above counts from the sync that answered the clients. A failed
// sync fails the waiters of the commits it held (their changes may be on disk or not: the
// kernel's page cache has them) and the next commit's sync tries again.
//
// A batch of journal events alone (the journal line of a fetch) waits for nobody and nobody
// waits for it: it goes with the next commit, or on its own after kLazyFor.
//
// A failed commit (disk full, I/O error) fails the waiters of every batch it held. The
// batches are kept, in order, and tried again every kRetryEvery until a commit succeeds:
// the store catches up with memory by itself once the disk has room again. Meanwhile new
// batches are kept the same way and fail at once, so a client waits no longer than the disk
// takes to say no.
//
// Thread-safety: every member may be called from any thread. `deliver` (see the constructor)
// runs on the writer or the sync thread; wait() must not be called from inside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/batch_transaction.hpp"
#include "server/store_batch.hpp"

namespace dialtone::server {

class GroupCommit {
 public:
  static constexpr std::chrono::milliseconds kLazyFor{100};
  static constexpr std::chrono::milliseconds kRetryEvery{1000};
  static constexpr std::chrono::milliseconds kReportEvery{10000};
  static constexpr std::chrono::microseconds kMaxGather{10000};
  static constexpr size_t kApplyAheadAt = 8;  // waiting batches that wake a gathering writer

  // Makes every commit that returned durable; throws std::exception on failure. Runs on a
  // thread of its own while the writer writes the next commits (see the top). Empty: a
  // commit is durable when it returns.
  using Sync = std::function<void()>;
  // ok: the batch is on disk (or the waiter did not write and only read; see when_durable).
  using Done = std::function<void(bool ok)>;
  // Hands the callbacks that a commit released to where they should run (the host posts them
  // to its io_context as one handler; tests run them in place).
  using Deliver = std::function<void(std::function<void()>)>;
  // What the writer reports: the first failure of a run of them, every kReportEvery while the
  // failures last, and the recovery. The host logs them. Called with no lock held, before
  // anyone can learn what it tells (a waiter's failure, a recovered commit): whoever answers a
  // client 500 finds the cause in the log already.
  using Report = std::function<void(bool failing, const std::string& message)>;

  // `transaction`: where commits are written (the server's Store), used by the writer thread
  // only (and by submit() after close()); it must outlive this. max_gather: the longest wait
  // for the next clients' changes (tests lengthen it).
  GroupCommit(BatchTransaction& transaction, Deliver deliver, Report report,
              std::chrono::microseconds max_gather = kMaxGather, Sync sync = {});
  // close().
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // What an answer waits for: `ticket` durable (0: nothing). `own`: the ticket is the
  // caller's own change, whose failure it must report; a reader's ticket is the newest change
  // it may have seen, and it answers once that is settled either way.
  struct Wait {
    uint64_t ticket = 0;
    bool own = false;
  };

  // Queues a batch. A batch holding state is waited for by its own ticket; one of journal
  // events alone (StoreBatch::holds_state) gives what read_point() gives.
  Wait submit(StoreBatch batch);
  // For a request that changed nothing: the newest batch holding state, if it is not durable
  // yet (what it read must not be lost after it was answered).
  Wait read_point() const;
  // Runs done(ok) once `wait` is settled: ok is true if its ticket is durable, or if it is
  // not the caller's own. At once, on this thread, when that is known already; else through
  // `deliver`.
  void when_durable(Wait wait, Done done);
  // The same, blocking the caller: returns ok. Independent of `deliver`, so an io thread may
  // wait here while the callbacks it would run are queued for it.
  bool wait(Wait wait);
  // Commits what is queued (one last try for kept batches) and stops the writer. Later
  // submits commit on the caller's thread.
  void close();

  bool failing() const;
  uint64_t durable_ticket() const;
  size_t commits() const;  // transactions written, for tests and the log

 private:
  struct Entry {
    uint64_t ticket;
    StoreBatch batch;
  };
  struct Waiter {
    Wait wait;
    Done done;
  };

  void run();
  void run_sync();
  // With mu_ held: what may be known about `wait` now (nullopt: not yet).
  std::optional<bool> status_locked(Wait wait) const;
  Wait read_point_locked() const;
  // Moves the waiters whose status is known now into `ready`, with it. Returns how many of
  // them were told their own change is durable: the clients likely to send the next ones.
  size_t settle_locked(std::vector<std::pair<Done, bool>>& ready);
  // With mu_ held, once `answered` clients heard their change is durable: the writer waits
  // for their next changes, at most as long as the cycle that began at `started` (see the
  // top).
  void gather_locked(size_t answered, std::chrono::steady_clock::time_point started);
  // With mu_ held through `lock`: reports `message` (none if empty) with mu_ released, so that
  // the caller publishes what it tells only after the log line (see Report).
  void report_first(std::unique_lock<std::mutex>& lock, bool failing, const std::string& message);

  BatchTransaction& transaction_;
  Sync sync_;
  Deliver deliver_;
  Report report_;
  const std::chrono::microseconds max_gather_;

  mutable std::mutex mu_;
  std::condition_variable wake_;        // the writer: work, or stop
  std::condition_variable settled_cv_;  // wait(): a commit finished
  std::deque<Entry> queue_;             // submitted, not yet tried
  std::deque<Entry> kept_;              // tried and failed, or submitted while failing
  bool applying_ahead_ = false;  // the writer has taken batches from queue_ into the next commit
  // Of the batches of the next commit (applying ahead or queued): one holds state; the
  // oldest's submission.
  bool queue_has_state_ = false;
  std::chrono::steady_clock::time_point oldest_queued_{};
  uint64_t next_ticket_ = 1;
  uint64_t last_state_ = 0;
  uint64_t written_ = 0;  // every ticket up to it is committed (durable once synced)
  uint64_t synced_ = 0;   // every ticket up to it has been through a sync, whatever it said
  std::chrono::steady_clock::time_point written_started_{};  // when written_'s commit began
  uint64_t durable_ = 0;  // every ticket up to it is on disk
  uint64_t settled_ = 0;  // every ticket up to it is durable or failed
  bool failing_ = false;
  // Gathering (see the top): state batches the last commit held, those submitted since it
  // ended, and until when the writer waits for them.
  size_t gather_expect_ = 0;
  size_t gather_arrived_ = 0;
  std::chrono::steady_clock::time_point gather_until_{};
  std::chrono::steady_clock::time_point next_retry_{};
  std::chrono::steady_clock::time_point next_report_{};
  size_t failures_ = 0;  // commit attempts failed in this run of failures
  bool writer_idle_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  size_t commits_ = 0;
  std::vector<Waiter> waiters_;
  // The sync thread (with sync_): it waits for written_ > durable_.
  std::condition_variable sync_wake_;
  bool sync_stopping_ = false;
  bool sync_failing_ = false;
  std::thread sync_thread_;
  std::thread thread_;  // last: starts once the rest exists
};

}  // namespace dialtone::server
