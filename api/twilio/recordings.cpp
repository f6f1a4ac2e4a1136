#include "api/twilio/recordings.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "api/params.hpp"
#include "api/twilio/resource_response.hpp"
#include "core/media/mp3.hpp"
#include "core/media/recording_audio.hpp"
#include "core/sid.hpp"

namespace dialtone::api {
namespace {

using core::recording::Recording;
using resource::Field;
using resource::Value;

std::string account_path(const RecordingRecord& r) {
  return "/2010-04-01/Accounts/" + r.account_sid + "/Recordings/" + r.sid;
}

// $0.0025 a minute, each minute begun counted (Twilio's list price for recording storage is
// per minute; the examples show "-0.0025").
std::string price_of(const RecordingRecord& r) {
  if (!r.completed) return {};
  const int64_t minutes = std::max<int64_t>(1, (r.duration_s.value_or(0) + 59) / 60);
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%.4f", 0.0025 * static_cast<double>(minutes));
  return buf;
}

Value price_value(const RecordingRecord& r) {
  std::string p = price_of(r);
  return p.empty() ? Value::null() : Value::text_of(std::move(p));
}

Value error_code_of(const RecordingRecord& r) {
  return r.error_code != 0 ? Value::integer(r.error_code) : Value::null();
}

using RecordingField = Field<RecordingRecord>;

// The fields both shapes have, each once; the two lists below put them in each schema's order.
constexpr RecordingField kAccountSid{"account_sid", "AccountSid", [](const RecordingRecord& r) {
                                       return Value::string(r.account_sid);
                                     }};
constexpr RecordingField kApiVersion{"api_version", "ApiVersion", [](const RecordingRecord&) {
                                       return Value::text_of("2010-04-01");
                                     }};
constexpr RecordingField kCallSid{
    "call_sid", "CallSid", [](const RecordingRecord& r) { return Value::string(r.call_sid); }};
constexpr RecordingField kConferenceSid{
    "conference_sid", "ConferenceSid",
    [](const RecordingRecord& r) { return Value::string(r.conference_sid); }};
constexpr RecordingField kDateCreated{"date_created", "DateCreated", [](const RecordingRecord& r) {
                                        return Value::date(r.date_created);
                                      }};
constexpr RecordingField kDateUpdated{"date_updated", "DateUpdated", [](const RecordingRecord& r) {
                                        return Value::date(r.date_updated);
                                      }};
constexpr RecordingField kStartTime{
    "start_time", "StartTime", [](const RecordingRecord& r) { return Value::date(r.start_time); }};
constexpr RecordingField kDuration{"duration", "Duration", [](const RecordingRecord& r) {
                                     return Value::int_string(r.duration_s);
                                   }};
constexpr RecordingField kSid{"sid", "Sid",
                              [](const RecordingRecord& r) { return Value::string(r.sid); }};
constexpr RecordingField kPrice{"price", "Price", price_value};
constexpr RecordingField kEncryptionDetails{"encryption_details", "EncryptionDetails",
                                            [](const RecordingRecord&) { return Value::null(); }};
constexpr RecordingField kPriceUnit{"price_unit", "PriceUnit", [](const RecordingRecord& r) {
                                      return Value::string(r.completed ? "USD" : "");
                                    }};
constexpr RecordingField kStatus{"status", "Status",
                                 [](const RecordingRecord& r) { return Value::string(r.status); }};
constexpr RecordingField kChannels{
    "channels", "Channels", [](const RecordingRecord& r) { return Value::integer(r.channels); }};
constexpr RecordingField kSource{"source", "Source",
                                 [](const RecordingRecord& r) { return Value::string(r.source); }};
constexpr RecordingField kErrorCode{"error_code", "ErrorCode", error_code_of};

constexpr std::array<Subresource, 2> kRecordingSubresources{{
    {"add_on_results", "AddOnResults"},
    {"transcriptions", "Transcriptions"},
}};

// api.v2010.account.call.call_recording, in the spec's order.
constexpr std::array<RecordingField, 18> kCallRecordingFields{{
    kAccountSid,
    kApiVersion,
    kCallSid,
    kConferenceSid,
    kDateCreated,
    kDateUpdated,
    kStartTime,
    kDuration,
    kSid,
    kPrice,
    {"uri", "Uri",
     [](const RecordingRecord& r) {
       return Value::path("/2010-04-01/Accounts/" + r.account_sid + "/Calls/" + r.call_sid +
                          "/Recordings/" + r.sid);
     }},
    kEncryptionDetails,
    kPriceUnit,
    kStatus,
    kChannels,
    kSource,
    kErrorCode,
    {"track", "Track", [](const RecordingRecord& r) { return Value::string(r.track); }},
}};

// api.v2010.account.recording, in the spec's order: no track; subresources and media_url.
constexpr std::array<RecordingField, 19> kRecordingFields{{
    kAccountSid,
    kApiVersion,
    kCallSid,
    kConferenceSid,
    kDateCreated,
    kDateUpdated,
    kStartTime,
    kDuration,
    kSid,
    kPrice,
    kPriceUnit,
    kStatus,
    kChannels,
    kSource,
    kErrorCode,
    {"uri", "Uri", [](const RecordingRecord& r) { return Value::path(account_path(r)); }},
    kEncryptionDetails,
    {"subresource_uris", "SubresourceUris",
     [](const RecordingRecord& r) {
       return Value::subresources_of(account_path(r), kRecordingSubresources);
     }},
    {"media_url", "MediaUrl",
     [](const RecordingRecord& r) {
       return Value::text_of("https://api.twilio.com" + account_path(r));
     }},
}};

// api.v2010.account.conference.conference_recording, in the spec's order: no track, no
// subresources or media_url; its uri is under the conference.
constexpr std::array<RecordingField, 17> kConferenceRecordingFields{{
    kAccountSid,
    kApiVersion,
    kCallSid,
    kConferenceSid,
    kDateCreated,
    kDateUpdated,
    kStartTime,
    kDuration,
    kSid,
    kPrice,
    kPriceUnit,
    kStatus,
    kChannels,
    kSource,
    kErrorCode,
    kEncryptionDetails,
    {"uri", "Uri",
     [](const RecordingRecord& r) {
       return Value::path("/2010-04-01/Accounts/" + r.account_sid + "/Conferences/" +
                          r.conference_sid + "/Recordings/" + r.sid);
     }},
}};

const std::vector<std::string_view> kCallFilterNames = {"DateCreated", "DateCreated<",
                                                        "DateCreated>"};
const std::vector<std::string_view> kAccountFilterNames = {"DateCreated",   "DateCreated<",
                                                           "DateCreated>",  "CallSid",
                                                           "ConferenceSid", "IncludeSoftDeleted"};

bool sid_key(std::string_view key) { return core::is_sid(key, "RE"); }
std::string_view key_of(const RecordingRecord& r) { return r.sid; }

// The call must exist (and be the account's): 404 otherwise, worded with the path.
std::optional<Response> unknown_call(core::Engine& engine, const ApiRequest& req) {
  if (engine.find_call(req.route.account_sid, req.route.call_sid)) return std::nullopt;
  return error_for(not_found(req.path), req);
}

// A recording of the route's call, by sid (Twilio.CURRENT names none here).
const Recording* call_recording(core::Engine& engine, const ApiRequest& req) {
  const Recording* r = engine.find_recording(req.route.account_sid, req.route.item);
  return r && r->call_sid == req.route.call_sid && r->conference_sid.empty() ? r : nullptr;
}

}  // namespace

core::Result<std::vector<RecordingRecord>> filtered_recordings(
    const std::vector<const Recording*>& all, const FormFields& q, bool include_deleted,
    const RecordingScope& scope) {
  std::optional<core::TimePoint> from, before;
  if (auto e = date_filter(q, "DateCreated", from, before)) return *e;
  std::vector<RecordingRecord> out;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const Recording& r = **it;
    if (r.deleted && !include_deleted) continue;
    if (!scope.call_sid.empty() && r.call_sid != scope.call_sid) continue;
    if (!scope.conference_sid.empty() && r.conference_sid != scope.conference_sid) continue;
    if (scope.call_only && !r.conference_sid.empty()) continue;
    if ((from && r.date_created < *from) || (before && r.date_created >= *before)) continue;
    out.push_back(recording_record(r));
    if (r.deleted) out.back().status = "deleted";
  }
  return out;
}

namespace {

Response media_response(const Recording& r, const ApiRequest& req) {
  const bool mp3 = req.route.media == "mp3";
  if (mp3 && !core::media::mp3_available()) {
    return error_for(
        core::TwilioError{415,
                          20001,
                          "this dialtone was built without an MP3 encoder: request " +
                              std::string(req.path.substr(0, req.path.size() - 4)) + ".wav",
                          {}},
        req);
  }
  int channels = r.audio.channels;
  if (const std::string* v = req.query.get("RequestedChannels"); v && !v->empty()) {
    if (*v == "1") {
      channels = 1;
    } else if (*v == "2") {
      if (r.audio.channels != 2) {
        return error_for(core::bad_request(16113,
                                           "Cannot download a dual-channel "
                                           "presentation of a mono recording"),
                         req);
      }
    } else {
      return error_for(core::bad_request(20001, "Invalid RequestedChannels: '" + *v + "' (1 or 2)"),
                       req);
    }
  }
  Response resp;
  resp.status = 200;
  if (mp3) {  // its length is known only at the end: sent chunked
    auto chunks = std::make_shared<core::media::Mp3Chunks>(r.audio, channels);
    resp.content_type = "audio/mpeg";
    resp.body_source = std::make_shared<BodySource>(
        BodySource{0, [chunks](std::string& piece) { return chunks->next(piece); }, true});
    return resp;
  }
  auto chunks = std::make_shared<core::media::WavChunks>(r.audio, channels);
  resp.content_type = "audio/x-wav";
  resp.body_source = std::make_shared<BodySource>(
      BodySource{chunks->size(), [chunks](std::string& piece) { return chunks->next(piece); }});
  return resp;
}

}  // namespace

const resource::Description<RecordingRecord> kCallRecordingDescription{
    "Recording", "recordings", "Recordings", kCallRecordingFields};
const resource::Description<RecordingRecord> kRecordingDescription{"Recording", "recordings",
                                                                   "Recordings", kRecordingFields};
const resource::Description<RecordingRecord> kConferenceRecordingDescription{
    "Recording", "recordings", "Recordings", kConferenceRecordingFields};

RecordingRecord recording_record(const Recording& r) {
  RecordingRecord out;
  out.sid = r.sid;
  out.account_sid = r.account_sid;
  out.call_sid = r.call_sid;
  out.conference_sid = r.conference_sid;
  out.date_created = r.date_created;
  out.date_updated = r.date_updated;
  out.start_time = r.start_time;
  out.duration_s = r.finished() ? r.duration_s : std::nullopt;
  out.status = std::string(core::recording::to_wire(r.status));
  out.channels = core::recording::channels_of(r);
  out.source = std::string(core::recording::to_wire(r.source));
  out.error_code = r.error_code;
  out.track = std::string(core::recording::to_wire(r.options.track));
  out.completed = r.status == core::recording::Status::kCompleted;
  return out;
}

core::Result<core::recording::Options> parse_recording_options(const FormFields& form,
                                                               bool trim_default) {
  core::recording::Options o;
  o.trim = trim_default;
  auto given = [&form](std::string_view key) {
    const std::string* v = form.get(key);
    return v && !v->empty() ? v : nullptr;
  };
  if (const std::string* v = given("RecordingChannels")) {
    if (*v != "mono" && *v != "dual") {
      return core::bad_request(20001, "Invalid RecordingChannels: '" + *v + "' (mono or dual)");
    }
    o.channels = *v == "dual" ? 2 : 1;
  }
  if (const std::string* v = given("RecordingTrack")) {
    auto t = core::recording::track_from(*v);
    if (!t) {
      return core::bad_request(20001,
                               "Invalid RecordingTrack: '" + *v + "' (inbound, outbound or both)");
    }
    o.track = *t;
  }
  if (const std::string* v = given("Trim")) {
    if (*v != "trim-silence" && *v != "do-not-trim") {
      return core::bad_request(20001, "Invalid Trim: '" + *v + "' (trim-silence or do-not-trim)");
    }
    o.trim = *v == "trim-silence";
  }
  if (const std::string* v = given("RecordingStatusCallback")) {
    if (auto e = check_url(*v, "RecordingStatusCallback")) return *e;
    o.callback.url = *v;
  }
  auto method = parse_method(form, "RecordingStatusCallbackMethod");
  if (!method) return method.error();
  o.callback.method = *method;
  const auto events = form.get_all("RecordingStatusCallbackEvent");
  if (!events.empty()) {
    auto parsed = core::recording::parse_events(events);
    if (!parsed) {
      return core::bad_request(13621,
                               "Invalid 'recordingStatusCallbackEvent' (in-progress, "
                               "completed or absent)");
    }
    if (*parsed) o.events = *parsed;
  }
  return o;
}

Response create_call_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  auto options = parse_recording_options(req.body, false);
  if (!options) return error_for(options.error(), req);
  auto created =
      engine.create_recording(req.route.account_sid, req.route.call_sid, std::move(*options), out);
  if (!created) return error_for(created.error(), req);
  return resource_response(201, req, kCallRecordingDescription, recording_record(**created));
}

Response list_call_recordings(core::Engine& engine, const ApiRequest& req) {
  if (auto bad = unknown_call(engine, req)) return std::move(*bad);
  auto paging = parse_paging(req.query, sid_key);
  if (!paging) return error_for(paging.error(), req);
  auto records = filtered_recordings(engine.list_recordings(req.route.account_sid), req.query,
                                     false, RecordingScope{req.route.call_sid, {}, true});
  if (!records) return error_for(records.error(), req);
  return page_response(req, kCallRecordingDescription, *records, *paging, key_of,
                       filter_entries(req.query, kCallFilterNames));
}

Response fetch_call_recording(core::Engine& engine, const ApiRequest& req) {
  const Recording* r = call_recording(engine, req);
  if (!r) return error_for(not_found(req.path), req);
  return resource_response(200, req, kCallRecordingDescription, recording_record(*r));
}

core::Result<RecordingUpdate> parse_recording_update(const FormFields& form) {
  using core::recording::Status;
  const std::string* status = form.get("Status");
  if (!status || status->empty()) return missing_param("Status");
  RecordingUpdate u;
  if (*status == "paused")
    u.status = Status::kPaused;
  else if (*status == "stopped")
    u.status = Status::kStopped;
  else if (*status != "in-progress") {
    return core::bad_request(20001,
                             "Invalid Status: '" + *status + "' (paused, in-progress or stopped)");
  }
  if (const std::string* v = form.get("PauseBehavior"); v && !v->empty()) {
    if (*v != "skip" && *v != "silence") {
      return core::bad_request(20001, "Invalid PauseBehavior: '" + *v + "' (skip or silence)");
    }
    u.skip = *v == "skip";
  }
  return u;
}

Response update_call_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  auto update = parse_recording_update(req.body);
  if (!update) return error_for(update.error(), req);
  auto changed = engine.update_recording(req.route.account_sid, req.route.call_sid, req.route.item,
                                         update->status, update->skip, out);
  return change_response(changed, req, kCallRecordingDescription);
}

Response change_response(const core::Result<core::RecordingChange>& changed, const ApiRequest& req,
                         const resource::Description<RecordingRecord>& shape) {
  if (!changed) return error_for(changed.error(), req);
  RecordingRecord shown = recording_record(*changed->recording);
  shown.status = std::string(core::recording::to_wire(changed->shown));
  return resource_response(200, req, shape, std::move(shown));
}

Response delete_call_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  if (!call_recording(engine, req)) return error_for(not_found(req.path), req);
  return delete_recording(engine, req, out);  // the account's delete: the same recording
}

Response list_recordings(core::Engine& engine, const ApiRequest& req) {
  auto paging = parse_paging(req.query, sid_key);
  if (!paging) return error_for(paging.error(), req);
  RecordingScope scope;
  if (const std::string* v = req.query.get("CallSid"); v && !v->empty()) {
    if (!core::is_sid(*v, "CA")) {
      return error_for(core::bad_request(20001, "Invalid CallSid: '" + *v + "'"), req);
    }
    scope.call_sid = *v;
  }
  bool include_deleted = false;
  if (const std::string* v = req.query.get("IncludeSoftDeleted"); v && !v->empty()) {
    include_deleted = *v == "true" || *v == "True";
  }
  if (const std::string* v = req.query.get("ConferenceSid"); v && !v->empty()) {
    if (!core::is_sid(*v, "CF")) {
      return error_for(core::bad_request(20001, "Invalid ConferenceSid: '" + *v + "'"), req);
    }
    scope.conference_sid = *v;
  }
  auto records = filtered_recordings(engine.list_recordings(req.route.account_sid), req.query,
                                     include_deleted, scope);
  if (!records) return error_for(records.error(), req);
  return page_response(req, kRecordingDescription, *records, *paging, key_of,
                       filter_entries(req.query, kAccountFilterNames));
}

Response fetch_recording(core::Engine& engine, const ApiRequest& req) {
  const std::string* soft = req.query.get("IncludeSoftDeleted");
  const bool include_deleted = soft && (*soft == "true" || *soft == "True");
  const Recording* r = engine.find_recording(req.route.account_sid, req.route.item,
                                             include_deleted && req.route.media.empty());
  if (!r) return error_for(not_found(req.path), req);
  if (!req.route.media.empty()) {
    // The media exists once the recording is completed (Twilio: "may not yet be accessible").
    if (r->status != core::recording::Status::kCompleted) {
      return error_for(not_found(req.path), req);
    }
    return media_response(*r, req);
  }
  RecordingRecord shown = recording_record(*r);
  if (r->deleted) shown.status = "deleted";
  return resource_response(200, req, kRecordingDescription, std::move(shown));
}

Response delete_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  auto deleted = engine.delete_recording(req.route.account_sid, req.route.item, out);
  if (!deleted) return error_for(deleted.error(), req);
  Response r;
  r.status = 204;
  return r;
}

}  // namespace dialtone::api
