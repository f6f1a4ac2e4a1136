// The entry point of Twilio's Calls API: authenticate, route, decode, dispatch, render.
// The server calls it under its engine lock, then sends `out.webhooks`.
// Thread-safety: needs exclusive access to the Engine for the duration of the call.
#pragma once

#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// Order of checks: credentials (401) -> path (404) -> method (405, with Allow) -> the path's
// account belongs to the caller (401) -> query/body decoding (400) -> the handler.
Response handle_twilio(core::Engine& engine, const Request& req, core::Effects& out);

}  // namespace dialtone::api
