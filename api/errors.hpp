// Twilio's error envelope: one renderer for every TwilioError, as JSON or XML, and the errors
// the API layer itself raises (404 with the requested path, 405, 401).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "api/http_types.hpp"
#include "api/route.hpp"
#include "core/result.hpp"

namespace dialtone::api {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";
inline constexpr std::string_view kXmlContentType = "application/xml";

// {"code": .., "detail": .. (401 only), "message": .., "more_info": .., "status": ..}, keys in
// Twilio's alphabetical order; `code`/`more_info` are left out when code is 0. A 401 also
// gets `WWW-Authenticate: Basic realm="Twilio API"`.
Response render_error(const core::TwilioError& error, Format format);
std::string error_json(const core::TwilioError& error);
std::string error_xml(const core::TwilioError& error);

// 404 20404 "The requested resource {path} was not found" (path as requested).
core::TwilioError not_found(std::string_view path);
// 405 20004 "Method not allowed".
core::TwilioError method_not_allowed();

}  // namespace dialtone::api
