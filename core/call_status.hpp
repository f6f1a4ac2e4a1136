// The call state machine: one enum, one table of legal transitions, one function that applies
// an event. Handlers never test states themselves; they ask this table.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.hpp"

namespace dialtone::core {

enum class CallStatus : uint8_t {
  kQueued,
  kRinging,
  kInProgress,
  kCompleted,
  kBusy,
  kFailed,
  kNoAnswer,
  kCanceled,
};
inline constexpr int kCallStatusCount = 8;

constexpr bool is_live(CallStatus s) {
  return s == CallStatus::kQueued || s == CallStatus::kRinging || s == CallStatus::kInProgress;
}

// Everything that can happen to a call. API updates, callee behaviour, timers and TwiML all
// reduce to one of these.
enum class CallEvent : uint8_t {
  kDial,            // the call is placed: queued -> ringing
  kAnswer,          // callee picks up: ringing -> in-progress
  kBusy,            // callee busy
  kNoAnswer,        // ring timeout
  kFail,            // cannot be connected
  kHangup,          // either side ends a connected call: in-progress -> completed
  kApiCancel,       // Status=canceled
  kApiComplete,     // Status=completed
  kApiRedirect,     // Url/Twiml on update
  kReject,          // <Reject> before answer (busy or no-answer chosen by the caller of apply)
};
inline constexpr int kCallEventCount = 10;

// What applying an event does. `next` is the new status (may equal the old one); `no_op`
// marks an accepted event that changes nothing (Status=canceled on an in-progress call).
struct Transition {
  CallStatus from;
  CallStatus next;
  bool no_op = false;
};

// The one place that decides legality. Illegal combinations return a TwilioError with
// Twilio's code (21220 for any update of an ended call).
Result<Transition> apply_event(CallStatus current, CallEvent event);

std::string_view to_wire(CallStatus s);  // "in-progress"
std::optional<CallStatus> status_from_wire(std::string_view s);
std::string_view to_string(CallEvent e);

}  // namespace dialtone::core
