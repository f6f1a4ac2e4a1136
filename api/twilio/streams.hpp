// Twilio's Stream resource (Media Streams of a live call): create (POST .../Streams.json) and
// stop (POST .../Streams/{Sid or Name}.json with Status=stopped). The spec has no GET; the
// list path answers 405 (api/route.cpp). docs/streams.md has the choices made.
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/twilio/fork_resource.hpp"
#include "api/twilio/request.hpp"
#include "core/stream/session.hpp"

namespace dialtone::api {

ForkRecord stream_record(const core::stream::Session& s);

// The create's parameters as the engine takes them (Url required; Parameter1..99).
core::Result<core::stream::Spec> parse_stream_create(const FormFields& body);

Response create_stream(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response update_stream(core::Engine& engine, const ApiRequest& req, core::Effects& out);

}  // namespace dialtone::api
