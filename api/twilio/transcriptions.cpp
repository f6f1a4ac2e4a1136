#include "api/twilio/transcriptions.hpp"

#include "api/params.hpp"
#include "api/twilio/fork_resource.hpp"
#include "api/twilio/resource_response.hpp"

namespace dialtone::api {

Response create_transcription(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  core::TranscriptionSpec spec;
  if (const std::string* url = req.body.get("StatusCallbackUrl"); url && !url->empty()) {
    if (auto bad = check_url(*url, "StatusCallbackUrl")) return error_for(*bad, req);
    auto method = parse_method(req.body, "StatusCallbackMethod");
    if (!method) return error_for(method.error(), req);
    spec.callback = core::Webhook{*url, *method};
  }
  if (const std::string* track = req.body.get("Track"); track && !track->empty()) {
    spec.track = *track;  // checked by create_fork
  }
  if (const std::string* lang = req.body.get("LanguageCode"); lang && !lang->empty()) {
    spec.language = *lang;
  }
  return create_fork(engine, req, core::call_resources::Kind::kTranscription,
                     kTranscriptionDescription, "Transcriptions", &spec, &out);
}

Response update_transcription(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  return stop_fork(engine, req, core::call_resources::Kind::kTranscription,
                   kTranscriptionDescription, "Transcriptions", &out);
}

}  // namespace dialtone::api
