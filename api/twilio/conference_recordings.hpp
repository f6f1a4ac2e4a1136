// Twilio's Conference Recording resource: GET .../Conferences/{ConferenceSid}/Recordings (filters
// DateCreated, <, >), GET, POST (Status paused, in-progress or stopped, PauseBehavior; the sid
// may be Twilio.CURRENT) and DELETE .../Recordings/{Sid}. The shape is described once in
// recordings.cpp (kConferenceRecordingDescription); the media is the account's Recordings/{Sid}.
// docs/recordings.md has the choices where Twilio is silent.
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/twilio/request.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

Response list_conference_recordings(core::Engine& engine, const ApiRequest& req);
Response fetch_conference_recording(core::Engine& engine, const ApiRequest& req);
Response update_conference_recording(core::Engine& engine, const ApiRequest& req,
                                     core::Effects& out);
Response delete_conference_recording(core::Engine& engine, const ApiRequest& req,
                                     core::Effects& out);

}  // namespace dialtone::api
