#include "api/twilio/transcriptions.hpp"

#include "api/twilio/fork_resource.hpp"

namespace dialtone::api {

Response create_transcription(core::Engine& engine, const ApiRequest& req) {
  return create_fork(engine, req, core::call_resources::Kind::kTranscription,
                     kTranscriptionDescription, "Transcriptions");
}

Response update_transcription(core::Engine& engine, const ApiRequest& req) {
  return stop_fork(engine, req, core::call_resources::Kind::kTranscription,
                   kTranscriptionDescription, "Transcriptions");
}

}  // namespace dialtone::api
