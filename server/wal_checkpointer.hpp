// Checkpoints of the store's write-ahead log, off the commit path. SQLite's own checkpoint
// runs inside the COMMIT that takes the log past 1000 pages: it copies them into the database
// file and fsyncs it while every client of that commit, and every one arriving, waits (the
// durable p99 went from a few ms to 60-100 ms). Here a thread of its own, with a connection
// of its own, copies the pages (a PASSIVE checkpoint: the writer goes on appending meanwhile).
//
// The log starts over from its beginning only when a write finds every page of it copied,
// which a pass racing the writer almost never leaves behind. So when a pass has left a short
// tail (kTailMax pages), the writer copies the tail itself, between two commits and before
// it takes the next batch: a few pages and one fsync of the database file, and the next
// commit starts the log over. A longer tail starts another pass; a log past kHardCap (writes
// outrunning the copying) is copied by the writer in full, as SQLite would have.
//
// A pass ends with an fdatasync of the database file: SQLite syncs it only after a checkpoint
// that copied the whole log, which a pass racing the writer rarely does, and the tail copy on
// the writer would otherwise sync everything the passes wrote (4.2 ms a tail instead of 5.7 in
// the eleventh session's runs, and 50 ms with a log of 64 MiB).
//
// A failed checkpoint (a full disk) loses nothing: the pages stay in the log, which grows,
// and the next commit's after_commit tries again.
//
// Thread-safety: after_commit() on the writer's thread only (the thread that owns `writer`);
// stats() from any thread.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace dialtone::server {

class WalCheckpointer {
 public:
  static constexpr int kStartAt = 1000;      // pages in the log that start a pass
  static constexpr int kTailMax = 256;       // what the writer copies itself
  static constexpr int kHardCap = 64 * 1024;  // 256 MiB of 4 KiB pages

  // Opens a second connection to the database at `path` (in WAL mode already) and starts the
  // thread. `writer` is the store's connection. Throws std::runtime_error.
  WalCheckpointer(const std::string& path, sqlite3* writer);
  // Stops the thread and closes its connection (before the writer's: see Store::Impl).
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // After each successful commit, with the pages in the log after it (sqlite3_wal_hook).
  void after_commit(int log_pages);

  struct Stats {
    uint64_t passes = 0;        // background passes that succeeded
    uint64_t tails = 0;         // tails (and hard-cap checkpoints) the writer copied
    uint64_t failures = 0;      // checkpoints that failed, either side
    int log_pages = 0;          // in the log after the last commit
  };
  Stats stats() const;

 private:
  void run();
  void checkpoint_on_writer();

  sqlite3* const writer_;
  sqlite3* own_ = nullptr;
  int db_fd_ = -1;  // the database file, for the fsync after a pass (see run())
  mutable std::mutex mu_;
  std::condition_variable wake_;  // with mu_
  bool wanted_ = false;           // a pass is asked for; guarded by mu_
  bool busy_ = false;             // a pass runs; guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  bool pass_done_ = false;        // a pass ended and the writer has not looked; guarded by mu_
  int pass_log_ = 0;              // the log's pages when it ended; guarded by mu_
  int pass_copied_ = 0;           // how many of them are copied; guarded by mu_
  Stats stats_;                   // guarded by mu_
  std::thread thread_;
};

}  // namespace dialtone::server
