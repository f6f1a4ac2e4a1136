#include "api/twilio/streams.hpp"

#include "api/twilio/resource_response.hpp"

namespace dialtone::api {
ForkRecord stream_record(const core::stream::Session& s) {
  return ForkRecord{s.sid(),          s.account_sid(),
                    s.call_sid(),     s.spec().name,
                    s.live() ? "in-progress" : "stopped", s.date_updated(),
                    "Streams"};
}

core::Result<core::stream::Spec> parse_stream_create(const FormFields& body) {
  core::stream::Spec spec;
  const std::string* url = body.get("Url");
  if (!url || url->empty()) return missing_param("Url");
  spec.url = *url;
  if (const std::string* name = body.get("Name")) spec.name = *name;
  if (const std::string* track = body.get("Track"); track && !track->empty()) {
    auto t = core::stream::track_from(*track);
    if (!t) {
      return core::bad_request(20001, "Invalid Track: '" + *track +
                                          "' (inbound_track, outbound_track or both_tracks)");
    }
    spec.track = *t;
  }
  if (const std::string* cb = body.get("StatusCallback")) spec.status_callback.url = *cb;
  // The spec's own example sends PUT, outside its enum: anything but GET is a POST.
  if (const std::string* m = body.get("StatusCallbackMethod"); m && *m == "GET") {
    spec.status_callback.method = core::HttpMethod::kGet;
  }
  for (size_t i = 1; i <= core::stream::kMaxParameters; ++i) {
    const std::string prefix = "Parameter" + std::to_string(i);
    const std::string* n = body.get(prefix + ".Name");
    if (!n) continue;
    const std::string* v = body.get(prefix + ".Value");
    if (n->size() >= core::stream::kMaxParameterLength ||
        (v && v->size() >= core::stream::kMaxParameterLength)) {
      return core::bad_request(20001, prefix + " is too long: names and values are under " +
                                          std::to_string(core::stream::kMaxParameterLength) +
                                          " characters");
    }
    spec.parameters.emplace_back(*n, v ? *v : std::string());
  }
  return spec;
}

Response create_stream(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  auto spec = parse_stream_create(req.body);
  if (!spec) return error_for(spec.error(), req);
  auto created = engine.create_stream(req.route.account_sid, req.route.call_sid,
                                      std::move(*spec), out);
  if (!created) return error_for(created.error(), req);
  return resource_response(200, req, kStreamDescription, stream_record(**created));
}

Response update_stream(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  if (auto bad = bad_stop_status(req)) return std::move(*bad);
  auto stopped = engine.stop_stream(req.route.account_sid, req.route.call_sid,
                                    req.route.item, out);
  if (!stopped) return error_for(stopped.error(), req);
  return resource_response(200, req, kStreamDescription, stream_record(**stopped));
}

}  // namespace dialtone::api
