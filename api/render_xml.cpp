#include "api/render_xml.hpp"

#include <array>
#include <optional>
#include <string_view>

#include "api/xml_writer.hpp"

namespace dialtone::api {

namespace {

std::string date_text(core::TimePoint t) {
  return t == core::TimePoint{} ? std::string() : core::format_rfc2822(t);
}

std::string date_text(const std::optional<core::TimePoint>& t) {
  return t ? date_text(*t) : std::string();
}

std::string int_text(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string();
}

void write_call(XmlWriter& x, const core::Call& c) {
  const std::string base = call_path(c.account_sid, c.sid);
  x.open("Call");
  x.element("Sid", c.sid);
  x.element("DateCreated", date_text(c.date_created));
  x.element("DateUpdated", date_text(c.date_updated));
  x.element("ParentCallSid", c.parent_call_sid);
  x.element("AccountSid", c.account_sid);
  x.element("To", c.to);
  x.element("ToFormatted", c.to_formatted.empty() ? c.to : c.to_formatted);
  x.element("From", c.from);
  x.element("FromFormatted", c.from_formatted.empty() ? c.from : c.from_formatted);
  x.element("PhoneNumberSid", c.phone_number_sid);
  x.element("Status", core::to_wire(c.status));
  x.element("StartTime", date_text(c.start_time));
  x.element("EndTime", date_text(c.end_time));
  x.element("Duration", int_text(c.duration_s));
  x.element("Price", c.price);
  x.element("PriceUnit", "USD");
  x.element("Direction", core::to_wire(c.direction));
  x.element("AnsweredBy", c.answered_by);
  x.element("ApiVersion", kApiVersion);
  x.element("ForwardedFrom", c.forwarded_from);
  x.empty("GroupSid");
  x.element("CallerName", c.caller_name);
  x.element("QueueTime", int_text(c.queue_time_ms));
  x.empty("TrunkSid");
  x.element("Uri", base);
  x.open("SubresourceUris");
  for (const auto& [key, segment] : kCallSubresources) {
    std::string uri = base;
    uri += '/';
    uri += segment;
    x.element(segment, uri);
  }
  x.close("SubresourceUris");
  x.close("Call");
}

void open_list(XmlWriter& x, std::string_view name, const PageMeta& m) {
  x.open_with_attributes(name);
  x.attribute("page", std::to_string(m.page));
  x.attribute("pagesize", std::to_string(m.page_size));
  x.attribute("uri", m.uri);
  x.attribute("firstpageuri", m.first_page_uri);
  x.attribute("previouspageuri", m.previous_page_uri);
  x.attribute("nextpageuri", m.next_page_uri);
  x.attribute("start", std::to_string(m.start));
  x.attribute("end", std::to_string(m.end));
  x.end_open();
}

void write_notification(XmlWriter& x, const core::Notification& n, bool instance) {
  x.open("Notification");
  x.element("Sid", n.sid);
  x.element("AccountSid", n.account_sid);
  x.element("CallSid", n.call_sid);
  x.element("ApiVersion", kApiVersion);
  x.element("DateCreated", date_text(n.date_created));
  x.element("DateUpdated", date_text(n.date_created));
  x.element("ErrorCode", std::to_string(n.error_code));
  x.element("Log", std::to_string(n.log));
  x.element("MessageDate", date_text(n.date_created));
  x.element("MessageText", n.message_text);
  x.element("MoreInfo", "https://www.twilio.com/docs/errors/" + std::to_string(n.error_code));
  x.element("RequestMethod", n.request_method);
  x.element("RequestUrl", n.request_url);
  if (instance) {
    x.element("RequestVariables", n.request_variables);
    x.element("ResponseBody", n.response_body);
    x.element("ResponseHeaders", n.response_headers);
  }
  x.element("Uri", call_path(n.account_sid, n.call_sid) + "/Notifications/" + n.sid);
  x.close("Notification");
}

}  // namespace

std::string call_xml(const core::Call& call) {
  XmlWriter x;
  x.open("TwilioResponse");
  write_call(x, call);
  x.close("TwilioResponse");
  return x.take();
}

std::string call_page_xml(const std::vector<const core::Call*>& calls, const PageMeta& meta) {
  XmlWriter x;
  x.open("TwilioResponse");
  open_list(x, "Calls", meta);
  for (const core::Call* c : calls) write_call(x, *c);
  x.close("Calls");
  x.close("TwilioResponse");
  return x.take();
}

std::string notification_xml(const core::Notification& n, bool instance) {
  XmlWriter x;
  x.open("TwilioResponse");
  write_notification(x, n, instance);
  x.close("TwilioResponse");
  return x.take();
}

std::string notification_page_xml(const std::vector<const core::Notification*>& items,
                                  const PageMeta& meta) {
  XmlWriter x;
  x.open("TwilioResponse");
  open_list(x, "Notifications", meta);
  for (const core::Notification* n : items) write_notification(x, *n, false);
  x.close("Notifications");
  x.close("TwilioResponse");
  return x.take();
}

std::string event_page_xml(const std::vector<const CallEventRecord*>& items,
                           const PageMeta& meta) {
  // No XML form of Events is documented; this mirrors the JSON one element for element, with
  // parameters as <Parameter name="...">value</Parameter> since their names need not be XML
  // names.
  XmlWriter x;
  x.open("TwilioResponse");
  open_list(x, "Events", meta);
  for (const CallEventRecord* e : items) {
    x.open("Event");
    x.open("Request");
    x.element("Method", e->method);
    x.element("Url", e->url);
    x.open("Parameters");
    for (const auto& [name, value] : e->parameters) {
      x.open_with_attributes("Parameter");
      x.attribute("name", name);
      x.end_open();
      x.element_text(value);
      x.close("Parameter");
    }
    x.close("Parameters");
    x.close("Request");
    if (e->has_response) {
      x.open("Response");
      x.element("ResponseCode", std::to_string(e->response_code));
      x.element("RequestDuration", std::to_string(e->request_duration_ms));
      x.element("ContentType", e->content_type);
      x.element("ResponseBody", e->response_body);
      x.element("DateCreated", date_text(e->date_created));
      x.close("Response");
    } else {
      x.empty("Response");
    }
    x.close("Event");
  }
  x.close("Events");
  x.close("TwilioResponse");
  return x.take();
}

}  // namespace dialtone::api
