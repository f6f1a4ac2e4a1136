// Twilio's real-time Transcriptions resource of a Call: create 200 (StatusCallbackUrl, Track,
// LanguageCode, Name; the conversation is transcribed to the callback: docs/conversations.md),
// stop by sid or name 200 (api/twilio/fork_resource.hpp's shape).
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/twilio/request.hpp"

namespace dialtone::api {

Response create_transcription(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response update_transcription(core::Engine& engine, const ApiRequest& req, core::Effects& out);

}  // namespace dialtone::api
