// An account's world: everything one test worker owns alone. Calls, queues and conferences never
// cross accounts, so an account (with its subaccounts) is dialtone's isolation boundary: each
// root account has its own clock and timers, scripted callees, phone numbers, calls-per-second
// limit and sid generator. Advancing one world's clock fires that world's timers and no other's;
// resetting one leaves the others alone. docs/accounts.md has the choices made.
// Thread-safety: owned by the Engine (one owner at a time); `clock` is safe to read anywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/behavior.hpp"
#include "core/callee/conversation.hpp"
#include "core/conference/conference_book.hpp"
#include "core/media/clip.hpp"
#include "core/call_resources/call_resource_book.hpp"
#include "core/number_store.hpp"
#include "core/queue/queue_book.hpp"
#include "core/recording/recording_book.hpp"
#include "core/relay/relay_book.hpp"
#include "core/sid.hpp"
#include "core/stream/stream_book.hpp"
#include "core/time.hpp"
#include "core/world/timer_heap.hpp"

namespace dialtone::core {

struct World {
  std::string sid;               // the root account; its subaccounts live here too
  uint64_t seed = 0;             // sids (and every random choice) follow from it
  std::unique_ptr<Clock> clock;  // made by the engine's ClockFactory; never null
  BehaviorTable behaviors;       // the scripted callees of this world's calls
  NumberStore numbers;           // the phone numbers of this world's accounts
  queue::QueueBook queues;       // the queues of this world's accounts (core/queue/)
  conference::ConferenceBook conferences;  // its conferences (core/conference/)
  stream::StreamBook streams;    // the Media Streams of this world's calls (core/stream/)
  call_resources::CallResourceBook call_resources;  // Siprec, Payments, ... (not emulated)
  recording::RecordingBook recordings;  // its calls' recordings (core/recording/)
  callee::ConversationBook conversations;  // scripted callees' conversations (core/callee/)
  relay::RelayBook relays;       // <Connect><ConversationRelay> sessions (core/relay/)
  media::ClipBook clips;         // audio clips its callees can say (core/media/clip.hpp)
  SidGenerator sids;
  int calls_per_second = 0;      // Twilio's CPS limit emulation; 0 = off
  TimePoint next_dial_slot{};    // when the next call may dial under that limit
  TimerHeap timers;
  bool touched = false;          // listed in Engine::take_touched() since the host last looked
};

// What a new world starts with (from the configuration): the scripted callees, the limit.
struct WorldTemplate {
  BehaviorTable behaviors;
  int calls_per_second = 0;
};

// Makes the clock of a new world. The server's clocks switch between real and manual time at
// runtime; the unit tests share one manual clock between every world.
using ClockFactory = std::function<std::unique_ptr<Clock>(const std::string& root_sid)>;

// The seed of a world that was given none: derived from the engine's seed and the root
// account's sid, so that one engine seed reproduces every world and no two worlds share sids.
uint64_t world_seed(uint64_t engine_seed, const std::string& root_sid);

// A seed as people write it (the --seed setting, an account's Seed): a decimal uint64.
std::optional<uint64_t> parse_seed(std::string_view text);

}  // namespace dialtone::core
