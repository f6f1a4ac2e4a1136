// Handlers of Twilio's Calls resource and its Notifications and Events subresources. Each
// takes an authenticated, routed request and returns the response; none touches a socket.
// Thread-safety: called with exclusive access to the Engine (the server's engine lock).
#pragma once

#include <string_view>

#include "api/twilio/request.hpp"

namespace dialtone::api {

Response create_call(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response list_calls(core::Engine& engine, const ApiRequest& req);
Response fetch_call(core::Engine& engine, const ApiRequest& req);
Response update_call(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response delete_call(core::Engine& engine, const ApiRequest& req);
Response list_notifications(core::Engine& engine, const ApiRequest& req);
Response fetch_notification(core::Engine& engine, const ApiRequest& req);
Response list_events(core::Engine& engine, const ApiRequest& req);

}  // namespace dialtone::api
