// What every Twilio resource handler is handed (a routed, authenticated, decoded request), and
// the one way they answer with a body. Handlers of each resource live in their own file
// (calls_handler.cpp, twilio/queues.cpp, twilio/members.cpp).
// Thread-safety: plain values; handlers run with exclusive access to the Engine.
#pragma once

#include <string>
#include <string_view>

#include "api/errors.hpp"
#include "api/form.hpp"
#include "api/http_types.hpp"
#include "api/route.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

struct ApiRequest {
  const Route& route;
  std::string_view path;  // as requested, for 404 messages and page URIs
  const FormFields& query;
  const FormFields& body;
  std::string_view request_id = {};  // RQ...: journaled with an accepted update
  bool defer_render = false;         // Request::defer_render
  // Parsed before the engine lock (prepare_twilio): set for a Call create and update. A
  // create's parameters are moved into the new call (not const).
  core::Result<core::CreateCall>* create = nullptr;
  const core::Result<core::UpdateCall>* update = nullptr;
};

inline Response body_response(int status, Format format, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::string(format == Format::kJson ? kJsonContentType : kXmlContentType);
  r.body = std::move(body);
  return r;
}

}  // namespace dialtone::api
