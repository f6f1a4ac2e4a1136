// Optional persistence (--data-dir): one SQLite database, DIR/dialtone.db, in WAL mode with
// synchronous=NORMAL: a COMMIT writes the log without syncing it, and sync() makes every
// commit that returned durable (fdatasync of the log; why that is as safe as FULL:
// docs/scaling.md, "Durable mode"). EngineHost turns the engine's changes
// (core::Engine::take_changes) into a StoreBatch under the engine lock; its writer thread
// (server/group_commit.hpp) commits every batch that is ready in one transaction, and its sync
// thread syncs: no answer leaves before a sync after the commit holding its change, so a 2xx
// means the change is durable. The log's writes go out one per commit
// (server/wal_write_buffer.hpp); it is checkpointed off the commit path
// (server/wal_checkpointer.hpp).
// Settings (accounts, numbers, behaviours) are small and change only through the
// control API, so they are written as one snapshot when they may have changed.
// Calls and notifications are stored as a JSON document per row (plus the columns that
// deletes and resets select on); calls keep their creation order in the rowid (UPSERT).
// The journal is a row per account per commit (server/event_groups.hpp).
// Thread-safety: prepare() is a pure function (under the engine lock, for its pointers);
// sync() may run on one thread beside the one running the rest; everything else is not
// thread-safe: one thread at a time (start-up, then the writer).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "core/engine.hpp"
#include "server/batch_transaction.hpp"
#include "server/store_batch.hpp"
#include "server/wal_checkpointer.hpp"

namespace dialtone::server {

// A failed write or read of the database (disk full, corrupt file, wrong schema version).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StoreStats {
  size_t calls = 0, notifications = 0, events = 0;
};

class Store final : public BatchTransaction {
 public:
  // 2: calls found by rowid (call_rowids.hpp); 3: the journal a row per account per commit
  // (event_groups.hpp); 4: its rows relative; 5: no index on the account (store.cpp, kSchema)
  static constexpr int kSchemaVersion = 5;
  // The journal on disk is bounded like the one in memory (core::Journal's default).
  static constexpr uint64_t kMaxEvents = 1'000'000;

  // Creates `dir` (and the database) if needed. Throws StoreError.
  static std::unique_ptr<Store> open(const std::string& dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Rows of `changes`, and the settings of `settings` when it is not null. The pointers in
  // `changes` point into the engine: call it under the lock that guards the engine.
  static StoreBatch prepare(const core::Changes& changes, const core::Engine* settings);
  // One transaction, a step at a time (server/batch_transaction.hpp; commit() does all of
  // them): finish() is the COMMIT, in the log but not yet durable (see sync()). apply() and
  // finish() throw StoreError.
  void apply(const StoreBatch& batch) override;
  void finish() override;
  void abort() override;
  // Makes every commit that has returned durable (fdatasync of the log). May run on another
  // thread while commit() runs: the writer goes on with the next commit meanwhile. Throws
  // StoreError.
  void sync();
  // commit() of prepare(changes, settings), then sync().
  void write(const core::Changes& changes, const core::Engine* settings);
  // Restores everything into a fresh engine: settings (when a snapshot exists; they replace
  // the engine's), then calls oldest first, notifications and the journal. Returns what it
  // loaded. Throws StoreError.
  StoreStats load(core::Engine& engine);
  bool has_settings();
  const std::string& path() const;
  // What the log's checkpointer has done (server/wal_checkpointer.hpp), for tests.
  WalCheckpointer::Stats checkpoint_stats() const;

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialtone::server
