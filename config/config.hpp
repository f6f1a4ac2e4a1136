// dialtone's settings as one plain struct, and the loader that fills it.
// Precedence, strongest first: command-line flag > DIALTONE_* environment > JSON file given
// with --config > built-in defaults. Every scalar setting has all three spellings, derived
// from its JSON path: "webhook.connect_timeout_ms" is --webhook-connect-timeout-ms and
// DIALTONE_WEBHOOK_CONNECT_TIMEOUT_MS. Extra accounts, behaviors and numbers come only from
// the file, and so do fault rules.
// Thread-safety: plain data and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/faults/fault_rule.hpp"

namespace dialtone::config {

struct ApiKeyConfig {
  std::string sid;  // SK + 32 hex
  std::string secret;
};

struct AccountConfig {
  std::string sid;  // AC + 32 hex
  std::string auth_token;
  std::string owner_account_sid;  // empty: a main account
  std::string friendly_name;
  std::vector<ApiKeyConfig> api_keys;
  std::string secondary_auth_token{};  // empty: none (token rotation, docs/faults.md)
};

// The account that exists when nothing is configured. A valid Twilio-shaped sid that reads
// as what it is in logs and test output.
inline constexpr std::string_view kDefaultAccountSid = "ACd1a170e0000000000000000000000000";
inline constexpr std::string_view kDefaultAuthToken = "dialtone-auth-token";

struct WebhookConfig {
  int connect_timeout_ms = 5000;  // Twilio: two 5 s connect attempts
  int connect_retries = 1;
  int read_timeout_ms = 15000;    // first byte and between packets
  int total_timeout_ms = 15000;   // everything, retries included
  int max_response_bytes = 65536; // Twilio: 11750 above 64 kB
  int max_idle_per_host = 8;      // keep-alive pool size per scheme:host:port
  int max_connections_per_host = 32;  // open at once per scheme:host:port; more requests wait
  std::string ca_file;            // empty: the system's CAs
  bool insecure_tls = false;      // skip certificate verification (local dev only)
  // Hosts webhooks may go to: exact names, or "*.example.com" (any subdomain). Empty: any.
  std::vector<std::string> allowed_hosts;
};

// A scripted callee (the control API's POST /_dialtone/behaviors, lower_snake keys).
struct BehaviorConfig {
  std::string number;         // exact E.164, or a regex starting with '^'; empty with is_default
  bool is_default = false;    // JSON "default": true
  std::string outcome = "answer";  // answer | busy | no-answer | fail
  int answer_after_s = 1;
  std::string answered_by;    // human | machine_start | ...
  std::vector<std::string> gather;  // digits, or "speech:TEXT"
  std::vector<std::string> script;  // conversation turns (core/callee/script.hpp)
  std::optional<int> hangup_after_s;
  int record_seconds = 5;
};

// A phone number of an account, for inbound calls (POST /_dialtone/numbers).
struct NumberConfig {
  std::string phone_number;
  std::string account_sid;  // empty: the default account
  std::string voice_url, voice_method = "POST";
  std::string voice_fallback_url, voice_fallback_method = "POST";
  std::string status_callback, status_callback_method = "POST";
};

struct LimitsConfig {
  int calls_per_second = 0;             // Twilio's CPS emulation; 0 = off
  int max_concurrent_api_requests = 0;  // 429/20429 above this many in flight; 0 = off
  int max_body_bytes = 1 << 20;
  int max_header_bytes = 8 << 10;
  int max_connections = 1024;
  int idle_timeout_s = 60;  // keep-alive connection with no request
  int read_timeout_s = 30;  // one request, from its first byte
};

// true, false, or auto: decided by where dialtone listens (control_api_enabled()).
enum class Toggle : uint8_t { kAuto, kTrue, kFalse };

struct ControlApiConfig {
  Toggle enabled = Toggle::kAuto;
  std::string token;  // empty: no token needed
};

struct Config {
  std::string host = "127.0.0.1";
  int port = 7070;  // 0: any free port (the first log line names the one bound)
  int threads = 0;  // I/O threads; 0: from the cores (server/io_threads.hpp)
  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // trace | debug | info | warn | error | off
  std::string account_sid{kDefaultAccountSid};
  std::string auth_token{kDefaultAuthToken};
  std::string secondary_auth_token;  // the default account's; empty: none
  std::vector<AccountConfig> accounts;
  std::vector<BehaviorConfig> behaviors;  // only from the file
  std::vector<NumberConfig> numbers;      // only from the file
  // Fault rules on Twilio's API (docs/faults.md), only from the file, as written there: an
  // empty account_sid means the default account, and the defaults core::faults::complete()
  // fills are not filled yet (validate() checks a completed copy).
  std::vector<core::faults::FaultRule> faults;
  std::string clock = "real";  // real | manual
  double clock_speed = 1.0;    // real mode: virtual seconds per wall second
  int ring_seconds = 1;
  int play_seconds = 5;
  // Where RecordingUrl and media_url point (docs/recordings.md): Twilio's host by default.
  std::string media_base_url = "https://api.twilio.com";
  WebhookConfig webhook;
  LimitsConfig limits;
  int shutdown_timeout_s = 10;
  ControlApiConfig control_api;
  std::string data_dir;  // persistence (server/store.hpp); empty: nothing is kept
  // Decimal seed of every sid and random choice (each account's world derives its own from
  // it); empty: a random one per start. Two runs of the same test with the same seed give
  // the same sids.
  std::string seed;
  std::string config_file;  // the file that was read, for the startup log
};

struct LoadResult {
  Config config;
  std::string error;       // non-empty: startup must fail, this names the setting
  bool show_help = false;  // --help was given
  bool ok() const { return error.empty(); }
};

// Reads the environment; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

// args excludes argv[0].
LoadResult load(const std::vector<std::string>& args, const EnvLookup& env);
LoadResult load(int argc, char** argv);

// Parses one JSON document into `config` (over whatever it holds). Error message or "".
std::string apply_json(std::string_view json, std::string_view source, Config& config);

// Checks cross-field rules (ranges, enums, sid shapes). Error message or "".
std::string validate(const Config& config);

std::string help_text();

// control_api.enabled resolved: auto means on when listening on a loopback address (only this
// machine can reach it) or when a token guards it; off otherwise.
bool control_api_enabled(const Config& config);
bool is_loopback_host(std::string_view host);

}  // namespace dialtone::config
