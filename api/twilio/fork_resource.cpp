#include "api/twilio/fork_resource.hpp"

#include <array>

#include "api/twilio/resource_response.hpp"
#include "core/stream/session.hpp"

namespace dialtone::api {
namespace {

using resource::Field;
using resource::Value;

// The spec's order (api.v2010.account.call.stream, .siprec, .realtime_transcription).
constexpr std::array<Field<ForkRecord>, 7> kForkFields{{
    {"sid", "Sid", [](const ForkRecord& r) { return Value::string(r.sid); }},
    {"account_sid", "AccountSid", [](const ForkRecord& r) { return Value::string(r.account_sid); }},
    {"call_sid", "CallSid", [](const ForkRecord& r) { return Value::string(r.call_sid); }},
    {"name", "Name", [](const ForkRecord& r) { return Value::string(r.name); }},
    {"status", "Status", [](const ForkRecord& r) { return Value::string(r.status); }},
    {"date_updated", "DateUpdated",
     [](const ForkRecord& r) { return Value::date(r.date_updated); }},
    {"uri", "Uri",
     [](const ForkRecord& r) {
       return Value::path("/2010-04-01/Accounts/" + r.account_sid + "/Calls/" + r.call_sid + "/" +
                          std::string(r.collection) + "/" + r.sid);
     }},
}};

}  // namespace

const resource::Description<ForkRecord> kStreamDescription{"Stream", "streams", "Streams",
                                                           kForkFields};
const resource::Description<ForkRecord> kSiprecDescription{"Siprec", "siprec", "Siprec",
                                                           kForkFields};
const resource::Description<ForkRecord> kTranscriptionDescription{
    "Transcription", "transcriptions", "Transcriptions", kForkFields};

namespace {

ForkRecord fork_record(const core::call_resources::CallResource& r, std::string_view collection) {
  return ForkRecord{r.sid,  r.account_sid, r.call_sid, r.name, r.stopped ? "stopped" : "in-progress",
                    r.date_updated, collection};
}

}  // namespace

std::optional<Response> bad_stop_status(const ApiRequest& req) {
  const std::string* status = req.body.get("Status");
  if (!status) return error_for(missing_param("Status"), req);
  if (*status != "stopped") {
    return error_for(core::bad_request(20001, "Invalid Status: '" + *status +
                                                  "' (it can only be 'stopped')"),
                     req);
  }
  return std::nullopt;
}

Response create_fork(core::Engine& engine, const ApiRequest& req, core::call_resources::Kind kind,
                     const resource::Description<ForkRecord>& d, std::string_view collection,
                     const core::TranscriptionSpec* transcription, core::Effects* out) {
  if (const std::string* track = req.body.get("Track");
      track && !track->empty() && !core::stream::track_from(*track)) {
    return error_for(core::bad_request(20001, "Invalid Track: '" + *track +
                                                  "' (inbound_track, outbound_track or "
                                                  "both_tracks)"),
                     req);
  }
  const std::string* name = req.body.get("Name");
  auto created = engine.create_call_resource(req.route.account_sid, req.route.call_sid, kind,
                                             name ? *name : std::string(), transcription, out);
  if (!created) return error_for(created.error(), req);
  return resource_response(200, req, d, fork_record(**created, collection));
}

Response stop_fork(core::Engine& engine, const ApiRequest& req, core::call_resources::Kind kind,
                   const resource::Description<ForkRecord>& d, std::string_view collection,
                   core::Effects* out) {
  if (auto bad = bad_stop_status(req)) return std::move(*bad);
  auto stopped = engine.update_call_resource(req.route.account_sid, req.route.call_sid, kind,
                                             req.route.item, true, out);
  if (!stopped) return error_for(stopped.error(), req);
  return resource_response(200, req, d, fork_record(**stopped, collection));
}

}  // namespace dialtone::api
