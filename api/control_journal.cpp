#include "api/control_journal.hpp"

#include <algorithm>
#include <charconv>

#include "api/control_calls.hpp"
#include "api/control_request.hpp"
#include "api/errors.hpp"
#include "api/json_writer.hpp"

namespace dialtone::api {

namespace {

bool type_matches(std::string_view type, std::string_view prefix) {
  if (!type.starts_with(prefix)) return false;
  // "webhook" matches "webhook.request" but "web" does not match "webhook".
  return type.size() == prefix.size() || type[prefix.size()] == '.' || prefix.ends_with('.');
}

bool in_scope(const core::JournalEvent& e, const EventQuery& q) {
  if (e.seq <= q.since) return false;
  if (!q.call_sid.empty() && e.call_sid != q.call_sid) return false;
  if (!q.account_sid.empty() && e.account_sid != q.account_sid) return false;
  return true;
}

bool type_selected(const core::JournalEvent& e, const EventQuery& q) {
  if (q.types.empty()) return true;
  for (const auto& t : q.types) {
    if (type_matches(e.type, t)) return true;
  }
  return false;
}

bool satisfies(const core::JournalEvent& e, const WaitCondition& c) {
  if (!type_matches(e.type, c.type)) return false;
  if (c.field.empty()) return true;
  const auto v = e.field(c.field);
  return v && *v == c.value;
}

// The first event with seq > `after` (the journal is in seq order).
std::deque<core::JournalEvent>::const_iterator first_after(const core::Journal& j,
                                                           uint64_t after) {
  return std::partition_point(j.events().begin(), j.events().end(),
                              [after](const core::JournalEvent& e) { return e.seq <= after; });
}

void write_event(JsonWriter& w, const core::JournalEvent& e) {
  w.StartObject();
  w.Key("seq");
  w.Uint64(e.seq);
  w.member("account_sid", e.account_sid);
  w.member_or_null("call_sid", e.call_sid);
  w.member("type", e.type);
  w.member("at", core::format_rfc2822(e.at));
  w.member_int("at_ms", e.at.time_since_epoch().count());
  w.member("wall", format_iso_ms(e.wall));
  w.Key("fields");
  w.StartObject();
  for (const auto& [k, v] : e.fields) w.member(k, v);
  w.EndObject();
  w.EndObject();
}

}  // namespace

std::string event_json(const core::JournalEvent& event) {
  std::string buf;
  JsonWriter w(buf);
  write_event(w, event);
  return buf;
}

core::Result<WaitCondition> parse_wait_for(std::string_view text) {
  WaitCondition c;
  c.text = std::string(text);
  auto bad = [&] {
    return core::TwilioError{400, 0,
                             "wait_for '" + std::string(text) +
                                 "' is not status:STATUS, an event type, or type:field=value",
                             {}};
  };
  if (text.empty()) return bad();
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    c.type = std::string(text);
    return c;
  }
  c.type = std::string(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 1);
  if (c.type.empty() || rest.empty()) return bad();
  const size_t eq = rest.find('=');
  if (eq == std::string_view::npos) {
    if (c.type != "status") return bad();
    if (!core::status_from_wire(rest)) {
      return core::TwilioError{400, 0, "wait_for: '" + std::string(rest) +
                                           "' is not a call status", {}};
    }
    c.field = "status";
    c.value = std::string(rest);
    c.call_status = true;
    return c;
  }
  c.field = std::string(rest.substr(0, eq));
  c.value = std::string(rest.substr(eq + 1));
  if (c.field.empty()) return bad();
  return c;
}

core::Result<EventQuery> parse_event_query(const FormFields& p, std::string call_sid) {
  EventQuery q;
  q.call_sid = std::move(call_sid);
  if (q.call_sid.empty()) {
    if (const std::string* c = p.get("call_sid")) q.call_sid = *c;
  }
  // AccountSid, as every control route takes it; account_sid, as this route always has.
  if (const std::string* a = p.get("AccountSid")) q.account_sid = *a;
  if (const std::string* a = p.get("account_sid")) q.account_sid = *a;
  for (auto t : p.get_all("type")) {
    if (t.empty()) return core::TwilioError{400, 0, "type must not be empty", {}};
    q.types.emplace_back(t);
  }
  if (const std::string* s = p.get("since")) {
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), q.since);
    if (ec != std::errc() || end != s->data() + s->size()) {
      return core::TwilioError{400, 0, "since must be an event seq (0, 1, ...), got '" + *s + "'",
                               {}};
    }
  }
  if (const std::string* w = p.get("wait_for")) {
    auto c = parse_wait_for(*w);
    if (!c) return c.error();
    q.wait_for = *c;
  }
  if (const std::string* t = p.get("timeout")) {
    if (!q.wait_for) return core::TwilioError{400, 0, "timeout needs wait_for", {}};
    if (!parse_seconds(*t, static_cast<double>(kMaxWaitMs) / 1000.0, q.timeout_ms)) {
      return core::TwilioError{400, 0, "timeout must be seconds 0..60, got '" + *t + "'", {}};
    }
  }
  return q;
}

Response events_response(const core::Engine& engine, const EventQuery& q) {
  const core::Journal& j = engine.journal();
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("events");
  w.StartArray();
  for (auto it = first_after(j, q.since); it != j.events().end(); ++it) {
    if (in_scope(*it, q) && type_selected(*it, q)) write_event(w, *it);
  }
  w.EndArray();
  w.Key("last_seq");
  w.Uint64(j.last_seq());
  w.EndObject();
  return control_json(200, std::move(buf));
}

Response wait_timeout_response(const core::Engine& engine, const EventQuery& q) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("message", "timed out waiting for " + (q.wait_for ? q.wait_for->text : ""));
  w.member_int("status", 408);
  w.Key("last_seq");
  w.Uint64(engine.journal().last_seq());
  w.EndObject();
  return control_json(408, std::move(buf));
}

bool JournalWait::holds(const core::Engine& engine) {
  if (!query_.wait_for) return true;
  const WaitCondition& c = *query_.wait_for;
  if (c.call_status && !query_.call_sid.empty()) {
    const core::Call* call = find_any_call(engine, query_.call_sid);
    return call && core::to_wire(call->status) == c.value;
  }
  const core::Journal& j = engine.journal();
  for (auto it = first_after(j, std::max(scanned_, query_.since)); it != j.events().end(); ++it) {
    if (in_scope(*it, query_) && satisfies(*it, c)) return true;
  }
  scanned_ = std::max(scanned_, j.last_seq());
  return false;
}

}  // namespace dialtone::api
