// An account's whole state as plain data: what GET /_dialtone/accounts/{AccountSid}/snapshot
// writes out and POST loads back (api/control/snapshot.hpp is its JSON; docs/accounts.md has the
// rules). Live calls are captured whole: their interpreter's state (core/call_runtime.hpp) and
// their timers, so that a restored call goes on exactly as the source's would have. What cannot
// be captured is a webhook still out (its answer would come back to the source): an account
// with one is refused until its webhooks are in, as they are after an advance of a manual clock.
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/behavior.hpp"
#include "core/call.hpp"
#include "core/call_runtime.hpp"
#include "core/conference/conference_book.hpp"
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

// What a live (queued, ringing or in-progress) call holds beyond its Call.
struct LiveCall {
  std::string call_sid;
  Phase phase = Phase::kIdle;
  bool answered = false;
  std::optional<Behavior> behavior;  // of the emulated party, fixed when the call was made
  Program program;
  std::string fetch_url;
  std::string dialed_by;             // the parent of a <Dial> leg
  std::string dial_noun_url;
  uint64_t gather_input_next = 0;
  int documents = 0;                 // the redirect-loop guard
  TimePoint documents_since{};
  TimePoint hold_started{};
  CallEvent ring_outcome = CallEvent::kAnswer;
  bool awaiting_fallback = false;
  bool awaiting_hold = false;
  std::optional<GatherState> gather;
  std::optional<DialState> dial;
  std::optional<QueueState> queue;
  std::optional<ConferenceState> conference;  // a participant (or a Participants API call)
};

// A timer of a live call. The snapshot lists them in the order they fire (due time, then the
// order they were armed), which is the order they are armed again.
struct LiveTimer {
  std::string call_sid;
  TimerSlot slot = TimerSlot::kLifecycle;
  TimerKind kind = TimerKind::kDial;
  TimePoint due{};
};

// A queue of the account: its sid, the callers waiting in order and the agents waiting for one.
struct QueueEntry {
  std::string name;
  std::string sid;
  int max_size = 1000;  // queue::kDefaultMaxSize
  TimePoint date_created{};
  TimePoint date_updated{};
  std::vector<std::string> callers;
  std::vector<std::string> agents;
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
  std::vector<QueueEntry> queues;                                 // by name
  // Every conference of the account, ended ones too (they stay listable), in creation order,
  // each with its participants in the order they came; a participant's call is a live call.
  std::vector<conference::Conference> conferences;
  std::vector<Call> calls;                                        // oldest first
  std::vector<LiveCall> live_calls;                               // one a live call, in order
  std::vector<LiveTimer> timers;                                  // in firing order
  std::vector<Notification> notifications;                        // each call's in order
  std::vector<JournalEvent> journal;                              // in order; seq is not kept
};

// Bounds a document must keep (a larger one is refused before anything is loaded).
inline constexpr uint64_t kMaxSnapshotSidsMade = 10'000'000;  // skip() replays the sequence

}  // namespace dialtone::core
