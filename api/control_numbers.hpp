// POST/GET /_dialtone/numbers (an account's phone numbers and where their inbound calls go) and
// POST /_dialtone/calls (a simulated inbound call to one of them).
// Thread-safety: called with exclusive access to the Engine.
#pragma once

#include <string>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// PhoneNumber, AccountSid (default: `default_account`), VoiceUrl, VoiceMethod, VoiceFallbackUrl,
// VoiceFallbackMethod, StatusCallback, StatusCallbackMethod -> 201 with the number (PN sid).
Response add_number(core::Engine& engine, const FormFields& params,
                    const std::string& default_account);
// Every number, or those of AccountSid.
Response list_numbers(core::Engine& engine, const FormFields& params);
// From, To -> 201 with the inbound call; 404 when To is no number of AccountSid (if given).
Response start_inbound_call(core::Engine& engine, const FormFields& params, core::Effects& out);

}  // namespace dialtone::api
