// What a live call's TwiML interpreter holds, as plain data: its phase, its place in a document,
// and the state of the verb that waits (a <Gather>'s input, a <Dial>'s legs, a queue). The
// engine keeps it per call (engine_impl.hpp's CallRuntime); an account's snapshot carries it
// (core/snapshot/), so that a live call restored elsewhere goes on from where it was.
// Thread-safety: plain data; a Document is immutable and safe to share.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call.hpp"
#include "core/call_status.hpp"
#include "core/time.hpp"
#include "core/twiml/document.hpp"
#include "core/world/timer_heap.hpp"

namespace dialtone::core {

// What the call is doing right now.
enum class Phase : uint8_t {
  kIdle,      // no TwiML running (not answered yet, or ended)
  kFetching,  // waiting for TwiML from the app
  kVerb,      // a timed verb (Say/Play/Pause) is running
  kGather,
  kDial,
  kRecord,
  kEnqueued,  // waiting in a queue, hold music running
  kBridged,   // taken out of a queue by someone's <Dial><Queue> (its whisper first)
  kConference,  // in a conference (core/conference/), waiting or talking
  kConnect,   // <Connect><Stream>: until the app closes the socket
};

// A position in a TwiML document.
struct Program {
  std::shared_ptr<const twiml::Document> doc;
  std::string url;      // where it came from (base for relative URLs); empty for inline TwiML
  size_t index = 0;     // next verb of <Response>
  size_t sub = 0;       // next nested verb of a <Gather>
  bool active() const { return doc != nullptr; }
};

struct GatherState {
  std::string digits;
  std::string speech;
  std::string finished_on_key;
  bool prompts_done = false;
  bool in_hold = false;  // a <Gather> of a queue's wait document: it runs on QueueState::hold
  // A scripted callee's speech (core/callee/engine_callee.cpp): the utterance being heard,
  // its confidence, the partial results sent.
  bool hearing = false;        // an utterance is under way and counts
  double confidence = 0.9;
  uint32_t partials = 0;       // SequenceNumber of the last partial result
};

struct DialState {
  std::vector<std::string> legs;  // child calls still ringing or bridged
  std::string bridged_sid;        // the leg that answered (or the dequeued caller)
  std::string last_sid;           // for DialCallSid when nobody answered
  std::string queue;              // <Dial><Queue>
  Webhook whisper;                // its url: requested on the caller's leg at the bridge
  TimePoint bridged_at{};
  TimePoint started_at{};
  std::string outcome;            // DialCallStatus once decided
};

struct QueueState {
  std::string name;
  std::string agent_sid;          // the call whose <Dial><Queue> took this caller
  std::string sid;                // QU...
  TimePoint since{};
  uint64_t ticket = 0;            // its place in the queue's order (queue::Queue::push)
  Webhook action;
  Webhook wait_url;
  Program hold;                   // the waitUrl document running in a loop; once taken by an
                                  // agent, the <Queue url> whisper document
  bool whispering = false;        // taken, hearing the whisper: not bridged yet
};

// A call's part in a conference (<Dial><Conference> or the Participants API); the conference
// itself lives in the world's ConferenceBook (core/conference/conference_book.hpp).
struct ConferenceState {
  std::string sid;                // CF...
  bool via_api = false;           // placed by the Participants API: no TwiML to go back to
  bool hangup_on_star = false;    // <Dial hangupOnStar>
  Webhook wait_url;               // fetched while the conference waits to start
  bool default_music = true;      // no waitUrl: Twilio's playlist, simulated without a fetch
  Webhook hold_url;               // the Participant update's HoldUrl
  Program music;                  // the wait or hold document running, or an announcement
  std::string leave_reason;       // set by an API command just before the call leaves
  std::string announcing;         // the AnnounceUrl playing to this call now (in `music`; the
                                  // wait or hold music comes back after it)
  bool announce_to_all = false;   // that announcement is the conference's, not this call's
};

// Names as a snapshot writes them ("gather", "verb", "ring-outcome", ...), and back.
std::string_view to_string(Phase p);
std::optional<Phase> phase_from(std::string_view name);
std::string_view to_string(TimerSlot s);
std::optional<TimerSlot> timer_slot_from(std::string_view name);
std::string_view to_string(TimerKind k);
std::optional<TimerKind> timer_kind_from(std::string_view name);
std::optional<CallEvent> call_event_from(std::string_view name);  // to_string's inverse

}  // namespace dialtone::core
