// Twilio's Siprec resource of a Call: kept, not emulated (no SIPREC session; a Notification of
// the call says so). Create 200, stop by sid or name 200 (api/twilio/fork_resource.hpp).
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/twilio/request.hpp"

namespace dialtone::api {

Response create_siprec(core::Engine& engine, const ApiRequest& req);
Response update_siprec(core::Engine& engine, const ApiRequest& req);

}  // namespace dialtone::api
