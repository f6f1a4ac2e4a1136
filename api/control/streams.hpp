// The control API's view of Media Streams: GET /_dialtone/streams/{StreamSid}/heard returns
// what the caller heard of the app on a bidirectional stream, as a WAV file (docs/streams.md).
// Thread-safety: needs exclusive access to the Engine.
#pragma once

#include <string>

#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

Response stream_heard(core::Engine& engine, const std::string& account_sid,
                      const std::string& stream_sid);

}  // namespace dialtone::api
