// Twilio's auth token rotation on its own API (Accounts v1, accounts.twilio.com), for the
// account whose credentials the request carries:
//   POST   /v1/AuthTokens/Secondary  201 a new secondary auth token (replacing any)
//   DELETE /v1/AuthTokens/Secondary  204 (404 20404 when there is none)
//   POST   /v1/AuthTokens/Promote    200 the secondary token becomes the primary
// Bodies as in Twilio's Accounts v1 spec (account_sid, auth_token or secondary_auth_token,
// date_created, date_updated, url). dialtone keeps no token dates: both are the time of the
// request. A client reaches these through the same base-URL rewrite as the Calls API, for the
// host accounts.twilio.com (docs/faults.md).
// Thread-safety: needs exclusive access to the Engine.
#pragma once

#include <string_view>

#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// The paths this file answers: /v1/AuthTokens and below.
bool is_auth_tokens_path(std::string_view path);

// `changed` is set when the account's tokens changed (the caller persists settings). The
// dates are the time of the account's world.
Response handle_auth_tokens(core::Engine& engine, const Request& req, bool& changed);

}  // namespace dialtone::api
