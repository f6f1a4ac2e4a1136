// The entry point of Twilio's Calls and Queues APIs: authenticate, route, decode, dispatch,
// render. The server calls it under its engine lock, then sends `out.webhooks`.
// Thread-safety: needs exclusive access to the Engine for the duration of the call.
#pragma once

#include <optional>
#include <string>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "api/route.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// What can be worked out of a request without the engine: the route, the decoded query and
// form, and a create's or an update's parsed parameters. The server prepares a request before
// it takes the engine lock, so that the lock is held only for what reads or changes calls.
// The errors found here are answered in their place among the checks below, exactly as if
// they had been found there. Holds views into the request, which must outlive it.
struct PreparedRequest {
  Target target;
  Format format = Format::kXml;         // of the path, for errors before routing
  std::optional<Route> route;
  std::optional<FormFields> query;      // nullopt: query_error says why
  std::string query_error;
  std::optional<FormFields> body;       // nullopt: body_error says why; empty if not a form
  std::string body_error;
  std::optional<core::Result<core::CreateCall>> create;  // POST .../Calls
  std::optional<core::Result<core::UpdateCall>> update;  // POST .../Calls/{Sid}
};
PreparedRequest prepare_twilio(const Request& req);

// Order of checks: credentials (401) -> path (404) -> method (405, with Allow) -> the path's
// account belongs to the caller (401) -> query/body decoding (400) -> the handler.
// A create's parsed parameters are moved out of `prepared` into the new call.
Response handle_twilio(core::Engine& engine, const Request& req, PreparedRequest& prepared,
                       core::Effects& out);
// Both steps at once (callers without a lock to keep short).
Response handle_twilio(core::Engine& engine, const Request& req, core::Effects& out);

}  // namespace dialtone::api
