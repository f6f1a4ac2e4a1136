// Twilio's request parameters, validated and turned into core's commands: Calls create and
// update bodies and the Calls list filters. Every rejection is a TwilioError with Twilio's
// code where one is known (reference §9.2); choices where Twilio is silent are noted below.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/form.hpp"
#include "core/engine.hpp"
#include "core/result.hpp"

namespace dialtone::api {

// Inline TwiML limit of the spec (characters, i.e. code points).
inline constexpr size_t kMaxTwimlChars = 4000;
inline constexpr int kMaxTimeoutS = 600;

// Absolute http(s) URL with a valid host name: letters, digits, '-' and '.' (no '_', as
// Twilio documents), an IPv4 address or a bracketed IPv6 literal; optional port 1-65535; no
// spaces or control characters. localhost and private addresses are accepted on purpose: an
// emulator's webhooks usually live there.
bool is_valid_webhook_url(std::string_view url);

// `Method`-like parameters: GET or POST in any case; absent (or empty) means POST; else 21209.
core::Result<core::HttpMethod> parse_method(const FormFields& form, std::string_view key);
// A webhook URL parameter named `key`: nullopt when valid, else 21205 (21609 for StatusCallback).
std::optional<core::TwilioError> check_url(const std::string& url, std::string_view key);

// Create: To/From (21201, 21213, 21211, 21212), Url/Twiml/ApplicationSid (21205, 21218),
// methods (21209), URLs (21205, 21609), StatusCallbackEvent (21626), Timeout (21208),
// TimeLimit/Record/SendDigits/MachineDetection (20001). Unknown parameters are ignored.
// `instructions` false: the call runs no TwiML of its own (a Participants API call joins its
// conference), so Url, Twiml and ApplicationSid are neither needed nor read.
core::Result<core::CreateCall> parse_create(const FormFields& form, std::string_view account_sid,
                                            bool instructions = true);

// Update: only given parameters are set. Url and Twiml together are rejected (the spec calls
// them mutually exclusive); Status other than canceled/completed is 400/20001.
core::Result<core::UpdateCall> parse_update(const FormFields& form);

// A date filter `name` with its `name<` and `name>` forms: a bare date is that UTC day, a
// timestamp that second; `>` on or after, `<` before. 400 20001 for an unreadable value.
std::optional<core::TwilioError> date_filter(const FormFields& q, std::string_view name,
                                             std::optional<core::TimePoint>& from,
                                             std::optional<core::TimePoint>& before);

// List filters: To, From, ParentCallSid, Status, StartTime[<>], EndTime[<>].
core::Result<core::CallFilter> parse_call_filter(const FormFields& query);

}  // namespace dialtone::api
