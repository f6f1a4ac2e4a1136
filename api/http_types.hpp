// The request and response values that cross the server/api seam. No Beast here: handlers are
// pure functions from one to the other.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dialtone::api {

struct Request {
  std::string method;         // "GET", "POST", "DELETE", ...
  std::string target;         // path and query as received ("/2010-04-01/...?...")
  std::string authorization;  // the Authorization header, verbatim
  std::string content_type;
  std::string body;
  std::string request_id;     // RQ... assigned by the server, echoed as Twilio-Request-Id
};

struct Response {
  int status = 200;
  std::string content_type;   // empty with no body (204)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string call_sid;       // for the request log line; empty when none
};

}  // namespace dialtone::api
