// Twilio's Recording resource, the ways it is reached: under a call (.../Calls/{CallSid}/
// Recordings: start, list, fetch, pause/resume/stop with Twilio.CURRENT, delete) and under the
// account (.../Recordings: list with its filters, fetch, delete, and the media as .wav, .mp3 or
// with no suffix); a conference's recordings are served by conference_recordings.cpp with the
// shape described here. Each shape is described once (the spec's fields in the spec's order).
// docs/recordings.md has the choices where Twilio is silent.
// Thread-safety: handlers run with exclusive access to the Engine; a media body is rendered
// from its own copy of the audio, after the engine lock.
#pragma once

#include <optional>
#include <string>

#include "api/resource/resource.hpp"
#include "api/twilio/request.hpp"
#include "core/recording/recording.hpp"

namespace dialtone::api {

// A recording as rendered: copies, so that rendering may happen after the engine lock.
struct RecordingRecord {
  std::string sid;
  std::string account_sid;
  std::string call_sid;
  std::string conference_sid;  // empty: a call's recording (null)
  core::TimePoint date_created{};
  core::TimePoint date_updated{};
  core::TimePoint start_time{};
  std::optional<int64_t> duration_s;
  std::string status;  // the wire value (account level: "deleted" for a soft-deleted one)
  int channels = 1;
  std::string source;
  int error_code = 0;
  std::string track;
  bool completed = false;  // price and price_unit are shown
};
RecordingRecord recording_record(const core::recording::Recording& r);

extern const resource::Description<RecordingRecord> kCallRecordingDescription;
extern const resource::Description<RecordingRecord> kRecordingDescription;
extern const resource::Description<RecordingRecord> kConferenceRecordingDescription;

// Whom a list shows: a call's recordings (not its conference's), a conference's, or (both
// empty) the account's, optionally filtered by CallSid/ConferenceSid the same way.
struct RecordingScope {
  std::string call_sid;
  std::string conference_sid;
  bool call_only = false;  // the call-scoped list: a conference's recordings are not the call's
};
// Newest first, filtered by scope and DateCreated (and its < > forms).
core::Result<std::vector<RecordingRecord>> filtered_recordings(
    const std::vector<const core::recording::Recording*>& all, const FormFields& q,
    bool include_deleted, const RecordingScope& scope);

// The recording parameters of a REST start (Trim defaults to do-not-trim) or of Calls create
// with Record=true (`trim_default` true: trim-silence): RecordingChannels, RecordingTrack, Trim,
// RecordingStatusCallback, ...Method, ...Event. 400 for a value Twilio does not accept.
core::Result<core::recording::Options> parse_recording_options(const FormFields& form,
                                                               bool trim_default);

// A Recording update's Status (paused, in-progress, stopped; 400 otherwise, 20001 when
// missing) and PauseBehavior (`skip`; silence by default).
struct RecordingUpdate {
  core::recording::Status status = core::recording::Status::kInProgress;
  bool skip = false;
};
core::Result<RecordingUpdate> parse_recording_update(const FormFields& form);
// The answer to an update: the recording with the status the update shows, in `shape`.
Response change_response(const core::Result<core::RecordingChange>& changed, const ApiRequest& req,
                         const resource::Description<RecordingRecord>& shape);

Response create_call_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response list_call_recordings(core::Engine& engine, const ApiRequest& req);
Response fetch_call_recording(core::Engine& engine, const ApiRequest& req);
Response update_call_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response delete_call_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response list_recordings(core::Engine& engine, const ApiRequest& req);
// The resource (.json, .xml) or its media (.wav, .mp3, no suffix).
Response fetch_recording(core::Engine& engine, const ApiRequest& req);
Response delete_recording(core::Engine& engine, const ApiRequest& req, core::Effects& out);

}  // namespace dialtone::api
