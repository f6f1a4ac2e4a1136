// POST/GET/DELETE /_dialtone/behaviors: scripted callees. A rule matches an exact E.164 number
// or a regex (starting with '^'); Default=true sets what every other number does. Each
// account's world has its own table (the caller picks it by AccountSid).
// Thread-safety: called with exclusive access to the Engine.
#pragma once

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/behavior.hpp"
#include "core/engine.hpp"
#include "core/result.hpp"

namespace dialtone::api {

// Outcome, AnswerAfter, AnsweredBy, Gather (repeated), HangupAfter, RecordSeconds; everything
// else keeps core::Behavior's default.
core::Result<core::Behavior> parse_behavior(const FormFields& params);

Response add_behavior(core::BehaviorTable& table, const FormFields& params);  // 201
Response list_behaviors(const core::BehaviorTable& table);                  // 200
Response clear_behaviors(core::BehaviorTable& table, int ring_seconds);     // 200

}  // namespace dialtone::api
