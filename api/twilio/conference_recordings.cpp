#include "api/twilio/conference_recordings.hpp"

#include "api/params.hpp"
#include "api/twilio/recordings.hpp"
#include "api/twilio/resource_response.hpp"
#include "core/sid.hpp"

namespace dialtone::api {
namespace {

using core::recording::Recording;

const std::vector<std::string_view> kConferenceRecordingFilters = {"DateCreated", "DateCreated<", "DateCreated>"};

// The route's conference must exist (and be the account's): 404 otherwise.
bool known_conference(core::Engine& engine, const ApiRequest& req) {
  return engine.find_conference(req.route.account_sid, req.route.conference) != nullptr;
}

// A recording of the route's conference, by sid (Twilio.CURRENT names none here).
const Recording* conference_recording(core::Engine& engine, const ApiRequest& req) {
  const Recording* r = engine.find_recording(req.route.account_sid, req.route.item);
  return r && r->conference_sid == req.route.conference ? r : nullptr;
}

}  // namespace

Response list_conference_recordings(core::Engine& engine, const ApiRequest& req) {
  if (!known_conference(engine, req)) return error_for(not_found(req.path), req);
  auto paging =
      parse_paging(req.query, [](std::string_view key) { return core::is_sid(key, "RE"); });
  if (!paging) return error_for(paging.error(), req);
  auto records = filtered_recordings(engine.list_recordings(req.route.account_sid), req.query,
                                     false, RecordingScope{{}, req.route.conference, false});
  if (!records) return error_for(records.error(), req);
  return page_response(
      req, kConferenceRecordingDescription, *records, *paging,
      [](const RecordingRecord& r) { return std::string_view(r.sid); },
      filter_entries(req.query, kConferenceRecordingFilters));
}

Response fetch_conference_recording(core::Engine& engine, const ApiRequest& req) {
  const Recording* r = conference_recording(engine, req);
  if (!r) return error_for(not_found(req.path), req);
  return resource_response(200, req, kConferenceRecordingDescription, recording_record(*r));
}

Response update_conference_recording(core::Engine& engine, const ApiRequest& req,
                                     core::Effects& out) {
  auto update = parse_recording_update(req.body);
  if (!update) return error_for(update.error(), req);
  auto changed =
      engine.update_conference_recording(req.route.account_sid, req.route.conference,
                                         req.route.item, update->status, update->skip, out);
  return change_response(changed, req, kConferenceRecordingDescription);
}

Response delete_conference_recording(core::Engine& engine, const ApiRequest& req,
                                     core::Effects& out) {
  if (!conference_recording(engine, req)) return error_for(not_found(req.path), req);
  return delete_recording(engine, req, out);  // the account's delete: the same recording
}

}  // namespace dialtone::api
