// The control API's audio clips (docs/conversations.md, "Audio clips"): audio a test supplies
// for its callees to say, per account (the world's ClipBook, as behaviours are):
//   PUT|POST /_dialtone/audio/{Name}  the body: a WAV (8000 Hz mono, 16-bit PCM or μ-law), or
//                                     raw μ-law with Content-Type audio/basic (audio/x-mulaw,
//                                     audio/mulaw, audio/pcmu); 201 new, 200 replaced
//   GET    /_dialtone/audio[/{Name}]  the clips (or one): name, format, samples, duration_ms
//   DELETE /_dialtone/audio/{Name}    forget it (calls saying it now finish saying it)
// The account is the query's AccountSid (the body is the audio), else the default one.
// Thread-safety: needs exclusive access to the Engine.
#pragma once

#include <string>

#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// `name` is empty for /_dialtone/audio itself.
Response audio_clips(core::Engine& engine, const Request& req, const std::string& name,
                     const std::string& default_account);

}  // namespace dialtone::api
