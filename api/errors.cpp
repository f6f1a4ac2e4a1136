#include "api/errors.hpp"

#include "api/json_writer.hpp"
#include "api/xml_writer.hpp"

namespace dialtone::api {

namespace {

std::string more_info(int code) {
  return "https://www.twilio.com/docs/errors/" + std::to_string(code);
}

}  // namespace

std::string error_json(const core::TwilioError& error) {
  std::string buffer;
  JsonWriter w(buffer);
  w.StartObject();
  if (error.code != 0) w.member_int("code", error.code);
  // Only 401 bodies carry `detail`, even when it is empty.
  if (error.http_status == 401) w.member("detail", error.detail);
  w.member("message", error.message);
  if (error.code != 0) w.member("more_info", more_info(error.code));
  w.member_int("status", error.http_status);
  w.EndObject();
  return buffer;
}

std::string error_xml(const core::TwilioError& error) {
  XmlWriter x;
  x.open("TwilioResponse");
  x.open("RestException");
  if (error.code != 0) x.element("Code", std::to_string(error.code));
  if (error.http_status == 401) x.element("Detail", error.detail);
  x.element("Message", error.message);
  if (error.code != 0) x.element("MoreInfo", more_info(error.code));
  x.element("Status", std::to_string(error.http_status));
  x.close("RestException");
  x.close("TwilioResponse");
  return x.take();
}

Response render_error(const core::TwilioError& error, Format format) {
  Response r;
  r.status = error.http_status;
  if (format == Format::kJson) {
    r.content_type = std::string(kJsonContentType);
    r.body = error_json(error);
  } else {
    r.content_type = std::string(kXmlContentType);
    r.body = error_xml(error);
  }
  if (error.http_status == 401) {
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
  }
  return r;
}

core::TwilioError not_found(std::string_view path) {
  return core::TwilioError{
      404, 20404, "The requested resource " + std::string(path) + " was not found", {}};
}

core::TwilioError method_not_allowed() {
  return core::TwilioError{405, 20004, "Method not allowed", {}};
}

}  // namespace dialtone::api
