// The control API of Twilio's failures on demand (docs/faults.md): the rules of
// /_dialtone/faults from parameters and back to JSON, the selection a DELETE clears, the
// signature fault of /_dialtone/accounts/{AccountSid}/signature, and what a status fault
// answers on Twilio's API. The rule table itself is server/faults/.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "api/route.hpp"
#include "core/faults/fault_rule.hpp"
#include "core/result.hpp"

namespace dialtone::api {

// POST /_dialtone/faults: AccountSid (default: `default_account`), Method, Route, Kind,
// Status, Code, Message, RetryAfter, LatencyMs, Times, Probability, Seed, Applied. A 400
// naming the field when a value is malformed or the rule does not hold together, and for a
// parameter it does not know (a misspelt Times would otherwise fail every request for ever).
core::Result<core::faults::FaultRule> parse_fault_rule(const FormFields& params,
                                                       const std::string& default_account);

// {"id": 1, "account_sid": .., "method": "POST" or "*", "route": "Calls" or "*", "kind": ..,
//  "status", "code", "message", "retry_after" (null when none), "latency_ms",
//  "times" (null: no limit), "probability" (null: every request), "seed" (null without
//  probability), "applied", "source", "matched", "injected", "remaining" (null: no limit)}
std::string fault_rule_json(const core::faults::RuleEntry& entry);

struct SignatureFaultView {
  std::string account_sid;
  core::faults::SignatureFault fault = core::faults::SignatureFault::kNone;
};
// {"rules": [...], "signature_faults": [{"account_sid", "fault"}]}
std::string faults_json(const std::vector<core::faults::RuleEntry>& rules,
                        const std::vector<SignatureFaultView>& signature_faults);
// {"account_sid": .., "fault": "wrong-key"}
std::string signature_fault_json(const SignatureFaultView& view);

// DELETE /_dialtone/faults: Id= (one rule), AccountSid= (an account's rules and signature
// fault), or neither (everything).
struct FaultSelection {
  std::optional<uint64_t> id;
  std::string account_sid;
};
core::Result<FaultSelection> parse_fault_selection(const FormFields& params);

// POST /_dialtone/accounts/{AccountSid}/signature: Fault=wrong-key|none.
core::Result<core::faults::SignatureFault> parse_signature_fault_param(const FormFields& params);

// A status fault's answer on Twilio's API: Twilio's error envelope (code and more_info when
// the rule has a code) in the format of the requested path, and Retry-After when the rule
// has one.
Response fault_status_response(const core::faults::FaultRule& rule, Format format);

}  // namespace dialtone::api
