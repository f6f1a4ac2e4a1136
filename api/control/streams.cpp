#include "api/control/streams.hpp"

#include "api/control_request.hpp"
#include "core/media/wav.hpp"

namespace dialtone::api {

Response stream_heard(core::Engine& engine, const std::string& account_sid,
                      const std::string& stream_sid) {
  const core::stream::Session* s = engine.find_stream(account_sid, stream_sid);
  if (!s) return control_error(404, "No stream " + stream_sid + " in account " + account_sid);
  if (!s->spec().bidirectional) {
    return control_error(400, "Stream " + stream_sid +
                                  " is unidirectional: the app sends it no audio to hear");
  }
  Response r;
  r.status = 200;
  r.content_type = "audio/wav";
  r.body = core::media::wav_from_mulaw(s->heard());
  return r;
}

}  // namespace dialtone::api
