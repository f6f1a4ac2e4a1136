#include "api/records_json.hpp"

#include <algorithm>

#include "core/call_status.hpp"

namespace dialtone::api {

namespace {

using Value = rapidjson::Value;

std::string_view outcome_wire(core::Outcome o) {
  switch (o) {
    case core::Outcome::kAnswer: return "answer";
    case core::Outcome::kBusy: return "busy";
    case core::Outcome::kNoAnswer: return "no-answer";
    case core::Outcome::kFail: return "fail";
  }
  return "answer";
}

std::optional<core::Outcome> outcome_from(std::string_view o) {
  for (auto v : {core::Outcome::kAnswer, core::Outcome::kBusy, core::Outcome::kNoAnswer,
                 core::Outcome::kFail}) {
    if (outcome_wire(v) == o) return v;
  }
  return std::nullopt;
}

std::optional<core::Direction> direction_from(std::string_view d) {
  for (auto v : {core::Direction::kInbound, core::Direction::kOutboundApi,
                 core::Direction::kOutboundDial}) {
    if (core::to_wire(v) == d) return v;
  }
  return std::nullopt;
}

// Bounds of the small integers the records hold, so that a document cannot wrap them.
constexpr int64_t kMaxSeconds = int64_t{1} << 31;

}  // namespace

// ---------------------------------------------------------------- writing

void put(RecordWriter& w, const char* key, std::string_view v) {
  if (v.empty() && !w.writes_unset()) return;  // reads as ""
  w.Key(key);
  w.String(v);
}
void put(RecordWriter& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}
void put(RecordWriter& w, const char* key, core::TimePoint t) {
  put(w, key, static_cast<int64_t>(t.time_since_epoch().count()));
}
void put(RecordWriter& w, const char* key, const std::optional<int64_t>& v) {
  if (v) put(w, key, *v);  // absent = nullopt
}
void put(RecordWriter& w, const char* key, const std::optional<core::TimePoint>& t) {
  if (t) put(w, key, *t);
}
void put(RecordWriter& w, const char* key, const core::Webhook& h) {
  // Absent, a webhook reads as core::Webhook{}: no URL, POST.
  if (h.url.empty() && h.method == core::HttpMethod::kPost && !w.writes_unset()) return;
  w.Key(key);
  w.StartObject();
  put(w, "url", h.url);
  put(w, "method", core::to_wire(h.method));
  w.EndObject();
}
void put(RecordWriter& w, const char* key, const std::vector<std::string>& v) {
  if (v.empty() && !w.writes_unset()) return;  // reads as []
  w.Key(key);
  w.StartArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

// ---------------------------------------------------------------- reading

void JsonIssues::add(const std::string& path, const std::string& what) {
  if (count_++ == 0) first_ = path + " " + what;
}

ObjectReader::ObjectReader(const Value& v, std::string path, JsonIssues& issues)
    : path_(std::move(path)), issues_(issues) {
  if (v.IsObject()) {
    v_ = &v;
  } else {
    issues_.add(path_, "must be an object");
  }
}

std::string ObjectReader::path(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

void ObjectReader::issue(const char* key, const std::string& what) {
  issues_.add(path(key), what);
}

const Value* ObjectReader::get(const char* key) {
  if (!v_) return nullptr;
  read_.emplace_back(key);
  auto it = v_->FindMember(key);
  if (it == v_->MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string ObjectReader::str(const char* key) {
  const Value* v = get(key);
  if (!v) return {};
  if (!v->IsString()) {
    issue(key, "must be a string");
    return {};
  }
  return {v->GetString(), v->GetStringLength()};
}

std::optional<int64_t> ObjectReader::opt_int(const char* key) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->IsInt64()) {
    issue(key, "must be an integer");
    return std::nullopt;
  }
  return v->GetInt64();
}

int64_t ObjectReader::integer_in(const char* key, int64_t min, int64_t max, int64_t fallback) {
  auto v = opt_int(key);
  if (!v) return fallback;
  if (*v < min || *v > max) {
    issue(key, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    return fallback;
  }
  return *v;
}

std::optional<core::TimePoint> ObjectReader::opt_time(const char* key) {
  if (auto v = opt_int(key)) return core::TimePoint{core::Millis{*v}};
  return std::nullopt;
}

bool ObjectReader::boolean(const char* key) {
  const Value* v = get(key);
  if (!v) return false;
  if (!v->IsBool()) {
    issue(key, "must be true or false");
    return false;
  }
  return v->GetBool();
}

core::Webhook ObjectReader::hook(const char* key) {
  const Value* v = get(key);
  if (!v) return {};
  ObjectReader r(*v, path(key), issues_);
  core::Webhook h;
  h.url = r.str("url");
  const std::string method = r.str("method");
  if (method == "GET") {
    h.method = core::HttpMethod::kGet;
  } else if (!method.empty() && method != "POST") {
    r.issue("method", "must be GET or POST");
  }
  r.finish();
  return h;
}

std::vector<std::string> ObjectReader::strings(const char* key) {
  std::vector<std::string> out;
  const Value* v = get(key);
  if (!v) return out;
  if (!v->IsArray()) {
    issue(key, "must be an array of strings");
    return out;
  }
  for (const auto& s : v->GetArray()) {
    if (!s.IsString()) {
      issue(key, "must be an array of strings");
      return {};
    }
    out.emplace_back(s.GetString(), s.GetStringLength());
  }
  return out;
}

void ObjectReader::finish() {
  if (!v_) return;
  for (auto m = v_->MemberBegin(); m != v_->MemberEnd(); ++m) {
    const std::string_view name(m->name.GetString(), m->name.GetStringLength());
    if (std::find(read_.begin(), read_.end(), name) == read_.end()) {
      issues_.add(path_.empty() ? std::string(name) : path_ + "." + std::string(name),
                  "is not a member dialtone knows");
    }
  }
}

// ---------------------------------------------------------------- records

void write_call(RecordWriter& w, const core::Call& c) {
  w.StartObject();
  put(w, "sid", c.sid);
  put(w, "account_sid", c.account_sid);
  put(w, "parent_call_sid", c.parent_call_sid);
  put(w, "to", c.to);
  put(w, "to_formatted", c.to_formatted);
  put(w, "from", c.from);
  put(w, "from_formatted", c.from_formatted);
  put(w, "phone_number_sid", c.phone_number_sid);
  put(w, "status", core::to_wire(c.status));
  put(w, "direction", core::to_wire(c.direction));
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
  put(w, "record", c.record);
  put(w, "machine_detection", c.machine_detection);
  put(w, "caller_id", c.caller_id);
  put(w, "callbacks_sent", int64_t{c.callbacks_sent});
  put(w, "callback_sequence", int64_t{c.callback_sequence});
  put(w, "child_sids", c.child_sids);
  put(w, "deleted", c.deleted);
  w.EndObject();
}

core::Call read_call(ObjectReader& r) {
  core::Call c;
  c.sid = r.str("sid");
  c.account_sid = r.str("account_sid");
  c.parent_call_sid = r.str("parent_call_sid");
  c.to = r.str("to");
  c.to_formatted = r.str("to_formatted");
  c.from = r.str("from");
  c.from_formatted = r.str("from_formatted");
  c.phone_number_sid = r.str("phone_number_sid");
  const std::string status = r.str("status");
  auto s = core::status_from_wire(status);
  if (!s) r.issue("status", "'" + status + "' is not a call status");
  c.status = s.value_or(core::CallStatus::kCompleted);
  const std::string direction = r.str("direction");
  auto d = direction_from(direction);
  if (!d) r.issue("direction", "'" + direction + "' is not a call direction");
  c.direction = d.value_or(core::Direction::kOutboundApi);
  c.date_created = r.time("date_created");
  c.date_updated = r.time("date_updated");
  c.start_time = r.opt_time("start_time");
  c.end_time = r.opt_time("end_time");
  c.duration_s = r.opt_int("duration_s");
  c.queue_time_ms = r.opt_int("queue_time_ms");
  c.answered_by = r.str("answered_by");
  c.forwarded_from = r.str("forwarded_from");
  c.caller_name = r.str("caller_name");
  c.price = r.str("price");
  c.url = r.hook("url");
  c.twiml = r.str("twiml");
  c.fallback = r.hook("fallback");
  c.status_callback = r.hook("status_callback");
  c.status_callback_events =
      static_cast<uint8_t>(r.integer_in("status_callback_events", 0, 15, 0));
  c.timeout_s = static_cast<int>(r.integer_in("timeout_s", 0, kMaxSeconds, 0));
  c.time_limit_s = r.opt_int("time_limit_s");
  c.send_digits = r.str("send_digits");
  c.record = r.boolean("record");
  c.machine_detection = r.str("machine_detection");
  c.caller_id = r.str("caller_id");
  c.callbacks_sent = static_cast<uint8_t>(r.integer_in("callbacks_sent", 0, 15, 0));
  c.callback_sequence =
      static_cast<int>(r.integer_in("callback_sequence", 0, kMaxSeconds, 0));
  c.child_sids = r.strings("child_sids");
  c.deleted = r.boolean("deleted");
  r.finish();
  return c;
}

void write_notification(RecordWriter& w, const core::Notification& n) {
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
}

core::Notification read_notification(ObjectReader& r) {
  core::Notification n;
  n.sid = r.str("sid");
  n.account_sid = r.str("account_sid");
  n.call_sid = r.str("call_sid");
  n.error_code = static_cast<int>(r.integer_in("error_code", 0, 99999, 0));
  n.log = static_cast<int>(r.integer_in("log", 0, 1, 0));
  n.date_created = r.time("date_created");
  n.message_text = r.str("message_text");
  n.request_method = r.str("request_method");
  n.request_url = r.str("request_url");
  n.request_variables = r.str("request_variables");
  n.response_body = r.str("response_body");
  n.response_headers = r.str("response_headers");
  r.finish();
  return n;
}

void write_behavior(RecordWriter& w, const core::Behavior& b) {
  w.StartObject();
  put(w, "outcome", outcome_wire(b.outcome));
  put(w, "answer_after_s", int64_t{b.answer_after_s});
  put(w, "answered_by", b.answered_by);
  put(w, "gather_inputs", b.gather_inputs);
  if (b.hangup_after_s) put(w, "hangup_after_s", int64_t{*b.hangup_after_s});
  put(w, "record_seconds", int64_t{b.record_seconds});
  if (b.script) put(w, "script", core::callee::format_script(*b.script));
  w.EndObject();
}

core::Behavior read_behavior(ObjectReader& r) {
  core::Behavior b;
  const std::string outcome = r.str("outcome");
  auto o = outcome_from(outcome);
  if (!o && !outcome.empty()) r.issue("outcome", "'" + outcome + "' is not an outcome");
  b.outcome = o.value_or(core::Outcome::kAnswer);
  b.answer_after_s = static_cast<int>(r.integer_in("answer_after_s", 0, kMaxSeconds, 0));
  b.answered_by = r.str("answered_by");
  b.gather_inputs = r.strings("gather_inputs");
  if (auto script = core::callee::make_script(r.strings("script")); script) {
    b.script = std::move(*script);
  } else {
    r.issue("script", script.error().message);
  }
  if (auto h = r.opt_int("hangup_after_s")) {
    if (*h < 0 || *h > kMaxSeconds) r.issue("hangup_after_s", "is out of range");
    else b.hangup_after_s = static_cast<int>(*h);
  }
  b.record_seconds = static_cast<int>(r.integer_in("record_seconds", 0, kMaxSeconds, 0));
  r.finish();
  return b;
}

void write_number(RecordWriter& w, const core::PhoneNumber& n) {
  w.StartObject();
  put(w, "sid", n.sid);
  put(w, "account_sid", n.account_sid);
  put(w, "phone_number", n.phone_number);
  put(w, "voice_url", n.voice_url);
  put(w, "voice_fallback", n.voice_fallback);
  put(w, "status_callback", n.status_callback);
  w.EndObject();
}

core::PhoneNumber read_number(ObjectReader& r) {
  core::PhoneNumber n;
  n.sid = r.str("sid");
  n.account_sid = r.str("account_sid");
  n.phone_number = r.str("phone_number");
  n.voice_url = r.hook("voice_url");
  n.voice_fallback = r.hook("voice_fallback");
  n.status_callback = r.hook("status_callback");
  r.finish();
  return n;
}

}  // namespace dialtone::api
