#include "api/render_json.hpp"

#include <array>
#include <string_view>

#include "api/json_writer.hpp"

namespace dialtone::api {

namespace {

// The spec's subresource_uris keys, in its order, with the path segment each names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kSubresources{{
    {"notifications", "Notifications"},
    {"recordings", "Recordings"},
    {"payments", "Payments"},
    {"events", "Events"},
    {"siprec", "Siprec"},
    {"streams", "Streams"},
    {"transcriptions", "Transcriptions"},
    {"user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"},
    {"user_defined_messages", "UserDefinedMessages"},
}};

std::string finish(const rapidjson::StringBuffer& b) { return {b.GetString(), b.GetSize()}; }

void date_member(JsonWriter& w, std::string_view key, core::TimePoint t) {
  w.Key(key);
  if (t == core::TimePoint{}) {
    w.Null();
  } else {
    w.String(core::format_rfc2822(t));
  }
}

void date_member(JsonWriter& w, std::string_view key, const std::optional<core::TimePoint>& t) {
  if (t) {
    date_member(w, key, *t);
  } else {
    w.member_null(key);
  }
}

void int_string_member(JsonWriter& w, std::string_view key, const std::optional<int64_t>& v) {
  w.Key(key);
  if (v) {
    w.String(std::to_string(*v));
  } else {
    w.Null();
  }
}

void write_call(JsonWriter& w, const core::Call& c) {
  const std::string base = call_path(c.account_sid, c.sid);
  w.StartObject();
  w.member("sid", c.sid);
  date_member(w, "date_created", c.date_created);
  date_member(w, "date_updated", c.date_updated);
  w.member_or_null("parent_call_sid", c.parent_call_sid);
  w.member("account_sid", c.account_sid);
  w.member("to", c.to);
  w.member("to_formatted", c.to_formatted.empty() ? c.to : c.to_formatted);
  w.member("from", c.from);
  w.member("from_formatted", c.from_formatted.empty() ? c.from : c.from_formatted);
  w.member_or_null("phone_number_sid", c.phone_number_sid);
  w.member("status", core::to_wire(c.status));
  date_member(w, "start_time", c.start_time);
  date_member(w, "end_time", c.end_time);
  int_string_member(w, "duration", c.duration_s);
  w.member_or_null("price", c.price);
  w.member("price_unit", "USD");
  w.member("direction", core::to_wire(c.direction));
  w.member_or_null("answered_by", c.answered_by);
  w.member("api_version", kApiVersion);
  w.member_or_null("forwarded_from", c.forwarded_from);
  w.member_null("group_sid");
  w.member_or_null("caller_name", c.caller_name);
  int_string_member(w, "queue_time", c.queue_time_ms);
  w.member_null("trunk_sid");
  // One buffer for every URI of the call: base + suffix, no temporary per member.
  std::string uri = base;
  uri.reserve(base.size() + 48);
  uri += ".json";
  w.member("uri", uri);
  w.Key("subresource_uris");
  w.StartObject();
  for (const auto& [key, segment] : kSubresources) {
    uri.resize(base.size());
    uri += '/';
    uri += segment;
    uri += ".json";
    w.member(key, uri);
  }
  w.EndObject();
  w.EndObject();
}

// The envelope's members after the array, alphabetical as in Twilio's bodies.
void write_meta(JsonWriter& w, const PageMeta& m) {
  w.member_int("end", m.end);
  w.member("first_page_uri", m.first_page_uri);
  w.member_or_null("next_page_uri", m.next_page_uri);
  w.member_int("page", m.page);
  w.member_int("page_size", m.page_size);
  w.member_or_null("previous_page_uri", m.previous_page_uri);
  w.member_int("start", m.start);
  w.member("uri", m.uri);
}

void write_notification(JsonWriter& w, const core::Notification& n, bool instance) {
  std::string uri = call_path(n.account_sid, n.call_sid);
  uri += "/Notifications/";
  uri += n.sid;
  uri += ".json";
  w.StartObject();
  w.member("account_sid", n.account_sid);
  w.member("api_version", kApiVersion);
  w.member("call_sid", n.call_sid);
  date_member(w, "date_created", n.date_created);
  date_member(w, "date_updated", n.date_created);
  w.member("error_code", std::to_string(n.error_code));
  w.member("log", std::to_string(n.log));
  date_member(w, "message_date", n.date_created);
  w.member("message_text", n.message_text);
  w.member("more_info", "https://www.twilio.com/docs/errors/" + std::to_string(n.error_code));
  w.member_or_null("request_method", n.request_method);
  w.member("request_url", n.request_url);
  if (instance) {
    w.member("request_variables", n.request_variables);
    w.member("response_body", n.response_body);
    w.member("response_headers", n.response_headers);
  }
  w.member("sid", n.sid);
  w.member("uri", uri);
  w.EndObject();
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
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  write_call(w, call);
  return finish(b);
}

std::string call_page_json(const std::vector<const core::Call*>& calls, const PageMeta& meta) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  w.Key("calls");
  w.StartArray();
  for (const core::Call* c : calls) write_call(w, *c);
  w.EndArray();
  write_meta(w, meta);
  w.EndObject();
  return finish(b);
}

std::string notification_json(const core::Notification& n, bool instance) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  write_notification(w, n, instance);
  return finish(b);
}

std::string notification_page_json(const std::vector<const core::Notification*>& items,
                                   const PageMeta& meta) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  w.Key("notifications");
  w.StartArray();
  for (const core::Notification* n : items) write_notification(w, *n, false);
  w.EndArray();
  write_meta(w, meta);
  w.EndObject();
  return finish(b);
}

std::string event_page_json(const std::vector<const CallEventRecord*>& items,
                            const PageMeta& meta) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  w.Key("events");
  w.StartArray();
  for (const CallEventRecord* e : items) write_event(w, *e);
  w.EndArray();
  write_meta(w, meta);
  w.EndObject();
  return finish(b);
}

}  // namespace dialtone::api
