// Twilio's Member resource (a call waiting in a queue): GET .../Queues/{Sid}/Members, GET and
// POST .../Members/{CallSid|Front}. A POST dequeues the member to new TwiML (Url, Method): how
// an app takes a caller out of a queue. Described once, like the Queue (queues.hpp).
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/resource/resource.hpp"
#include "api/twilio/request.hpp"
#include "core/queue/queue_book.hpp"

namespace dialtone::api {

// The member as the resource shows it (its uri names the Call sid, even when fetched as Front).
extern const resource::Description<core::queue::MemberView> kMemberDescription;

Response list_members(core::Engine& engine, const ApiRequest& req);
Response fetch_member(core::Engine& engine, const ApiRequest& req);
Response update_member(core::Engine& engine, const ApiRequest& req, core::Effects& out);

}  // namespace dialtone::api
