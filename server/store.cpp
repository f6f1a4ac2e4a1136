#include "server/store.hpp"

#include <rapidjson/document.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <filesystem>
#include <map>
#include <regex>

#include "api/records_json.hpp"
#include "server/call_rowids.hpp"
#include "server/event_groups.hpp"
#include "server/sqlite_page_cache.hpp"
#include "server/wal_checkpointer.hpp"
#include "server/wal_write_buffer.hpp"

namespace dialtone::server {

namespace {

using Writer = api::RecordWriter;
using Value = rapidjson::Value;
using api::put;

// What the store reads it wrote itself: a member that does not read (a file from an older
// dialtone) takes its default rather than stopping the start-up.
struct Lenient {
  api::JsonIssues ignored;
  api::ObjectReader of(const Value& v) { return api::ObjectReader(v, "", ignored); }
};

core::TimePoint time_at(int64_t ms) { return core::TimePoint{core::Millis{ms}}; }

// Rows hold only the members that are set (api/records_json.hpp: less to write and sync).
std::string call_json(const core::Call& c) {
  return api::record_json(c, &api::write_call, Writer::Members::kSet);
}
std::string notification_json(const core::Notification& n) {
  return api::record_json(n, &api::write_notification, Writer::Members::kSet);
}

// The journal line of a GET or HEAD (a fetch, a page of events): it records that something
// was read, not a change, so it is not kept on disk. Kept, it cost durable fetches a third of
// their throughput: one row written per read, on the cores the reads run on.
bool is_read(const core::JournalEvent& e) {
  if (e.type != "api.request") return false;
  const auto method = e.field("method");
  return method && (*method == "GET" || *method == "HEAD");
}

// Accounts (with API keys), numbers and behaviours as one document.
std::string settings_json(const core::Engine& engine) {
  std::string out;
  Writer w(out);
  w.StartObject();
  w.Key("accounts");
  w.StartArray();
  for (const auto& [sid, a] : engine.accounts().all()) {
    w.StartObject();
    put(w, "sid", a.sid);
    put(w, "auth_token", a.auth_token);
    put(w, "secondary_auth_token", a.secondary_auth_token);
    put(w, "owner_account_sid", a.owner_account_sid);
    put(w, "friendly_name", a.friendly_name);
    w.Key("api_keys");
    w.StartArray();
    for (const auto& k : a.api_keys) {
      w.StartObject();
      put(w, "sid", k.sid);
      put(w, "secret", k.secret);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("numbers");
  w.StartArray();
  for (const auto& [sid, a] : engine.accounts().all()) {
    const core::World* world = engine.find_world(sid);
    if (!world) continue;
    for (const core::PhoneNumber* n : world->numbers.of_account(sid)) api::write_number(w, *n);
  }
  w.EndArray();
  // Each root account's world: its scripted callees and limit. The clock is not kept: a
  // restart starts each world's clock where its journal left off.
  w.Key("worlds");
  w.StartArray();
  for (const auto& [sid, a] : engine.accounts().all()) {
    const core::World* world = sid == a.owner_account_sid ? engine.find_world(sid) : nullptr;
    if (!world) continue;
    w.StartObject();
    put(w, "sid", sid);
    w.Key("calls_per_second");
    w.Int(world->calls_per_second);
    w.Key("default_behavior");
    api::write_behavior(w, world->behaviors.default_behavior());
    w.Key("behaviors");
    w.StartArray();
    for (const auto& rule : world->behaviors.rules()) {
      w.StartObject();
      put(w, "pattern", rule.pattern);
      w.Key("behavior");
      api::write_behavior(w, rule.behavior);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

// One world's callee rules, from a "worlds" entry (or the top level of a document written
// before worlds, which held the one table every account shared).
void apply_behaviors(const Value& o, core::BehaviorTable& table) {
  Lenient lenient;
  table.clear();
  if (auto it = o.FindMember("default_behavior"); it != o.MemberEnd() && it->value.IsObject()) {
    auto r = lenient.of(it->value);
    table.set_default(api::read_behavior(r));
  }
  if (auto it = o.FindMember("behaviors"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject() || !v.HasMember("behavior") || !v["behavior"].IsObject()) continue;
      auto rule = lenient.of(v);
      auto behavior = lenient.of(v["behavior"]);
      try {
        table.add(rule.str("pattern"), api::read_behavior(behavior));
      } catch (const std::regex_error&) {
        // It compiled when it was added; a library change is the only way here. Skip it.
      }
    }
  }
}

void apply_settings(const Value& o, core::Engine& engine) {
  Lenient lenient;
  for (const auto& [sid, a] : core::AccountStore::AccountMap(engine.accounts().all())) {
    engine.accounts().erase(sid);
  }
  if (auto it = o.FindMember("accounts"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject()) continue;
      auto r = lenient.of(v);
      core::Account a;
      a.sid = r.str("sid");
      a.auth_token = r.str("auth_token");
      a.secondary_auth_token = r.str("secondary_auth_token");  // absent before token rotation
      a.owner_account_sid = r.str("owner_account_sid");
      a.friendly_name = r.str("friendly_name");
      if (auto k = v.FindMember("api_keys"); k != v.MemberEnd() && k->value.IsArray()) {
        for (const auto& key : k->value.GetArray()) {
          if (!key.IsObject()) continue;
          auto kr = lenient.of(key);
          a.api_keys.push_back({kr.str("sid"), kr.str("secret")});
        }
      }
      engine.accounts().put(std::move(a));
    }
  }
  engine.for_each_world([](core::World& w) { w.numbers.clear(); });
  if (auto it = o.FindMember("numbers"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject()) continue;
      auto r = lenient.of(v);
      core::PhoneNumber n = api::read_number(r);
      engine.numbers(n.account_sid).put(std::move(n));
    }
  }
  if (auto it = o.FindMember("worlds"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject()) continue;
      auto r = lenient.of(v);
      const std::string sid = r.str("sid");
      if (sid.empty()) continue;
      core::World& world = engine.world(sid);
      world.calls_per_second = static_cast<int>(r.integer("calls_per_second"));
      apply_behaviors(v, world.behaviors);
    }
  } else if (o.HasMember("default_behavior")) {
    // Written before each account had its own world: the one table was everyone's.
    for (const auto& [sid, a] : engine.accounts().all()) {
      if (sid == a.owner_account_sid) apply_behaviors(o, engine.world(sid).behaviors);
    }
  }
}

// Neither calls nor event_groups has an index on the account, though an account's reset
// deletes by it: each took an entry of every commit of new calls, a page or more of the log
// each time (bench/RESULTS.md, twenty-fifth session). The writer knows an account's call rows
// (call_rowids.hpp); its journal rows are marked dead instead (journal_resets: every row of
// the account up to that first_seq), skipped by load() and deleted by the journal's prune.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
  sid TEXT NOT NULL, account_sid TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
  sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL, call_sid TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_account ON notifications(account_sid);
CREATE INDEX IF NOT EXISTS notifications_call ON notifications(call_sid);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY, account_sid TEXT NOT NULL, call_sid TEXT NOT NULL,
  at_ms INTEGER NOT NULL, wall_ms INTEGER NOT NULL, type TEXT NOT NULL, fields TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_account ON events(account_sid);
CREATE TABLE IF NOT EXISTS event_groups (
  first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, account_sid TEXT NOT NULL,
  events TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal_resets (
  account_sid TEXT PRIMARY KEY, through_first_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
)sql";

// A prepared statement, reset after every use.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK) {
      throw StoreError(std::string("prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Not copied (SQLITE_STATIC): every caller binds and run()s in one expression, and run()
  // clears the bindings, so the text outlives its use. A call's document is ~1 KB a change.
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // Runs a statement without rows.
  void run() {
    int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (rc != SQLITE_DONE) throw StoreError(std::string("write: ") + sqlite3_errmsg(db_));
  }
  // Steps through rows; false at the end (and resets).
  bool next() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (rc != SQLITE_DONE) throw StoreError(std::string("read: ") + sqlite3_errmsg(db_));
    return false;
  }
  std::string text(int col) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw StoreError(msg);
  }
}

rapidjson::Document parse(const std::string& text, const char* what) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) throw StoreError(std::string("corrupt ") + what);
  return d;
}

}  // namespace

struct Store::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::unique_ptr<Stmt> begin, commit, rollback;
  std::unique_ptr<Stmt> insert_call, update_call, delete_call, delete_call_notifications;
  std::unique_ptr<Stmt> delete_account_call;
  std::unique_ptr<Stmt> insert_notification, insert_event_group, prune_events,
      prune_event_groups;
  std::unique_ptr<Stmt> delete_account_notifications, delete_account_events, put_journal_reset,
      prune_journal_resets;
  std::unique_ptr<Stmt> put_settings;
  int64_t pruned_through = 0;  // the journal's events up to it are deleted (prune)
  EventGroups pending_events;   // the transaction's, written by finish()
  CallRowids rowids;
  // The map is not known: from open until load() has read the calls (so start-up reads them
  // once), or after a failed commit whose reload failed too. apply() reads it first.
  bool rowids_stale = true;
  bool in_transaction = false;  // apply() began one that finish() or abort() has not ended
  int64_t transaction_last_seq = 0;  // of its events (0: none)
  int log_pages = 0;  // in the write-ahead log after the last commit (wal_hook)
  int wal_fd = -1;  // the log, sync()'s own descriptor (sync() runs beside the writer)
  std::unique_ptr<WalCheckpointer> checkpointer;

  static int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
    static_cast<Impl*>(self)->log_pages = pages;
    return SQLITE_OK;
  }

  ~Impl() {
    if (wal_fd >= 0) ::close(wal_fd);
    // Its connection first: the writer's close, the last one, copies the log and removes it.
    checkpointer.reset();
    // Statements first: sqlite3_close refuses while any is alive.
    begin.reset(); commit.reset(); rollback.reset();
    insert_call.reset(); update_call.reset(); delete_call.reset();
    delete_call_notifications.reset(); delete_account_call.reset();
    insert_notification.reset(); insert_event_group.reset(); prune_events.reset();
    prune_event_groups.reset(); delete_account_notifications.reset();
    delete_account_events.reset(); put_journal_reset.reset(); prune_journal_resets.reset();
    put_settings.reset();
    if (db) sqlite3_close(db);
  }

  void prepare() {
    begin = std::make_unique<Stmt>(db, "BEGIN IMMEDIATE");
    commit = std::make_unique<Stmt>(db, "COMMIT");
    rollback = std::make_unique<Stmt>(db, "ROLLBACK");
    // By rowid (call_rowids.hpp): an update keeps the row, so rowid order stays creation order.
    insert_call = std::make_unique<Stmt>(
        db, "INSERT INTO calls(sid, account_sid, body) VALUES(?1, ?2, ?3)");
    update_call = std::make_unique<Stmt>(db, "UPDATE calls SET body = ?2 WHERE rowid = ?1");
    delete_call = std::make_unique<Stmt>(db, "DELETE FROM calls WHERE rowid = ?1");
    // A rowid of the account's list may have gone to another account's call since.
    delete_account_call = std::make_unique<Stmt>(
        db, "DELETE FROM calls WHERE rowid = ?1 AND account_sid = ?2 RETURNING sid");
    delete_call_notifications =
        std::make_unique<Stmt>(db, "DELETE FROM notifications WHERE call_sid = ?1");
    insert_notification = std::make_unique<Stmt>(
        db, "INSERT OR REPLACE INTO notifications(sid, account_sid, call_sid, body) "
            "VALUES(?1, ?2, ?3, ?4)");
    insert_event_group = std::make_unique<Stmt>(
        db, "INSERT OR REPLACE INTO event_groups(first_seq, last_seq, account_sid, events) "
            "VALUES(?1, ?2, ?3, ?4)");
    // The table `events` (a row per event) is what schema 2 wrote: read, pruned and reset,
    // no longer written.
    prune_events = std::make_unique<Stmt>(db, "DELETE FROM events WHERE seq <= ?1");
    prune_event_groups = std::make_unique<Stmt>(db, kPruneEventGroups);
    delete_account_notifications =
        std::make_unique<Stmt>(db, "DELETE FROM notifications WHERE account_sid = ?1");
    delete_account_events =
        std::make_unique<Stmt>(db, "DELETE FROM events WHERE account_sid = ?1");
    // Every row of the journal on disk is dead for the account: this transaction's rows come
    // later (finish() writes them, drop_account() has left the account's out). The primary
    // key's maximum is one step down the tree.
    put_journal_reset = std::make_unique<Stmt>(
        db, "INSERT OR REPLACE INTO journal_resets(account_sid, through_first_seq) "
            "SELECT ?1, coalesce(max(first_seq), 0) FROM event_groups");
    // A mark goes when no row it names is left (a prune takes rows whole, so a dead row can
    // outlive the bound by a few events).
    prune_journal_resets = std::make_unique<Stmt>(
        db, "DELETE FROM journal_resets WHERE through_first_seq < "
            "coalesce((SELECT min(first_seq) FROM event_groups), 9223372036854775807)");
    put_settings = std::make_unique<Stmt>(
        db, "INSERT OR REPLACE INTO settings(id, body) VALUES(1, ?1)");
  }

  void check_version() {
    Stmt get(db, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (get.next()) {
      std::string v = get.text(0);
      get.next();
      if (v == "1") {
        migrate_from_1();
        v = "2";
      }
      // 2 -> 3: event_groups is new (kSchema made it); `events` stays, read-only. 3 -> 4:
      // rows of event_groups written from now on are relative (event_groups.hpp); the rows
      // already there are read as they are. 4 -> 5: the indexes on the account go (see
      // kSchema; journal_resets is new, kSchema made it).
      if (v == "2" || v == "3" || v == "4") {
        exec(db,
             "BEGIN IMMEDIATE; "
             "DROP INDEX IF EXISTS calls_account; DROP INDEX IF EXISTS event_groups_account; "
             "UPDATE meta SET value = '5' WHERE key = 'schema_version'; "
             "COMMIT;");
        return;
      }
      if (v != std::to_string(kSchemaVersion)) {
        throw StoreError("schema version " + v + " is not the supported " +
                         std::to_string(kSchemaVersion));
      }
      return;
    }
    Stmt set(db, "INSERT INTO meta(key, value) VALUES('schema_version', ?1)");
    set.bind(1, std::to_string(kSchemaVersion)).run();
  }

  // Version 1 had a unique index on calls(sid) (see call_rowids.hpp): the table is copied
  // without it, rowids kept.
  void migrate_from_1() {
    exec(db,
         "BEGIN IMMEDIATE; "
         "CREATE TABLE calls_v2 (sid TEXT NOT NULL, account_sid TEXT NOT NULL, body TEXT NOT NULL); "
         "INSERT INTO calls_v2(rowid, sid, account_sid, body) "
         "  SELECT rowid, sid, account_sid, body FROM calls ORDER BY rowid; "
         "DROP TABLE calls; "
         "ALTER TABLE calls_v2 RENAME TO calls; "
         "UPDATE meta SET value = '2' WHERE key = 'schema_version'; "
         "COMMIT;");
  }

  // The rowid of every call, from the table: at start, and after a rolled-back commit (which
  // may have put rowids of rows that are not there).
  void load_rowids() {
    rowids.clear();
    Stmt s(db, "SELECT rowid, sid, account_sid FROM calls");
    while (s.next()) rowids.put(s.text(1), s.integer(0), s.text(2));
  }

  void apply(const StoreBatch& b) {
    if (b.reset_all) {
      exec(db,
           "DELETE FROM calls; DELETE FROM notifications; DELETE FROM events; "
           "DELETE FROM event_groups; DELETE FROM journal_resets;");
      rowids.clear();
      pending_events.clear();
    }
    for (const auto& account : b.reset_accounts) {
      for (const int64_t rowid : rowids.take_account_rows(account)) {
        delete_account_call->bind(1, rowid).bind(2, account);
        while (delete_account_call->next()) rowids.erase(delete_account_call->text(0));
      }
      delete_account_notifications->bind(1, account).run();
      delete_account_events->bind(1, account).run();
      put_journal_reset->bind(1, account).run();
      pending_events.drop_account(account);
    }
    for (const auto& call : b.calls) {
      const std::string body = call_json(call);
      if (auto rowid = rowids.find(call.sid)) {
        update_call->bind(1, *rowid).bind(2, body).run();
      } else {
        insert_call->bind(1, call.sid).bind(2, call.account_sid).bind(3, body).run();
        rowids.put(call.sid, sqlite3_last_insert_rowid(db), call.account_sid);
      }
    }
    for (const auto& sid : b.deleted) {
      if (auto rowid = rowids.find(sid)) {
        delete_call->bind(1, *rowid).run();
        rowids.erase(sid);
      }
      delete_call_notifications->bind(1, sid).run();
    }
    for (const auto& n : b.notifications) {
      const std::string body = notification_json(n);
      insert_notification->bind(1, n.sid)
          .bind(2, n.account_sid)
          .bind(3, n.call_sid)
          .bind(4, body)
          .run();
    }
    for (const auto& e : b.events) pending_events.add(e);
    if (b.settings) put_settings->bind(1, *b.settings).run();
  }

  // fdatasync of the log, through a descriptor of its own, opened at the first sync that
  // finds the log. SQLite removes the log only when its last connection closes, and this
  // store's connection is open as long as the store: the file stays the same one.
  void sync_wal() {
    if (wal_fd < 0) {
      const std::string wal = path + "-wal";
      wal_fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
      if (wal_fd < 0) {
        // No log yet: nothing has been committed to it.
        if (errno == ENOENT) return;
        throw StoreError("sync: cannot open the log: " + std::string(std::strerror(errno)));
      }
      // A new file's name is in its directory: that must survive a power loss too.
      const std::string dir = std::filesystem::path(path).parent_path().string();
      const int dir_fd =
          ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
      }
    }
    if (::fdatasync(wal_fd) != 0) {
      throw StoreError("sync: " + std::string(std::strerror(errno)));
    }
  }

  // Keeps the journal on disk as bounded as the one in memory: a range delete on the primary
  // key once kPruneChunk events are past the bound. Small and often: pruned every 1000
  // commits, the delete held tens of thousands of rows, and under load every commit behind it
  // waited (durable p99 5 ms before the journal reached its bound, 30-38 ms after).
  static constexpr int64_t kPruneChunk = 256;
  // A group that straddles the bound stays whole until its last event is past it: a restart
  // may read a few events more than the bound, and the journal keeps its own.
  void prune(int64_t last_seq) {
    const int64_t through = last_seq - static_cast<int64_t>(kMaxEvents);
    if (through - pruned_through < kPruneChunk) return;
    prune_events->bind(1, through).run();
    prune_event_groups->bind(1, through).run();
    prune_journal_resets->run();
    pruned_through = through;
  }

  // The transaction's events, a row per account.
  void write_events() {
    if (pending_events.empty()) return;
    for (const auto& g : pending_events.close()) {
      insert_event_group->bind(1, g.first_seq)
          .bind(2, g.last_seq)
          .bind(3, g.account_sid)
          .bind(4, g.json)
          .run();
    }
    pending_events.clear();
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StoreError("cannot create directory '" + dir + "': " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->path = (std::filesystem::path(dir) / "dialtone.db").string();
  // Before anything starts SQLite (registering the VFS does): sqlite_page_cache.hpp.
  install_sqlite_page_cache();
  // One connection, used by one thread at a time: no SQLite-level mutex needed. Its log's
  // writes go out one per commit (wal_write_buffer.hpp).
  int rc = sqlite3_open_v2(impl->path.c_str(), &impl->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           wal_write_buffer_vfs());
  if (rc != SQLITE_OK) {
    std::string msg = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
    throw StoreError("cannot open '" + impl->path + "': " + msg);
  }
  try {
    sqlite3_busy_timeout(impl->db, 5000);
    // WAL: a commit appends to the log. NORMAL: SQLite syncs the log only at checkpoints
    // (before it copies pages out of it) and when it starts the log over, which keeps the file
    // consistent; a commit is made durable by sync(), after it returns (see the top).
    // A page cache of 32 MiB (not 2): updates and the indexes touch pages all over the file,
    // and a page read back from it is a system call, dear on a VM.
    exec(impl->db,
         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; "
         "PRAGMA cache_size=-32768;");
    exec(impl->db, kSchema);
    impl->check_version();
    impl->prepare();
    // Checkpoints off the commit path (wal_checkpointer.hpp); the hook replaces SQLite's own.
    sqlite3_wal_hook(impl->db, &Impl::on_wal_commit, impl.get());
    try {
      impl->checkpointer = std::make_unique<WalCheckpointer>(impl->path, impl->db);
    } catch (const std::runtime_error& e) {
      throw StoreError(e.what());
    }
  } catch (const StoreError& e) {
    throw StoreError("'" + impl->path + "': " + e.what());
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

StoreBatch Store::prepare(const core::Changes& c, const core::Engine* settings) {
  StoreBatch b;
  b.reset_all = c.reset_all;
  b.reset_accounts = c.reset_accounts;
  b.calls.reserve(c.calls.size());
  for (const core::Call* call : c.calls) b.calls.push_back(*call);
  b.deleted = c.deleted;
  for (const core::Notification* n : c.notifications) b.notifications.push_back(*n);
  // A read's batch holds its journal line alone, which is not kept: no allocation for it.
  const auto kept = std::count_if(c.events.begin(), c.events.end(),
                                  [](const core::JournalEvent* e) { return !is_read(*e); });
  if (kept > 0) b.events.reserve(static_cast<size_t>(kept));
  for (const core::JournalEvent* e : c.events) {
    if (!is_read(*e)) b.events.push_back(*e);
  }
  if (settings) b.settings = settings_json(*settings);
  return b;
}

void Store::apply(const StoreBatch& b) {
  if (b.empty()) return;
  if (!impl_->in_transaction) {
    if (impl_->rowids_stale) {
      impl_->load_rowids();
      impl_->rowids_stale = false;
    }
    impl_->begin->run();
    impl_->in_transaction = true;
    impl_->pending_events.clear();
    impl_->transaction_last_seq = 0;
  }
  impl_->apply(b);
  if (!b.events.empty()) {
    impl_->transaction_last_seq = static_cast<int64_t>(b.events.back().seq);
  }
}

void Store::finish() {
  if (!impl_->in_transaction) return;
  impl_->write_events();
  if (impl_->transaction_last_seq != 0) impl_->prune(impl_->transaction_last_seq);
  impl_->commit->run();
  impl_->in_transaction = false;
  impl_->checkpointer->after_commit(impl_->log_pages);
}

void Store::abort() {
  impl_->pending_events.clear();
  // No transaction began (BEGIN failed, or reading the rowids before it did): the map is as
  // it was. Reloading it anyway read every call's row at each retry of a full disk.
  if (!impl_->in_transaction) return;
  impl_->in_transaction = false;
  try {
    impl_->rollback->run();
  } catch (const StoreError&) {
    // The transaction may already be gone (SQLite rolls back on some errors itself).
  }
  try {
    impl_->load_rowids();  // the rolled-back inserts' rowids are gone
  } catch (const StoreError&) {
    // The disk that failed the commit fails the read too: the next transaction tries again,
    // and its failure comes back the same way.
    impl_->rowids_stale = true;
  }
}

WalCheckpointer::Stats Store::checkpoint_stats() const { return impl_->checkpointer->stats(); }

void Store::sync() { impl_->sync_wal(); }

void Store::write(const core::Changes& changes, const core::Engine* settings) {
  commit({prepare(changes, settings)});
  sync();
}

bool Store::has_settings() {
  Stmt s(impl_->db, "SELECT 1 FROM settings WHERE id = 1");
  bool found = s.next();
  if (found) s.next();
  return found;
}

StoreStats Store::load(core::Engine& engine) {
  StoreStats stats;
  sqlite3* db = impl_->db;
  {
    Stmt s(db, "SELECT body FROM settings WHERE id = 1");
    if (s.next()) {
      auto d = parse(s.text(0), "settings");
      apply_settings(d, engine);
      s.next();
    }
  }
  {
    impl_->rowids.clear();
    Stmt s(db, "SELECT rowid, sid, body, account_sid FROM calls ORDER BY rowid");
    while (s.next()) {
      impl_->rowids.put(s.text(1), s.integer(0), s.text(3));
      Lenient lenient;
      const auto d = parse(s.text(2), "call");
      auto r = lenient.of(d);
      engine.restore_call(api::read_call(r));
      ++stats.calls;
    }
    impl_->rowids_stale = false;  // every row has been read
  }
  {
    Stmt s(db, "SELECT body FROM notifications ORDER BY rowid");
    while (s.next()) {
      Lenient lenient;
      const auto d = parse(s.text(0), "notification");
      auto r = lenient.of(d);
      engine.restore_notification(api::read_notification(r));
      ++stats.notifications;
    }
  }
  {
    // Written by schema 2; every one of them is older than any group.
    Stmt s(db, "SELECT seq, account_sid, call_sid, at_ms, wall_ms, type, fields FROM events "
               "ORDER BY seq");
    while (s.next()) {
      core::JournalEvent e;
      e.seq = static_cast<uint64_t>(s.integer(0));
      e.account_sid = s.text(1);
      e.call_sid = s.text(2);
      e.at = time_at(s.integer(3));
      e.wall = time_at(s.integer(4));
      e.type = s.text(5);
      rapidjson::Document d;
      const std::string fields = s.text(6);
      d.Parse(fields.data(), fields.size());
      if (d.HasParseError()) throw StoreError("corrupt journal event " + std::to_string(e.seq));
      e.fields = event_fields_from(d);
      engine.restore_event(e);
      ++stats.events;
    }
  }
  {
    std::map<std::string, int64_t, std::less<>> dead_through;  // journal_resets
    {
      Stmt r(db, "SELECT account_sid, through_first_seq FROM journal_resets");
      while (r.next()) dead_through[r.text(0)] = r.integer(1);
    }
    Stmt s(db, "SELECT first_seq, account_sid, events FROM event_groups ORDER BY first_seq");
    EventGroupMerger merger;
    auto restore = [&](core::JournalEvent&& e) {
      engine.restore_event(e);
      ++stats.events;
    };
    while (s.next()) {
      const std::string account = s.text(1);
      if (auto dead = dead_through.find(account);
          dead != dead_through.end() && s.integer(0) <= dead->second) {
        continue;
      }
      if (!merger.add_row(s.integer(0), account, s.text(2))) {
        throw StoreError("corrupt journal events from " + std::to_string(s.integer(0)));
      }
      merger.drain(restore, false);
    }
    merger.drain(restore, true);
  }
  return stats;
}

const std::string& Store::path() const { return impl_->path; }

}  // namespace dialtone::server
