#include "api/render_xml.hpp"

#include <string_view>

#include "api/resource/envelope.hpp"
#include "api/resource/resource.hpp"
#include "api/twilio/call_resource.hpp"
#include "api/xml_writer.hpp"

namespace dialtone::api {

namespace {

std::string date_text(core::TimePoint t) {
  return t == core::TimePoint{} ? std::string() : core::format_rfc2822(t);
}

}  // namespace

std::string call_xml(const core::Call& call) {
  return resource::to_xml(kCallDescription, call);
}

std::string call_page_xml(const std::vector<const core::Call*>& calls, const PageMeta& meta) {
  return resource::page_xml(kCallDescription, calls, meta);
}

std::string notification_xml(const core::Notification& n, bool instance) {
  return resource::to_xml(kNotificationDescription, n, instance);
}

std::string notification_page_xml(const std::vector<const core::Notification*>& items,
                                  const PageMeta& meta) {
  return resource::page_xml(kNotificationDescription, items, meta);
}

std::string event_page_xml(const std::vector<const CallEventRecord*>& items,
                           const PageMeta& meta) {
  // No XML form of Events is documented; this mirrors the JSON one element for element, with
  // parameters as <Parameter name="...">value</Parameter> since their names need not be XML
  // names.
  XmlWriter x;
  x.open("TwilioResponse");
  resource::open_page(x, "Events", meta);
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
