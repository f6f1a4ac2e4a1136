// Twilio's failures on demand (docs/faults.md): what a fault rule is (which requests of an
// account fail, how, and when), the checks every rule passes wherever it comes from (the
// control API or the config file), the seeded draw that makes a probabilistic rule replay, and
// the per-account webhook signature faults. Only the description lives here; the table that
// matches requests and the injection itself are server/faults/.
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dialtone::core::faults {

enum class FaultKind : uint8_t {
  kStatus,   // an HTTP error in Twilio's envelope (429/20429 + Retry-After, 500/20500, ...)
  kLatency,  // the real answer, LatencyMs late
  kReset,    // the connection is reset (TCP RST), no answer
  kHang,     // no answer at all until the client gives up (or the server's idle timeout)
};
std::string_view to_string(FaultKind kind);  // "status", "latency", "reset", "hang"
std::optional<FaultKind> parse_fault_kind(std::string_view text);

// The Twilio routes a rule can name: api::RouteKind's, written as in Twilio's docs after
// /2010-04-01/Accounts/{AccountSid}/, with the methods each serves. A rule matches a route
// whatever its suffix (.json, .xml or none). tests/api checks this table against api/route.hpp.
struct RouteTemplate {
  std::string_view name;
  std::string_view methods;  // "GET, POST"
};
inline constexpr std::array<RouteTemplate, 30> kRouteTemplates{{
    {"Calls", "GET, POST"},
    {"Calls/{Sid}", "GET, POST, DELETE"},
    {"Calls/{Sid}/Notifications", "GET"},
    {"Calls/{Sid}/Notifications/{Sid}", "GET"},
    {"Calls/{Sid}/Events", "GET"},
    {"Queues", "GET, POST"},
    {"Queues/{Sid}", "GET, POST, DELETE"},
    {"Queues/{Sid}/Members", "GET"},
    {"Queues/{Sid}/Members/{CallSid}", "GET, POST"},
    {"Conferences", "GET"},
    {"Conferences/{Sid}", "GET, POST"},
    {"Conferences/{Sid}/Participants", "GET, POST"},
    {"Conferences/{Sid}/Participants/{CallSid}", "GET, POST, DELETE"},
    {"Calls/{Sid}/Streams", "POST"},
    {"Calls/{Sid}/Streams/{Sid}", "POST"},
    {"Calls/{Sid}/Siprec", "POST"},
    {"Calls/{Sid}/Siprec/{Sid}", "POST"},
    {"Calls/{Sid}/Transcriptions", "POST"},
    {"Calls/{Sid}/Transcriptions/{Sid}", "POST"},
    {"Calls/{Sid}/Payments", "POST"},
    {"Calls/{Sid}/Payments/{Sid}", "POST"},
    {"Calls/{Sid}/UserDefinedMessages", "POST"},
    {"Calls/{Sid}/UserDefinedMessageSubscriptions", "POST"},
    {"Calls/{Sid}/UserDefinedMessageSubscriptions/{Sid}", "DELETE"},
    {"Calls/{Sid}/Recordings", "GET, POST"},
    {"Calls/{Sid}/Recordings/{Sid}", "GET, POST, DELETE"},
    {"Recordings", "GET"},
    {"Recordings/{Sid}", "GET, DELETE"},
    {"Conferences/{Sid}/Recordings", "GET"},
    {"Conferences/{Sid}/Recordings/{Sid}", "GET, POST, DELETE"},
}};

inline constexpr int kMaxLatencyMs = 60'000;
inline constexpr int kMaxRetryAfterS = 86'400;
inline constexpr uint64_t kMaxTimes = 1'000'000'000;
// 2^53 - 1: every JSON client (JavaScript's numbers included) reads a seed back exactly.
inline constexpr uint64_t kMaxSeed = (uint64_t{1} << 53) - 1;

struct FaultRule {
  std::string account_sid;  // AC...; whoever builds a rule puts the default account for ""
  std::string method;       // GET | POST | DELETE; "" (or "*" before checking): any
  std::string route;        // a kRouteTemplates name; "" (or "*" before checking): any
  FaultKind kind = FaultKind::kStatus;
  int status = 0;       // kStatus: 400..599
  int code = 0;         // Twilio's error code; defaults 20429, 20500, 20503 (by status)
  std::string message;  // defaults to the status's reason phrase
  std::optional<int> retry_after_s;   // Retry-After header; a 429 gets 1 unless given
  int latency_ms = 0;                 // kLatency: how late; other kinds: a wait before the fault
  std::optional<uint64_t> times;      // at most this many injections; nullopt: no limit
  std::optional<double> probability;  // (0, 1]: per consulted request; nullopt: every one
  std::optional<uint64_t> seed;       // of the draws; the table picks one when missing
  bool applied = false;               // run the request first (its effect stays), then fail
};

// A rule in a table: its id, where it came from and what it did so far.
struct RuleEntry {
  uint64_t id = 0;
  FaultRule rule;
  std::string source;     // "config" or "api"
  uint64_t matched = 0;   // requests it was consulted on (see server/faults/fault_table.hpp)
  uint64_t injected = 0;  // faults it injected
};

// The fields of a rule, for error messages in the spelling of where the rule came from.
enum class FaultField : uint8_t {
  kAccountSid,
  kMethod,
  kRoute,
  kKind,
  kStatus,
  kCode,
  kMessage,
  kRetryAfter,
  kLatencyMs,
  kTimes,
  kProbability,
  kSeed,
  kApplied,
};
inline constexpr size_t kFaultFieldCount = 13;
std::string_view control_name(FaultField field);  // "RetryAfter" (the control API)
std::string_view config_name(FaultField field);   // "retry_after" (the config file)

struct RuleProblem {
  FaultField field;
  std::string reason;  // "must be 400..599"
};

// Normalises a rule ("*" -> any, methods upper-case), fills the defaults of a status fault
// (code, message, Retry-After for a 429) and checks every field and their combinations.
// Leaves `seed` alone. nullopt: the rule is good.
std::optional<RuleProblem> complete(FaultRule& rule);

// The seeded draw: whether a rule with this seed and probability fires on the n-th request
// it is consulted on (n from 0). The n-th output of SplitMix64 seeded with `seed`, as a
// fraction of 2^64, compared with `probability`: the same seed gives the same sequence on any
// machine, so a failing run replays.
bool draw(uint64_t seed, uint64_t n, double probability);
uint64_t splitmix64_at(uint64_t seed, uint64_t n);

// Webhook signature faults of an account, for the app's own signature checks.
enum class SignatureFault : uint8_t {
  kNone,      // signed with the account's auth token, as Twilio signs
  kWrongKey,  // signed with wrong_signing_key(token): the app must reject every webhook
};
std::string_view to_string(SignatureFault fault);  // "none", "wrong-key"
std::optional<SignatureFault> parse_signature_fault(std::string_view text);
// The key a kWrongKey account's webhooks are signed with: its auth token plus "-wrong-key",
// so a test can tell this fault from any other bad signature.
std::string wrong_signing_key(std::string_view auth_token);

}  // namespace dialtone::core::faults
