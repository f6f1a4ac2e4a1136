// The control API's (/_dialtone/...) shared plumbing: its routes, its parameters (a form body,
// a JSON body with arrays as repeated values, and the query string), its JSON answers and its
// error envelope {"message": .., "status": ..} (+ "code" and "more_info" for a Twilio code).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace dialtone::api {

enum class ControlKind {
  kHealth,        // GET
  kMetrics,       // GET
  kClock,         // GET, POST
  kClockAdvance,  // POST
  kBehaviors,     // GET, POST, DELETE
  kNumbers,       // GET, POST
  kCalls,         // POST (inbound call)
  kCallAction,    // POST /calls/{CallSid}/{answer|busy|no-answer|fail|hangup|digits|speech|
                  //                       say|press}
  kCallEvents,    // GET  /calls/{CallSid}/events
  kEvents,        // GET
  kReset,         // POST
  kAccounts,      // GET, POST
  kAccount,       // GET, DELETE /accounts/{AccountSid}
  kLimits,        // GET, POST
  kConsole,       // GET /_dialtone/ (the console page) and /_dialtone/console/{file}
  kStream,        // GET /_dialtone/stream (Server-Sent Events: journal and call changes)
  kFaults,        // GET, POST, DELETE /_dialtone/faults (docs/faults.md)
  kAccountSecondaryToken,  // POST, DELETE /_dialtone/accounts/{AccountSid}/secondary-token
  kAccountPromote,         // POST /_dialtone/accounts/{AccountSid}/promote
  kAccountSignature,       // GET, POST /_dialtone/accounts/{AccountSid}/signature
  kAccountSnapshot,        // GET, POST /_dialtone/accounts/{AccountSid}/snapshot
  kStreamHeard,            // GET /_dialtone/streams/{StreamSid}/heard (WAV; docs/streams.md)
  kCallTranscript,         // GET /_dialtone/calls/{CallSid}/transcript (docs/conversations.md)
  kAudio,                  // GET /_dialtone/audio (docs/conversations.md, "Audio clips")
  kAudioClip,              // GET, PUT, POST, DELETE /_dialtone/audio/{Name}
};

struct ControlRoute {
  ControlKind kind = ControlKind::kHealth;
  std::string call_sid;     // kCallAction, kCallEvents
  std::string account_sid;  // kAccount and the kAccount* routes: the account's sid
  std::string action;  // kCallAction: "answer", ..., "digits", "speech"; kConsole: the file;
                       // kStreamHeard: the stream's sid; kAudioClip: the clip's name
};

inline constexpr std::string_view kControlPrefix = "/_dialtone/";

// nullopt: no such control route (404).
std::optional<ControlRoute> match_control(std::string_view path);
std::string_view control_allowed_methods(ControlKind kind);  // "GET, POST"
bool control_method_allowed(ControlKind kind, std::string_view method);

// The request's parameters: the query string, then the body (form, or a JSON object whose
// arrays become repeated values). Unparseable input gives a 400 naming what is wrong.
core::Result<FormFields> control_params(const Request& req);

Response control_json(int status, std::string body);
Response control_error(int status, std::string message, int code = 0);
Response control_error(const core::TwilioError& error);
// A 400 of the control API (no Twilio code): a parameter it cannot take, named in `message`.
inline core::TwilioError bad_control_param(std::string message) {
  return core::TwilioError{400, 0, std::move(message), {}};
}
// 404/405 for a path or method the control API does not serve (405 carries Allow).
Response control_not_found(std::string_view path);
Response control_method_not_allowed(ControlKind kind);

// "2026-01-01T00:00:00.000Z"
std::string format_iso_ms(core::TimePoint t);

// Parameter helpers: "true"/"false" (also 1/0), decimal seconds -> ms. False on bad text.
bool parse_bool_param(std::string_view text, bool& out);
bool parse_seconds(std::string_view text, double max_s, int64_t& out_ms);

}  // namespace dialtone::api
