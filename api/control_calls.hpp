// POST /_dialtone/calls/{CallSid}/{answer|busy|no-answer|fail|hangup|digits|speech}: the
// emulated party of a live call acts. Answers 200 with the call as Twilio renders it.
// Thread-safety: called with exclusive access to the Engine.
#pragma once

#include <string>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// The call with this sid in any account, or nullptr. Control routes name calls by sid alone.
const core::Call* find_any_call(const core::Engine& engine, const std::string& call_sid);

Response callee_act(core::Engine& engine, const std::string& call_sid, const std::string& action,
                    const FormFields& params, core::Effects& out);

}  // namespace dialtone::api
