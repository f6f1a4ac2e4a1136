// A Twilio Notification: an error or warning recorded against a call (failed webhook, bad
// TwiML, unsupported verb). Thread-safety: plain data.
#pragma once

#include <string>

#include "core/time.hpp"

namespace dialtone::core {

struct Notification {
  std::string sid;  // NO...
  std::string account_sid;
  std::string call_sid;
  int error_code = 0;
  int log = 0;  // 0 = error, 1 = warning (Twilio's "log" field)
  TimePoint date_created{};
  std::string message_text;    // Twilio's form: url-encoded "Msg=...&sourceComponent=..."
  std::string request_method;
  std::string request_url;
  std::string request_variables;  // url-encoded parameters that were sent
  std::string response_body;
  std::string response_headers;
};

}  // namespace dialtone::core
