#include "server/store.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>

namespace dialtone::server {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

// --- encoding ---

void put(Writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void put(Writer& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}
void put(Writer& w, const char* key, core::TimePoint t) {
  put(w, key, static_cast<int64_t>(t.time_since_epoch().count()));
}
void put(Writer& w, const char* key, const std::optional<int64_t>& v) {
  if (v) put(w, key, *v);  // absent = nullopt
}
void put(Writer& w, const char* key, const std::optional<core::TimePoint>& t) {
  if (t) put(w, key, *t);
}
void put(Writer& w, const char* key, const core::Webhook& h) {
  w.Key(key);
  w.StartObject();
  put(w, "url", h.url);
  put(w, "method", std::string(core::to_wire(h.method)));
  w.EndObject();
}

// --- decoding: missing or mistyped members read as defaults ---

std::string str(const Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}
std::optional<int64_t> opt_int(const Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}
int64_t num(const Value& o, const char* key) { return opt_int(o, key).value_or(0); }
core::TimePoint time_at(int64_t ms) { return core::TimePoint{core::Millis{ms}}; }
std::optional<core::TimePoint> opt_time(const Value& o, const char* key) {
  if (auto v = opt_int(o, key)) return time_at(*v);
  return std::nullopt;
}
core::HttpMethod method_of(const std::string& m) {
  return m == "GET" ? core::HttpMethod::kGet : core::HttpMethod::kPost;
}
core::Webhook hook(const Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsObject()) return {};
  return {str(it->value, "url"), method_of(str(it->value, "method"))};
}
std::vector<std::string> strings(const Value& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& v : it->value.GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

core::Direction direction_of(const std::string& d) {
  if (d == "inbound") return core::Direction::kInbound;
  if (d == "outbound-dial") return core::Direction::kOutboundDial;
  return core::Direction::kOutboundApi;
}

std::string call_json(const core::Call& c) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  put(w, "sid", c.sid);
  put(w, "account_sid", c.account_sid);
  put(w, "parent_call_sid", c.parent_call_sid);
  put(w, "to", c.to);
  put(w, "to_formatted", c.to_formatted);
  put(w, "from", c.from);
  put(w, "from_formatted", c.from_formatted);
  put(w, "phone_number_sid", c.phone_number_sid);
  put(w, "status", std::string(core::to_wire(c.status)));
  put(w, "direction", std::string(core::to_wire(c.direction)));
  put(w, "date_created", c.date_created);
  put(w, "date_updated", c.date_updated);
  put(w, "start_time", c.start_time);
  put(w, "end_time", c.end_time);
  put(w, "duration_s", c.duration_s);
  put(w, "queue_time_ms", c.queue_time_ms);
  put(w, "answered_by", c.answered_by);
  put(w, "forwarded_from", c.forwarded_from);
  put(w, "caller_name", c.caller_name);
  put(w, "price", c.price);
  put(w, "url", c.url);
  put(w, "twiml", c.twiml);
  put(w, "fallback", c.fallback);
  put(w, "status_callback", c.status_callback);
  put(w, "status_callback_events", int64_t{c.status_callback_events});
  put(w, "timeout_s", int64_t{c.timeout_s});
  put(w, "time_limit_s", c.time_limit_s);
  put(w, "send_digits", c.send_digits);
  w.Key("record");
  w.Bool(c.record);
  put(w, "machine_detection", c.machine_detection);
  put(w, "caller_id", c.caller_id);
  put(w, "callbacks_sent", int64_t{c.callbacks_sent});
  put(w, "callback_sequence", int64_t{c.callback_sequence});
  w.Key("child_sids");
  w.StartArray();
  for (const auto& s : c.child_sids) w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
  w.Key("deleted");
  w.Bool(c.deleted);
  w.EndObject();
  return buf.GetString();
}

core::Call call_from(const Value& o) {
  core::Call c;
  c.sid = str(o, "sid");
  c.account_sid = str(o, "account_sid");
  c.parent_call_sid = str(o, "parent_call_sid");
  c.to = str(o, "to");
  c.to_formatted = str(o, "to_formatted");
  c.from = str(o, "from");
  c.from_formatted = str(o, "from_formatted");
  c.phone_number_sid = str(o, "phone_number_sid");
  c.status = core::status_from_wire(str(o, "status")).value_or(core::CallStatus::kCompleted);
  c.direction = direction_of(str(o, "direction"));
  c.date_created = time_at(num(o, "date_created"));
  c.date_updated = time_at(num(o, "date_updated"));
  c.start_time = opt_time(o, "start_time");
  c.end_time = opt_time(o, "end_time");
  c.duration_s = opt_int(o, "duration_s");
  c.queue_time_ms = opt_int(o, "queue_time_ms");
  c.answered_by = str(o, "answered_by");
  c.forwarded_from = str(o, "forwarded_from");
  c.caller_name = str(o, "caller_name");
  c.price = str(o, "price");
  c.url = hook(o, "url");
  c.twiml = str(o, "twiml");
  c.fallback = hook(o, "fallback");
  c.status_callback = hook(o, "status_callback");
  c.status_callback_events = static_cast<uint8_t>(num(o, "status_callback_events"));
  c.timeout_s = static_cast<int>(num(o, "timeout_s"));
  c.time_limit_s = opt_int(o, "time_limit_s");
  c.send_digits = str(o, "send_digits");
  c.record = o.HasMember("record") && o["record"].IsBool() && o["record"].GetBool();
  c.machine_detection = str(o, "machine_detection");
  c.caller_id = str(o, "caller_id");
  c.callbacks_sent = static_cast<uint8_t>(num(o, "callbacks_sent"));
  c.callback_sequence = static_cast<int>(num(o, "callback_sequence"));
  c.child_sids = strings(o, "child_sids");
  c.deleted = o.HasMember("deleted") && o["deleted"].IsBool() && o["deleted"].GetBool();
  return c;
}

std::string notification_json(const core::Notification& n) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  put(w, "sid", n.sid);
  put(w, "account_sid", n.account_sid);
  put(w, "call_sid", n.call_sid);
  put(w, "error_code", int64_t{n.error_code});
  put(w, "log", int64_t{n.log});
  put(w, "date_created", n.date_created);
  put(w, "message_text", n.message_text);
  put(w, "request_method", n.request_method);
  put(w, "request_url", n.request_url);
  put(w, "request_variables", n.request_variables);
  put(w, "response_body", n.response_body);
  put(w, "response_headers", n.response_headers);
  w.EndObject();
  return buf.GetString();
}

core::Notification notification_from(const Value& o) {
  core::Notification n;
  n.sid = str(o, "sid");
  n.account_sid = str(o, "account_sid");
  n.call_sid = str(o, "call_sid");
  n.error_code = static_cast<int>(num(o, "error_code"));
  n.log = static_cast<int>(num(o, "log"));
  n.date_created = time_at(num(o, "date_created"));
  n.message_text = str(o, "message_text");
  n.request_method = str(o, "request_method");
  n.request_url = str(o, "request_url");
  n.request_variables = str(o, "request_variables");
  n.response_body = str(o, "response_body");
  n.response_headers = str(o, "response_headers");
  return n;
}

// An event's fields as [[name, value], ...]; the other members are columns.
template <class Pairs>
std::string fields_json(const Pairs& fields) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartArray();
  for (const auto& [k, v] : fields) {
    w.StartArray();
    w.String(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
  }
  w.EndArray();
  return buf.GetString();
}

core::Fields fields_from(const Value& a) {
  core::Fields out;
  if (!a.IsArray()) return out;
  for (const auto& pair : a.GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsString() || !pair[1].IsString()) {
      continue;
    }
    out.emplace_back(std::string(pair[0].GetString(), pair[0].GetStringLength()),
                     std::string(pair[1].GetString(), pair[1].GetStringLength()));
  }
  return out;
}

std::string_view outcome_wire(core::Outcome o) {
  switch (o) {
    case core::Outcome::kAnswer: return "answer";
    case core::Outcome::kBusy: return "busy";
    case core::Outcome::kNoAnswer: return "no-answer";
    case core::Outcome::kFail: return "fail";
  }
  return "answer";
}

core::Outcome outcome_of(const std::string& o) {
  if (o == "busy") return core::Outcome::kBusy;
  if (o == "no-answer") return core::Outcome::kNoAnswer;
  if (o == "fail") return core::Outcome::kFail;
  return core::Outcome::kAnswer;
}

void put_behavior(Writer& w, const core::Behavior& b) {
  w.StartObject();
  put(w, "outcome", std::string(outcome_wire(b.outcome)));
  put(w, "answer_after_s", int64_t{b.answer_after_s});
  put(w, "answered_by", b.answered_by);
  w.Key("gather_inputs");
  w.StartArray();
  for (const auto& g : b.gather_inputs) {
    w.String(g.data(), static_cast<rapidjson::SizeType>(g.size()));
  }
  w.EndArray();
  if (b.hangup_after_s) put(w, "hangup_after_s", int64_t{*b.hangup_after_s});
  put(w, "record_seconds", int64_t{b.record_seconds});
  w.EndObject();
}

core::Behavior behavior_from(const Value& o) {
  core::Behavior b;
  b.outcome = outcome_of(str(o, "outcome"));
  b.answer_after_s = static_cast<int>(num(o, "answer_after_s"));
  b.answered_by = str(o, "answered_by");
  b.gather_inputs = strings(o, "gather_inputs");
  if (auto h = opt_int(o, "hangup_after_s")) b.hangup_after_s = static_cast<int>(*h);
  b.record_seconds = static_cast<int>(num(o, "record_seconds"));
  return b;
}

// Accounts (with API keys), numbers and behaviours as one document.
std::string settings_json(const core::Engine& engine) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
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
    for (const core::PhoneNumber* n : world->numbers.of_account(sid)) {
      w.StartObject();
      put(w, "sid", n->sid);
      put(w, "account_sid", n->account_sid);
      put(w, "phone_number", n->phone_number);
      put(w, "voice_url", n->voice_url);
      put(w, "voice_fallback", n->voice_fallback);
      put(w, "status_callback", n->status_callback);
      w.EndObject();
    }
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
    put_behavior(w, world->behaviors.default_behavior());
    w.Key("behaviors");
    w.StartArray();
    for (const auto& rule : world->behaviors.rules()) {
      w.StartObject();
      put(w, "pattern", rule.pattern);
      w.Key("behavior");
      put_behavior(w, rule.behavior);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

// One world's callee rules, from a "worlds" entry (or the top level of a document written
// before worlds, which held the one table every account shared).
void apply_behaviors(const Value& o, core::BehaviorTable& table) {
  table.clear();
  if (auto it = o.FindMember("default_behavior"); it != o.MemberEnd() && it->value.IsObject()) {
    table.set_default(behavior_from(it->value));
  }
  if (auto it = o.FindMember("behaviors"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject() || !v.HasMember("behavior") || !v["behavior"].IsObject()) continue;
      try {
        table.add(str(v, "pattern"), behavior_from(v["behavior"]));
      } catch (const std::regex_error&) {
        // It compiled when it was added; a library change is the only way here. Skip it.
      }
    }
  }
}

void apply_settings(const Value& o, core::Engine& engine) {
  for (const auto& [sid, a] : std::map<std::string, core::Account>(engine.accounts().all())) {
    engine.accounts().erase(sid);
  }
  if (auto it = o.FindMember("accounts"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject()) continue;
      core::Account a;
      a.sid = str(v, "sid");
      a.auth_token = str(v, "auth_token");
      a.secondary_auth_token = str(v, "secondary_auth_token");  // absent before token rotation
      a.owner_account_sid = str(v, "owner_account_sid");
      a.friendly_name = str(v, "friendly_name");
      if (auto k = v.FindMember("api_keys"); k != v.MemberEnd() && k->value.IsArray()) {
        for (const auto& key : k->value.GetArray()) {
          if (key.IsObject()) a.api_keys.push_back({str(key, "sid"), str(key, "secret")});
        }
      }
      engine.accounts().put(std::move(a));
    }
  }
  engine.for_each_world([](core::World& w) { w.numbers.clear(); });
  if (auto it = o.FindMember("numbers"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject()) continue;
      core::PhoneNumber n;
      n.sid = str(v, "sid");
      n.account_sid = str(v, "account_sid");
      n.phone_number = str(v, "phone_number");
      n.voice_url = hook(v, "voice_url");
      n.voice_fallback = hook(v, "voice_fallback");
      n.status_callback = hook(v, "status_callback");
      engine.numbers(n.account_sid).put(std::move(n));
    }
  }
  if (auto it = o.FindMember("worlds"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject() || str(v, "sid").empty()) continue;
      const std::string sid = str(v, "sid");
      core::World& world = engine.world(sid);
      world.calls_per_second = static_cast<int>(num(v, "calls_per_second"));
      apply_behaviors(v, world.behaviors);
    }
  } else if (o.HasMember("default_behavior")) {
    // Written before each account had its own world: the one table was everyone's.
    for (const auto& [sid, a] : engine.accounts().all()) {
      if (sid == a.owner_account_sid) apply_behaviors(o, engine.world(sid).behaviors);
    }
  }
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
  sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS calls_account ON calls(account_sid);
CREATE TABLE IF NOT EXISTS notifications (
  sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL, call_sid TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_account ON notifications(account_sid);
CREATE INDEX IF NOT EXISTS notifications_call ON notifications(call_sid);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY, account_sid TEXT NOT NULL, call_sid TEXT NOT NULL,
  at_ms INTEGER NOT NULL, wall_ms INTEGER NOT NULL, type TEXT NOT NULL, fields TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_account ON events(account_sid);
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

  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
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
  std::unique_ptr<Stmt> upsert_call, delete_call, delete_call_notifications;
  std::unique_ptr<Stmt> insert_notification, insert_event, prune_events;
  std::unique_ptr<Stmt> delete_account_calls, delete_account_notifications,
      delete_account_events;
  std::unique_ptr<Stmt> put_settings;
  uint64_t writes_since_prune = 0;

  ~Impl() {
    // Statements first: sqlite3_close refuses while any is alive.
    begin.reset(); commit.reset(); rollback.reset();
    upsert_call.reset(); delete_call.reset(); delete_call_notifications.reset();
    insert_notification.reset(); insert_event.reset(); prune_events.reset();
    delete_account_calls.reset(); delete_account_notifications.reset();
    delete_account_events.reset(); put_settings.reset();
    if (db) sqlite3_close(db);
  }

  void prepare() {
    begin = std::make_unique<Stmt>(db, "BEGIN IMMEDIATE");
    commit = std::make_unique<Stmt>(db, "COMMIT");
    rollback = std::make_unique<Stmt>(db, "ROLLBACK");
    // ON CONFLICT keeps the row (and its rowid): rowid order stays creation order.
    upsert_call = std::make_unique<Stmt>(
        db, "INSERT INTO calls(sid, account_sid, body) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(sid) DO UPDATE SET body = excluded.body");
    delete_call = std::make_unique<Stmt>(db, "DELETE FROM calls WHERE sid = ?1");
    delete_call_notifications =
        std::make_unique<Stmt>(db, "DELETE FROM notifications WHERE call_sid = ?1");
    insert_notification = std::make_unique<Stmt>(
        db, "INSERT OR REPLACE INTO notifications(sid, account_sid, call_sid, body) "
            "VALUES(?1, ?2, ?3, ?4)");
    insert_event = std::make_unique<Stmt>(
        db, "INSERT OR REPLACE INTO events(seq, account_sid, call_sid, at_ms, wall_ms, type, "
            "fields) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    prune_events = std::make_unique<Stmt>(db, "DELETE FROM events WHERE seq <= ?1");
    delete_account_calls = std::make_unique<Stmt>(db, "DELETE FROM calls WHERE account_sid = ?1");
    delete_account_notifications =
        std::make_unique<Stmt>(db, "DELETE FROM notifications WHERE account_sid = ?1");
    delete_account_events =
        std::make_unique<Stmt>(db, "DELETE FROM events WHERE account_sid = ?1");
    put_settings = std::make_unique<Stmt>(
        db, "INSERT OR REPLACE INTO settings(id, body) VALUES(1, ?1)");
  }

  void check_version() {
    Stmt get(db, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (get.next()) {
      std::string v = get.text(0);
      get.next();
      if (v != std::to_string(kSchemaVersion)) {
        throw StoreError("schema version " + v + " is not the supported " +
                         std::to_string(kSchemaVersion));
      }
      return;
    }
    Stmt set(db, "INSERT INTO meta(key, value) VALUES('schema_version', ?1)");
    set.bind(1, std::to_string(kSchemaVersion)).run();
  }

  void write(const core::Changes& c, const core::Engine* settings) {
    if (c.reset_all) {
      exec(db, "DELETE FROM calls; DELETE FROM notifications; DELETE FROM events;");
    }
    for (const auto& account : c.reset_accounts) {
      delete_account_calls->bind(1, account).run();
      delete_account_notifications->bind(1, account).run();
      delete_account_events->bind(1, account).run();
    }
    for (const core::Call* call : c.calls) {
      upsert_call->bind(1, call->sid).bind(2, call->account_sid).bind(3, call_json(*call)).run();
    }
    for (const auto& sid : c.deleted) {
      delete_call->bind(1, sid).run();
      delete_call_notifications->bind(1, sid).run();
    }
    for (const core::Notification* n : c.notifications) {
      insert_notification->bind(1, n->sid)
          .bind(2, n->account_sid)
          .bind(3, n->call_sid)
          .bind(4, notification_json(*n))
          .run();
    }
    for (const core::JournalEvent* e : c.events) {
      insert_event->bind(1, static_cast<int64_t>(e->seq))
          .bind(2, e->account_sid)
          .bind(3, e->call_sid)
          .bind(4, static_cast<int64_t>(e->at.time_since_epoch().count()))
          .bind(5, static_cast<int64_t>(e->wall.time_since_epoch().count()))
          .bind(6, e->type)
          .bind(7, fields_json(e->fields))
          .run();
    }
    // Keep the journal on disk as bounded as the one in memory; a range delete on the
    // primary key, now and then.
    if (!c.events.empty() && ++writes_since_prune >= 1000) {
      writes_since_prune = 0;
      const uint64_t last = c.events.back()->seq;
      if (last > kMaxEvents) prune_events->bind(1, static_cast<int64_t>(last - kMaxEvents)).run();
    }
    if (settings) put_settings->bind(1, settings_json(*settings)).run();
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
  // One connection, used under the engine lock only: no SQLite-level mutex needed.
  int rc = sqlite3_open_v2(impl->path.c_str(), &impl->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = impl->db ? sqlite3_errmsg(impl->db) : "out of memory";
    throw StoreError("cannot open '" + impl->path + "': " + msg);
  }
  try {
    sqlite3_busy_timeout(impl->db, 5000);
    // WAL: a commit appends to the log; FULL: the log is fsync'ed at every commit, so a
    // transaction that returned survives a crash or power loss.
    exec(impl->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;");
    exec(impl->db, kSchema);
    impl->check_version();
    impl->prepare();
  } catch (const StoreError& e) {
    throw StoreError("'" + impl->path + "': " + e.what());
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

void Store::write(const core::Changes& changes, const core::Engine* settings) {
  if (changes.empty() && !settings) return;
  impl_->begin->run();
  try {
    impl_->write(changes, settings);
    impl_->commit->run();
  } catch (...) {
    try {
      impl_->rollback->run();
    } catch (const StoreError&) {
      // The transaction may already be gone (SQLite rolls back on some errors itself).
    }
    throw;
  }
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
    Stmt s(db, "SELECT body FROM calls ORDER BY rowid");
    while (s.next()) {
      engine.restore_call(call_from(parse(s.text(0), "call")));
      ++stats.calls;
    }
  }
  {
    Stmt s(db, "SELECT body FROM notifications ORDER BY rowid");
    while (s.next()) {
      engine.restore_notification(notification_from(parse(s.text(0), "notification")));
      ++stats.notifications;
    }
  }
  {
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
      e.fields = fields_from(d);
      engine.restore_event(e);
      ++stats.events;
    }
  }
  return stats;
}

const std::string& Store::path() const { return impl_->path; }

}  // namespace dialtone::server
