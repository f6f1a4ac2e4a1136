// Twilio's Participant resource (a call in a conference): POST .../Conferences/{Sid|name}/
// Participants (a new outbound call that joins when answered), GET the list (filters Muted,
// Hold, Coaching), and GET, POST (mute, hold, coach, announce, modify) and DELETE (kick)
// .../Participants/{CallSid|label}. Described once, like the Conference (conferences.hpp).
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/resource/resource.hpp"
#include "api/twilio/request.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// Its uri names the Call sid, also when it was addressed by label.
extern const resource::Description<core::ParticipantView> kParticipantDescription;

Response create_participant(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response list_participants(core::Engine& engine, const ApiRequest& req);
Response fetch_participant(core::Engine& engine, const ApiRequest& req);
Response update_participant(core::Engine& engine, const ApiRequest& req, core::Effects& out);
Response delete_participant(core::Engine& engine, const ApiRequest& req, core::Effects& out);

}  // namespace dialtone::api
