#include "api/control/snapshot.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>

#include <cmath>
#include <regex>

#include "api/control_settings.hpp"
#include "api/json_writer.hpp"
#include "api/records_json.hpp"
#include "core/sid.hpp"
#include "core/world/world.hpp"

namespace dialtone::api {

namespace {

using Value = rapidjson::Value;

constexpr int64_t kMaxCallsPerSecond = 1000;  // as POST /_dialtone/limits takes it
constexpr size_t kMaxEventType = 64;

// ---------------------------------------------------------------- writing

void write_event(RecordWriter& w, const core::JournalEvent& e) {
  w.StartObject();
  put(w, "call_sid", e.call_sid.view());
  put(w, "type", e.type.str());
  put(w, "at_ms", e.at);
  put(w, "wall_ms", e.wall);
  // An object, in the event's order: the same shape GET /_dialtone/events shows.
  w.Key("fields");
  w.StartObject();
  for (const auto& [k, v] : e.fields) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
  w.EndObject();
}

template <class T, class Write>
void array(RecordWriter& w, const char* key, const std::vector<T>& items, Write write) {
  w.Key(key);
  w.StartArray();
  for (const auto& item : items) write(w, item);
  w.EndArray();
}

// ---------------------------------------------------------------- reading

// Each element of an array member, read with its own ObjectReader ("calls[2]").
template <class Fn>
void each(ObjectReader& r, const char* key, Fn&& fn) {
  const Value* v = r.get(key);
  if (!v) return;
  if (!v->IsArray()) {
    r.issue(key, "must be an array");
    return;
  }
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    fn((*v)[i], r.path(key) + "[" + std::to_string(i) + "]");
  }
}

void require(ObjectReader& r, const char* key) {
  if (!r.get(key)) r.issue(key, "is missing");
}

void require_sid(ObjectReader& r, const char* key, const std::string& value,
                 std::string_view prefix, bool optional = false) {
  if (optional && value.empty()) return;
  if (!core::is_sid(value, prefix)) {
    r.issue(key, "'" + value + "' is not a " + std::string(prefix) + " sid");
  }
}

// Records name their account: it must be the document's.
void require_account(ObjectReader& r, const std::string& value, const std::string& account) {
  if (value != account) {
    r.issue("account_sid", "'" + value + "' is not the document's account " + account);
  }
}

void read_clock(ObjectReader& r, core::ClockReading& clock) {
  clock.mode = r.str("mode");
  if (clock.mode != "manual" && clock.mode != "real") {
    r.issue("mode", "must be manual or real");
  }
  const Value* speed = r.get("speed");
  if (!speed || !speed->IsNumber() || !std::isfinite(speed->GetDouble()) ||
      speed->GetDouble() < kMinSpeed || speed->GetDouble() > kMaxSpeed) {
    r.issue("speed", "must be a number from 0.001 to 1000");
  } else {
    clock.speed = speed->GetDouble();
  }
  require(r, "now_ms");
  clock.now = r.time("now_ms");
  r.finish();
}

void read_sids(ObjectReader& r, core::AccountSnapshot& s) {
  const std::string seed = r.str("seed");
  auto parsed = core::parse_seed(seed);
  if (!parsed) r.issue("seed", "must be a whole number from 0 to 18446744073709551615, as a string");
  s.seed = parsed.value_or(0);
  s.sids_made = static_cast<uint64_t>(
      r.integer_in("made", 0, static_cast<int64_t>(core::kMaxSnapshotSidsMade), 0));
  r.finish();
}

void read_behaviors(ObjectReader& r, JsonIssues& issues, core::BehaviorTable& table) {
  if (const Value* d = r.get("default")) {
    ObjectReader b(*d, r.path("default"), issues);
    table.set_default(read_behavior(b));
  }
  each(r, "rules", [&](const Value& v, const std::string& path) {
    ObjectReader rule(v, path, issues);
    const std::string pattern = rule.str("pattern");
    core::Behavior behavior;
    if (const Value* b = rule.get("behavior")) {
      ObjectReader br(*b, rule.path("behavior"), issues);
      behavior = read_behavior(br);
    }
    rule.finish();
    if (pattern.empty()) return rule.issue("pattern", "is missing");
    try {
      table.add(pattern, std::move(behavior));
    } catch (const std::regex_error&) {
      rule.issue("pattern", "'" + pattern + "' is not a valid regular expression");
    }
  });
  r.finish();
}

bool valid_event_type(const std::string& type) {
  if (type.empty() || type.size() > kMaxEventType) return false;
  for (char c : type) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

core::JournalEvent read_event(ObjectReader& r) {
  core::JournalEvent e;
  const std::string call_sid = r.str("call_sid");
  require_sid(r, "call_sid", call_sid, "CA", /*optional=*/true);
  e.call_sid = call_sid;
  const std::string type = r.str("type");
  // Event types are interned for the life of the process: only names of their shape.
  if (!valid_event_type(type)) r.issue("type", "must be 1..64 of a-z 0-9 . _ -");
  e.type = type;
  require(r, "at_ms");
  e.at = r.time("at_ms");
  e.wall = r.time("wall_ms");
  core::Fields fields;
  if (const Value* f = r.get("fields")) {
    if (!f->IsObject()) {
      r.issue("fields", "must be an object of strings");
    } else {
      for (auto m = f->MemberBegin(); m != f->MemberEnd(); ++m) {
        const std::string name(m->name.GetString(), m->name.GetStringLength());
        if (!m->value.IsString()) {
          r.issue("fields", name + " must be a string");
          continue;
        }
        fields.emplace_back(name, std::string(m->value.GetString(), m->value.GetStringLength()));
      }
    }
  }
  e.fields = fields;
  r.finish();
  return e;
}

void read_document(ObjectReader& top, JsonIssues& issues, core::AccountSnapshot& s) {
  s.account_sid = top.str("account_sid");
  const std::string& account = s.account_sid;
  auto object = [&](const char* key, auto&& read) {
    const Value* v = top.get(key);
    if (!v) return top.issue(key, "is missing");
    ObjectReader r(*v, key, issues);
    read(r);
  };
  object("clock", [&](ObjectReader& r) { read_clock(r, s.clock); });
  object("sids", [&](ObjectReader& r) { read_sids(r, s); });
  object("limits", [&](ObjectReader& r) {
    s.calls_per_second =
        static_cast<int>(r.integer_in("calls_per_second", 0, kMaxCallsPerSecond, 0));
    s.next_dial_slot = r.time("next_dial_slot_ms");
    r.finish();
  });
  object("behaviors", [&](ObjectReader& r) { read_behaviors(r, issues, s.behaviors); });
  each(top, "numbers", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    core::PhoneNumber n = read_number(r);
    require_sid(r, "sid", n.sid, "PN");
    require_account(r, n.account_sid, account);
    if (n.phone_number.empty()) r.issue("phone_number", "is missing");
    s.numbers.push_back(std::move(n));
  });
  each(top, "queues", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    std::string name = r.str("name");
    std::string sid = r.str("sid");
    require_sid(r, "sid", sid, "QU");
    r.finish();
    s.queue_sids.emplace_back(std::move(name), std::move(sid));
  });
  each(top, "calls", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    require(r, "status");
    require(r, "direction");
    core::Call c = read_call(r);
    require_sid(r, "sid", c.sid, "CA");
    require_sid(r, "parent_call_sid", c.parent_call_sid, "CA", /*optional=*/true);
    require_account(r, c.account_sid, account);
    s.calls.push_back(std::move(c));
  });
  each(top, "notifications", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    core::Notification n = read_notification(r);
    require_sid(r, "sid", n.sid, "NO");
    require_sid(r, "call_sid", n.call_sid, "CA");
    require_account(r, n.account_sid, account);
    s.notifications.push_back(std::move(n));
  });
  each(top, "journal", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    s.journal.push_back(read_event(r));
  });
  top.finish();
}

core::TwilioError invalid(const std::string& message) {
  return core::TwilioError{400, 0, "Invalid snapshot: " + message, {}};
}

std::string replace_all(std::string_view text, const std::string& from, const std::string& to) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (size_t hit; (hit = text.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
    out.append(text.substr(pos, hit - pos));
    out += to;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

std::string snapshot_json(const core::AccountSnapshot& s) {
  rapidjson::StringBuffer buf;
  RecordWriter w(buf);
  w.StartObject();
  put(w, "dialtone_snapshot", int64_t{kSnapshotVersion});
  put(w, "account_sid", s.account_sid);
  w.Key("clock");
  w.StartObject();
  put(w, "mode", s.clock.mode);
  w.Key("speed");
  w.Double(s.clock.speed);
  put(w, "now_ms", s.clock.now);
  w.EndObject();
  // The seed as a string: a JavaScript number holds only 53 bits of it.
  w.Key("sids");
  w.StartObject();
  put(w, "seed", std::to_string(s.seed));
  put(w, "made", static_cast<int64_t>(s.sids_made));
  w.EndObject();
  w.Key("limits");
  w.StartObject();
  put(w, "calls_per_second", int64_t{s.calls_per_second});
  put(w, "next_dial_slot_ms", s.next_dial_slot);
  w.EndObject();
  w.Key("behaviors");
  w.StartObject();
  w.Key("default");
  write_behavior(w, s.behaviors.default_behavior());
  array(w, "rules", s.behaviors.rules(), [](RecordWriter& out, const core::BehaviorRule& rule) {
    out.StartObject();
    put(out, "pattern", rule.pattern);
    out.Key("behavior");
    write_behavior(out, rule.behavior);
    out.EndObject();
  });
  w.EndObject();
  array(w, "numbers", s.numbers, write_number);
  array(w, "queues", s.queue_sids, [](RecordWriter& out, const auto& q) {
    out.StartObject();
    put(out, "name", q.first);
    put(out, "sid", q.second);
    out.EndObject();
  });
  array(w, "calls", s.calls, write_call);
  array(w, "notifications", s.notifications, write_notification);
  array(w, "journal", s.journal, write_event);
  w.EndObject();

  // Written compact by the record writers, then laid out one member a line.
  rapidjson::Document doc;
  doc.Parse(buf.GetString(), buf.GetSize());
  rapidjson::StringBuffer pretty;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> pw(pretty);
  pw.SetIndent(' ', 2);
  doc.Accept(pw);
  return std::string(pretty.GetString(), pretty.GetSize()) + "\n";
}

core::Result<core::AccountSnapshot> parse_snapshot(std::string_view body,
                                                   const std::string& target_sid) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    return invalid("not JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                   rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return invalid("the document must be a JSON object");
  auto version = doc.FindMember("dialtone_snapshot");
  if (version == doc.MemberEnd()) {
    return invalid("dialtone_snapshot is missing: this is not a snapshot of "
                   "GET /_dialtone/accounts/{AccountSid}/snapshot");
  }
  if (!version->value.IsInt() || version->value.GetInt() != kSnapshotVersion) {
    return invalid("dialtone_snapshot: this dialtone reads version " +
                   std::to_string(kSnapshotVersion) + " only");
  }
  auto source = doc.FindMember("account_sid");
  if (source == doc.MemberEnd() || !source->value.IsString() ||
      !core::is_sid(source->value.GetString(), "AC")) {
    return invalid("account_sid must be the sid of the account the snapshot was taken of");
  }
  const std::string source_sid = source->value.GetString();
  if (source_sid != target_sid) {
    // The source account's sid, wherever it stands, becomes the target's.
    const std::string text = replace_all(body, source_sid, target_sid);
    doc.Parse(text.data(), text.size());
  }
  JsonIssues issues;
  core::AccountSnapshot s;
  ObjectReader top(doc, "", issues);
  (void)top.get("dialtone_snapshot");
  read_document(top, issues, s);
  s.account_sid = source_sid;  // the records are the target's now; the document names its source
  if (issues.any()) {
    std::string message = issues.first();
    if (issues.count() > 1) {
      message += " (and " + std::to_string(issues.count() - 1) + " more problem(s))";
    }
    return invalid(message);
  }
  return s;
}

std::string restored_json(const std::string& target_sid, const core::AccountSnapshot& loaded) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("restored", target_sid);
  w.member("from", loaded.account_sid);
  w.member_int("calls", static_cast<int64_t>(loaded.calls.size()));
  w.member_int("notifications", static_cast<int64_t>(loaded.notifications.size()));
  w.member_int("events", static_cast<int64_t>(loaded.journal.size()));
  w.member_int("numbers", static_cast<int64_t>(loaded.numbers.size()));
  w.EndObject();
  return buf;
}

}  // namespace dialtone::api
