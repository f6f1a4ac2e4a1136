// The Call and its Notifications, each described once (resource/resource.hpp): their fields in
// the spec's order. The descriptions render XML (and the Notifications' JSON); the Call's JSON
// has a hand-tuned writer (render_json.cpp) that a test holds to this description.
// Thread-safety: constants.
#pragma once

#include "api/resource/resource.hpp"
#include "core/call.hpp"
#include "core/notification.hpp"

namespace dialtone::api {

extern const resource::Description<core::Call> kCallDescription;
// request_variables, response_body and response_headers are the fetch's only (instance_only).
extern const resource::Description<core::Notification> kNotificationDescription;

}  // namespace dialtone::api
