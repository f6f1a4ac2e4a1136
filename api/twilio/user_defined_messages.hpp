// Twilio's UserDefinedMessages and UserDefinedMessageSubscriptions of a Call (Voice SDK call
// message events): kept, not emulated (no SDK client gets a message, no callback is called; a
// Notification of the call says so). Message create 201; subscription create 201, delete 204.
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include "api/twilio/request.hpp"

namespace dialtone::api {

Response create_user_defined_message(core::Engine& engine, const ApiRequest& req);
Response create_user_defined_message_subscription(core::Engine& engine, const ApiRequest& req);
Response delete_user_defined_message_subscription(core::Engine& engine, const ApiRequest& req);

}  // namespace dialtone::api
