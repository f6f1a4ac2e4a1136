#include "server/wal_checkpointer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include "server/background_thread.hpp"

namespace dialtone::server {

WalCheckpointer::WalCheckpointer(const std::string& path, sqlite3* writer) : writer_(writer) {
  const int rc = sqlite3_open_v2(path.c_str(), &own_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = own_ ? sqlite3_errmsg(own_) : "out of memory";
    sqlite3_close(own_);
    throw std::runtime_error("cannot open a checkpoint connection to '" + path + "': " + msg);
  }
  // FULL: the log is synced before its pages are copied, the file after (the writer runs
  // NORMAL and has its commits synced by Store::sync; checkpoints keep this order).
  sqlite3_exec(own_, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  db_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // -1: passes go without it
  thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close(own_);
  if (db_fd_ >= 0) ::close(db_fd_);
}

void WalCheckpointer::after_commit(int log_pages) {
  std::unique_lock lock(mu_);
  stats_.log_pages = log_pages;
  if (busy_ || wanted_) return;
  if (pass_done_) {
    pass_done_ = false;
    // log_pages < pass_log_: the log has started over since the pass; nothing is left of it.
    const bool same_log = log_pages >= pass_log_;
    if (same_log && (log_pages - pass_copied_ <= kTailMax || log_pages >= kHardCap)) {
      lock.unlock();
      checkpoint_on_writer();
      return;
    }
  }
  if (log_pages >= kStartAt) {
    wanted_ = true;
    wake_.notify_one();
  }
}

// PASSIVE never waits (nor calls the busy handler), and no pass runs now: the writer asks
// for passes and only looks once one has ended.
void WalCheckpointer::checkpoint_on_writer() {
  const int rc =
      sqlite3_wal_checkpoint_v2(writer_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  std::lock_guard lock(mu_);
  ++(rc == SQLITE_OK ? stats_.tails : stats_.failures);
}

void WalCheckpointer::run() {
  mark_background_thread("dt-checkpoint");
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || wanted_; });
    if (stopping_) return;
    wanted_ = false;
    busy_ = true;
    lock.unlock();
    int log = 0, copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    // Off the commit path: the tail's sync then has only the tail's pages to write (top).
    if (rc == SQLITE_OK && db_fd_ >= 0) ::fdatasync(db_fd_);
    lock.lock();
    busy_ = false;
    if (rc == SQLITE_OK) {
      ++stats_.passes;
      pass_done_ = true;
      pass_log_ = log;
      pass_copied_ = copied;
    } else {
      ++stats_.failures;
    }
  }
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace dialtone::server
