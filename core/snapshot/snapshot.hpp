// An account's whole state as plain data: what GET /_dialtone/accounts/{AccountSid}/snapshot
// writes out and POST loads back (api/control/snapshot.hpp is its JSON; docs/accounts.md has the
// rules). Only a settled account can be captured: its calls have all ended and no webhook of it
// is out, so that nothing of the interpreter (its place in a TwiML document, timers, gathers)
// is left to capture, and a restored account is the source's exactly, not an approximation.
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/behavior.hpp"
#include "core/call.hpp"
#include "core/journal.hpp"
#include "core/notification.hpp"
#include "core/number_store.hpp"
#include "core/time.hpp"

namespace dialtone::core {

// How the world's clock reads. The engine knows only `now`; the mode and speed belong to the
// server's switchable clocks, which fill them in and set them back.
struct ClockReading {
  std::string mode = "manual";  // "manual" or "real"
  double speed = 1.0;
  TimePoint now{};
};

struct AccountSnapshot {
  std::string account_sid;  // the source: its sid in every record and text of the document
  ClockReading clock;
  // The world's sid sequence: its seed and how many sids it has made, so that a restored
  // world goes on with the sids the source would have made next.
  uint64_t seed = 0;
  uint64_t sids_made = 0;
  int calls_per_second = 0;
  TimePoint next_dial_slot{};  // where the calls-per-second limit lets the next call dial
  BehaviorTable behaviors;
  std::vector<PhoneNumber> numbers;                               // by phone number
  std::vector<std::pair<std::string, std::string>> queue_sids;    // (queue name, QU sid)
  std::vector<Call> calls;                                        // oldest first, all ended
  std::vector<Notification> notifications;                        // each call's in order
  std::vector<JournalEvent> journal;                              // in order; seq is not kept
};

// Bounds a document must keep (a larger one is refused before anything is loaded).
inline constexpr uint64_t kMaxSnapshotSidsMade = 10'000'000;  // skip() replays the sequence

}  // namespace dialtone::core
