#include "core/call_status.hpp"

#include <array>
#include <string>

namespace dialtone::core {
namespace {

using S = CallStatus;
using E = CallEvent;

// One row per event, one column per current status. kIllegal: the event cannot happen in
// that state; kEnded: an API update of an ended call (Twilio's 21220); kSame: accepted,
// status unchanged; kNoOp: accepted and changes nothing at all (canceled on in-progress).
enum class Cell : uint8_t { kQueued, kRinging, kInProgress, kCompleted, kBusy, kFailed,
                            kNoAnswer, kCanceled, kIllegal, kEnded, kSame, kNoOp };
constexpr Cell X = Cell::kIllegal, END = Cell::kEnded, SAME = Cell::kSame, NOOP = Cell::kNoOp;

//                      queued          ringing         in-progress        completed busy fail na  canc
constexpr std::array<std::array<Cell, kCallStatusCount>, kCallEventCount> kTable = {{
  /* kDial        */ {{Cell::kRinging,  X,              X,                 X,   X,   X,   X,   X}},
  /* kAnswer      */ {{X,               Cell::kInProgress, X,              X,   X,   X,   X,   X}},
  /* kBusy        */ {{Cell::kBusy,     Cell::kBusy,    X,                 X,   X,   X,   X,   X}},
  /* kNoAnswer    */ {{Cell::kNoAnswer, Cell::kNoAnswer, X,                X,   X,   X,   X,   X}},
  /* kFail        */ {{Cell::kFailed,   Cell::kFailed,  X,                 X,   X,   X,   X,   X}},
  /* kHangup      */ {{X,               X,              Cell::kCompleted,  X,   X,   X,   X,   X}},
  /* kApiCancel   */ {{Cell::kCanceled, Cell::kCanceled, NOOP,             END, END, END, END, END}},
  /* kApiComplete */ {{Cell::kCanceled, Cell::kCanceled, Cell::kCompleted, END, END, END, END, END}},
  /* kApiRedirect */ {{SAME,            SAME,           SAME,              END, END, END, END, END}},
  /* kReject      */ {{X,               Cell::kBusy,    X,                 X,   X,   X,   X,   X}},
}};

constexpr std::array<std::string_view, kCallStatusCount> kWire = {
    "queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"};

}  // namespace

Result<Transition> apply_event(CallStatus current, CallEvent event) {
  const Cell cell = kTable[static_cast<size_t>(event)][static_cast<size_t>(current)];
  switch (cell) {
    case Cell::kIllegal:
      return TwilioError{409, 0,
                         "Cannot " + std::string(to_string(event)) + " a call that is " +
                             std::string(to_wire(current)),
                         {}};
    case Cell::kEnded:
      return TwilioError{400, 21220, "Call is not in-progress. Cannot redirect.", {}};
    case Cell::kSame:
      return Transition{current, current, false};
    case Cell::kNoOp:
      return Transition{current, current, true};
    default:
      return Transition{current, static_cast<CallStatus>(cell), false};
  }
}

std::string_view to_wire(CallStatus s) { return kWire[static_cast<size_t>(s)]; }

std::optional<CallStatus> status_from_wire(std::string_view s) {
  for (size_t i = 0; i < kWire.size(); ++i)
    if (kWire[i] == s) return static_cast<CallStatus>(i);
  return std::nullopt;
}

std::string_view to_string(CallEvent e) {
  static constexpr std::array<std::string_view, kCallEventCount> kNames = {
      "dial", "answer", "busy", "no-answer", "fail", "hang up", "cancel", "complete",
      "redirect", "reject"};
  return kNames[static_cast<size_t>(e)];
}

}  // namespace dialtone::core
