#include "api/render_json.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <memory>
#include <string_view>

#include "api/json_writer.hpp"
#include "api/resource/envelope.hpp"
#include "api/resource/resource.hpp"
#include "api/twilio/call_resource.hpp"

namespace dialtone::api {

namespace {

// A rendered Call is about 2 KB: reserve once instead of growing through several copies.
constexpr size_t kCallBytes = 2304;

void date_member(JsonWriter& w, std::string_view key, core::TimePoint t) {
  w.Key(key);
  if (t == core::TimePoint{}) {
    w.Null();
  } else {
    w.String(core::format_rfc2822(t));
  }
}

// The Call is what every Calls request answers with (a list page holds 50), so it is
// written as literal pieces around its values rather than member by member: the same bytes
// JsonWriter would write (the golden-body tests compare them), in a fraction of the time.
// Values that come from a client (numbers, names) are escaped; sids, dates, numbers and
// the URIs built from sids cannot need it.
class CallJson {
 public:
  explicit CallJson(std::string& out) : out_(out) {}

  // Through a cursor into a per-thread scratch buffer with room for any value (bound()), then
  // appended in one copy: a capacity check per piece was most of the cost of appending ~80
  // small pieces. (Growing `out` itself would zero the room first: C++20 has no
  // resize_and_overwrite.)
  void write(const core::Call& c) {
    thread_local std::unique_ptr<char[]> scratch;
    thread_local size_t scratch_size = 0;
    if (const size_t need = bound(c); need > scratch_size) {
      scratch.reset(new char[need]);  // not value-initialised: no zeroing
      scratch_size = need;
    }
    p_ = scratch.get();
    lit("{\"sid\": ");
    plain(c.sid);
    lit(", \"date_created\": ");
    date(c.date_created);
    lit(", \"date_updated\": ");
    date(c.date_updated);
    lit(", \"parent_call_sid\": ");
    plain_or_null(c.parent_call_sid);
    lit(", \"account_sid\": ");
    plain(c.account_sid);
    lit(", \"to\": ");
    text(c.to);
    lit(", \"to_formatted\": ");
    text(to_formatted(c));
    lit(", \"from\": ");
    text(c.from);
    lit(", \"from_formatted\": ");
    text(from_formatted(c));
    lit(", \"phone_number_sid\": ");
    plain_or_null(c.phone_number_sid);
    lit(", \"status\": ");
    plain(core::to_wire(c.status));
    lit(", \"start_time\": ");
    date(c.start_time);
    lit(", \"end_time\": ");
    date(c.end_time);
    lit(", \"duration\": ");
    int_string(c.duration_s);
    lit(", \"price\": ");
    text_or_null(c.price);
    lit(", \"price_unit\": \"USD\", \"direction\": ");
    plain(core::to_wire(c.direction));
    lit(", \"answered_by\": ");
    text_or_null(c.answered_by);
    lit(", \"api_version\": ");
    plain(kApiVersion);
    lit(", \"forwarded_from\": ");
    text_or_null(c.forwarded_from);
    lit(", \"group_sid\": null, \"caller_name\": ");
    text_or_null(c.caller_name);
    lit(", \"queue_time\": ");
    int_string(c.queue_time_ms);
    lit(", \"trunk_sid\": null, \"uri\": \"");
    // The Call's path (call_path(), without a string of its own), then each subresource's,
    // copied from where it was first written.
    const char* base = p_;
    lit("/2010-04-01/Accounts/");
    lit(c.account_sid);
    lit("/Calls/");
    lit(c.sid);
    const std::string_view base_view(base, static_cast<size_t>(p_ - base));
    lit(".json\", \"subresource_uris\": {");
    bool first = true;
    for (const auto& [key, segment] : kCallSubresources) {
      if (!first) lit(", ");
      first = false;
      *p_++ = '"';
      lit(key);
      lit("\": \"");
      lit(base_view);
      *p_++ = '/';
      lit(segment);
      lit(".json\"");
    }
    lit("}}");
    out_.append(scratch.get(), static_cast<size_t>(p_ - scratch.get()));
  }

 private:
  // Room enough for any Call: the literal text (under 1.5 KB: the keys, the fixed values and
  // the subresource keys and segments), the Call's path 11 times (uri, 9 subresources and
  // slack), the values that are copied as they are, and the worst case of escaping for the
  // values that come from a client.
  static constexpr size_t kLiteralRoom = 4096;
  static std::string_view to_formatted(const core::Call& c) {
    return c.to_formatted.empty() ? c.to : c.to_formatted;
  }
  static std::string_view from_formatted(const core::Call& c) {
    return c.from_formatted.empty() ? c.from : c.from_formatted;
  }
  static size_t bound(const core::Call& c) {
    const size_t path = 40 + c.account_sid.size() + c.sid.size();
    const size_t plain = c.sid.size() + c.parent_call_sid.size() + c.account_sid.size() +
                         c.phone_number_sid.size() + 4 * core::kRfc2822Max + 2 * 24;
    const size_t texts = c.to.size() + to_formatted(c).size() + c.from.size() +
                         from_formatted(c).size() + c.price.size() + c.answered_by.size() +
                         c.forwarded_from.size() + c.caller_name.size();
    return kLiteralRoom + 11 * path + plain + JsonWriter::kMaxEscapedPerByte * texts;
  }

  void lit(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void plain(std::string_view v) {
    *p_++ = '"';
    lit(v);
    *p_++ = '"';
  }
  void plain_or_null(std::string_view v) {
    if (v.empty()) lit("null"); else plain(v);
  }
  void text(std::string_view v) {
    *p_++ = '"';
    p_ = JsonWriter::escape_into(p_, v);
    *p_++ = '"';
  }
  void text_or_null(std::string_view v) {
    if (v.empty()) lit("null"); else text(v);
  }
  // A Call's dates are often the same instant (created = updated): formatted once.
  void date(core::TimePoint t) {
    if (t == core::TimePoint{}) return lit("null");
    if (t != last_date_) {
      last_date_ = t;
      last_date_len_ = core::format_rfc2822_to(t, last_date_buf_);
    }
    plain({last_date_buf_, last_date_len_});
  }
  void date(const std::optional<core::TimePoint>& t) {
    if (t) date(*t); else lit("null");
  }
  void int_string(const std::optional<int64_t>& v) {
    if (!v) return lit("null");
    *p_++ = '"';
    p_ = std::to_chars(p_, p_ + 24, *v).ptr;
    *p_++ = '"';
  }

  std::string& out_;
  char* p_ = nullptr;
  core::TimePoint last_date_{};
  char last_date_buf_[core::kRfc2822Max];
  size_t last_date_len_ = 0;
};

void write_call(JsonWriter& w, const core::Call& c) {
  w.raw_value([&c](std::string& out) { CallJson(out).write(c); });
}

void write_event(JsonWriter& w, const CallEventRecord& e) {
  w.StartObject();
  w.Key("request");
  w.StartObject();
  w.member("method", e.method);
  w.member("url", e.url);
  w.Key("parameters");
  w.StartObject();
  for (const auto& [name, value] : e.parameters) w.member(name, value);
  w.EndObject();
  w.EndObject();
  w.Key("response");
  if (!e.has_response) {
    w.Null();
  } else {
    w.StartObject();
    w.member_int("response_code", e.response_code);
    w.member_int("request_duration", e.request_duration_ms);
    w.member("content_type", e.content_type);
    w.member("response_body", e.response_body);
    date_member(w, "date_created", e.date_created);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string call_json(const core::Call& call) {
  std::string b;
  b.reserve(kCallBytes);
  JsonWriter w(b);
  write_call(w, call);
  return b;
}

std::string call_page_json(const std::vector<const core::Call*>& calls, const PageMeta& meta) {
  std::string b;
  b.reserve(kCallBytes * calls.size() + 1024);
  JsonWriter w(b);
  w.StartObject();
  w.Key("calls");
  w.StartArray();
  for (const core::Call* c : calls) write_call(w, *c);
  w.EndArray();
  resource::write_page_meta(w, meta);
  w.EndObject();
  return b;
}

std::string notification_json(const core::Notification& n, bool instance) {
  return resource::to_json(kNotificationDescription, n, instance);
}

std::string notification_page_json(const std::vector<const core::Notification*>& items,
                                   const PageMeta& meta) {
  return resource::page_json(kNotificationDescription, items, meta);
}

std::string event_page_json(const std::vector<const CallEventRecord*>& items,
                            const PageMeta& meta) {
  std::string b;
  JsonWriter w(b);
  w.StartObject();
  w.Key("events");
  w.StartArray();
  for (const CallEventRecord* e : items) write_event(w, *e);
  w.EndArray();
  resource::write_page_meta(w, meta);
  w.EndObject();
  return b;
}

}  // namespace dialtone::api
