// Twilio's Payments resource of a Call: kept, not emulated (nothing is captured or charged; a
// Notification of the call says so). Create 201, update 202, both with IdempotencyKey and
// StatusCallback required, as the spec has them.
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/twilio/request.hpp"

namespace dialtone::api {

Response create_payment(core::Engine& engine, const ApiRequest& req);
Response update_payment(core::Engine& engine, const ApiRequest& req);

}  // namespace dialtone::api
