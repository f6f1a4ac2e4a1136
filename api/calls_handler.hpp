// Handlers of Twilio's Calls resource and its Notifications and Events subresources. Each
// takes an authenticated, routed request and returns the response; none touches a socket.
// Thread-safety: called with exclusive access to the Engine (the server's engine lock).
#pragma once

#include <string_view>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "api/route.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

struct CallsRequest {
  const Route& route;
  std::string_view path;  // as requested, for 404 messages and page URIs
  const FormFields& query;
  const FormFields& body;
  std::string_view request_id = {};  // RQ...: journaled with an accepted update
  bool defer_render = false;          // Request::defer_render
  // Parsed before the engine lock (prepare_twilio): set for a create and an update.
  const core::Result<core::CreateCall>* create = nullptr;
  const core::Result<core::UpdateCall>* update = nullptr;
};

Response create_call(core::Engine& engine, const CallsRequest& req, core::Effects& out);
Response list_calls(core::Engine& engine, const CallsRequest& req);
Response fetch_call(core::Engine& engine, const CallsRequest& req);
Response update_call(core::Engine& engine, const CallsRequest& req, core::Effects& out);
Response delete_call(core::Engine& engine, const CallsRequest& req);
Response list_notifications(core::Engine& engine, const CallsRequest& req);
Response fetch_notification(core::Engine& engine, const CallsRequest& req);
Response list_events(core::Engine& engine, const CallsRequest& req);

}  // namespace dialtone::api
