// Private to the engine's .cpp files: the per-call runtime state, timers and the interpreter's
// program counters. Not part of core's public interface.
// Thread-safety: owned by the Engine.
#pragma once

#include <map>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/engine.hpp"
#include "core/twiml/document.hpp"

namespace dialtone::core {

// Independent timers a call can have at once; arming one replaces the previous timer in the
// same slot (stale entries are skipped by generation).
enum class TimerSlot : uint8_t { kLifecycle, kVerb, kTimeLimit, kCalleeHangup, kCount };

enum class TimerKind : uint8_t {
  kDial,           // queued -> ringing
  kRingOutcome,    // the callee answers / is busy / fails / does not answer
  kVerbDone,       // Say, Play, Pause finished
  kGatherInput,    // the scripted callee presses its digits or speaks
  kGatherTimeout,  // Gather waited long enough
  kDialTimeout,    // nobody answered the <Dial> in time
  kDialTimeLimit,  // <Dial timeLimit> reached
  kRecordDone,     // <Record> finished
  kTimeLimit,      // the call's TimeLimit
  kCalleeHangup,   // the scripted callee hangs up
};

struct Timer {
  TimePoint due;
  uint64_t seq;  // ties fire in the order they were armed
  std::string call_sid;
  TimerSlot slot;
  TimerKind kind;
  uint64_t gen;
  bool operator>(const Timer& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

// What the call is doing right now.
enum class Phase : uint8_t {
  kIdle,      // no TwiML running (not answered yet, or ended)
  kFetching,  // waiting for TwiML from the app
  kVerb,      // a timed verb (Say/Play/Pause) is running
  kGather,
  kDial,
  kRecord,
  kEnqueued,  // waiting in a queue, hold music running
  kBridged,   // taken out of a queue by someone's <Dial><Queue>
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
};

struct DialState {
  std::vector<std::string> legs;  // child calls still ringing or bridged
  std::string bridged_sid;        // the leg that answered (or the dequeued caller)
  std::string last_sid;           // for DialCallSid when nobody answered
  std::string queue;              // <Dial><Queue>
  TimePoint bridged_at{};
  TimePoint started_at{};
  std::string outcome;            // DialCallStatus once decided
};

struct QueueState {
  std::string name;
  std::string agent_sid;          // the call whose <Dial><Queue> took this caller
  std::string sid;                // QU...
  TimePoint since{};
  Webhook action;
  Webhook wait_url;
  Program hold;                   // the waitUrl document running in a loop
};

struct CallRecord {
  Call call;
  uint64_t order = 0;             // creation order within the engine
  uint64_t gens[static_cast<size_t>(TimerSlot::kCount)] = {};
  Behavior behavior;              // of the emulated party, fixed when the call starts
  size_t gather_input_next = 0;
  Phase phase = Phase::kIdle;
  Program program;
  uint64_t awaiting = 0;          // id of the TwiML fetch whose body runs next
  bool awaiting_fallback = false; // that fetch is the FallbackUrl
  Webhook voice_fallback;         // inbound: the number's VoiceFallbackUrl
  int documents = 0;              // fetched since documents_since (the redirect-loop guard)
  TimePoint documents_since{};
  GatherState gather;
  DialState dial;
  QueueState queue;
  bool answered = false;
  CallEvent ring_outcome = CallEvent::kAnswer;  // what the callee will do when ringing ends
  bool awaiting_hold = false;     // the fetch in flight is the queue's waitUrl
  std::string fetch_url;          // URL of the TwiML fetch in flight (ErrorUrl on failure)
  TimePoint hold_started{};       // when the current hold-music document started
  std::string dialed_by;          // parent sid for <Dial> legs
  std::string dial_noun_url;      // <Number url=...> whisper (not run; recorded)
  std::vector<std::string> notifications;  // NO sids
};

struct PendingWebhook {
  std::string call_sid;
  WebhookPurpose purpose;
  std::string url;
  std::string method;
  std::string params;  // form-encoded, for notifications
};

struct Engine::Impl {
  Engine& engine;
  SidGenerator sids;
  uint64_t next_order = 1;
  uint64_t next_timer_seq = 1;
  uint64_t next_webhook_id = 1;
  TimePoint next_dial_slot{};  // calls-per-second emulation
  // Persistence bookkeeping: what take_changes() reports next.
  std::unordered_set<std::string> dirty_calls;
  std::vector<std::string> deleted_calls;
  std::vector<std::string> new_notifications;
  uint64_t persisted_seq = 0;
  bool reset_all = false;
  std::vector<std::string> reset_accounts;
  std::unordered_map<std::string, std::unique_ptr<CallRecord>> calls;
  std::unordered_map<std::string, std::vector<CallRecord*>> by_account;  // creation order
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  std::unordered_map<uint64_t, PendingWebhook> pending;
  std::unordered_map<std::string, Notification> notifications;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> queues;  // (AC, name)
  std::map<std::pair<std::string, std::string>, std::string> queue_sids;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> queue_agents;

  Impl(Engine& e, uint64_t seed) : engine(e), sids(seed) {}

  TimePoint now() const { return engine.clock_.now(); }
  const EngineConfig& config() const { return engine.config_; }
  CallRecord* get(const std::string& sid);

  // lifecycle (engine_lifecycle.cpp)
  CallRecord& add_call(Call call);
  void arm(CallRecord& rec, TimerSlot slot, TimerKind kind, TimePoint due);
  void disarm(CallRecord& rec, TimerSlot slot);
  void transition(CallRecord& rec, CallEvent event, Effects& out);
  void place(CallRecord& rec, Effects& out);          // queued -> ringing, schedule outcome
  void answer(CallRecord& rec, Effects& out);   // ringing -> in-progress, timers, callback
  void connect(CallRecord& rec, Effects& out);  // answer, then run TwiML or join the parent
  void end_call(CallRecord& rec, CallEvent event, Effects& out);
  void on_timer(const Timer& t, Effects& out);
  void status_callback(CallRecord& rec, uint8_t event, Effects& out);
  Fields base_params(const CallRecord& rec) const;
  uint64_t send(CallRecord& rec, WebhookPurpose purpose, const Webhook& target, Fields extra,
                Effects& out);
  void journal(const CallRecord& rec, std::string type, Fields fields);
  void notify(CallRecord& rec, int code, int log, const std::string& text,
              const PendingWebhook* request, const WebhookResult* response);

  // interpreter (engine_twiml.cpp)
  void start_twiml(CallRecord& rec, Effects& out);  // on answer: Url or inline Twiml
  void fetch(CallRecord& rec, const Webhook& target, Fields extra, bool fallback, Effects& out);
  void run_document(CallRecord& rec, std::shared_ptr<const twiml::Document> doc,
                    std::string url, Effects& out);
  void run(CallRecord& rec, Effects& out);
  void fail_document(CallRecord& rec, int code, const std::string& message,
                     const PendingWebhook* request, const WebhookResult* response, Effects& out);
  void on_twiml_result(CallRecord& rec, const PendingWebhook& req, const WebhookResult& res,
                       Effects& out);
  // Stops whatever the call is doing. `hangup`: the call is ending (else: a redirect).
  void interrupt(CallRecord& rec, bool hangup, Effects& out);
  bool exec(CallRecord& rec, const twiml::Node& verb, bool in_hold, Effects& out);
  void step_gather(CallRecord& rec, Effects& out);
  void start_dial(CallRecord& rec, const twiml::Node& verb, Effects& out);
  void start_enqueue(CallRecord& rec, const twiml::Node& verb, Effects& out);
  void fetch_hold(CallRecord& rec, Effects& out);
  void bridge_queue(CallRecord& agent, CallRecord& caller);
  void start_record(CallRecord& rec, const twiml::Node& verb, Effects& out);
  void verb_done(CallRecord& rec, Effects& out);
  const twiml::Node& current_verb(const CallRecord& rec) const;
  void gather_input(CallRecord& rec, const std::string& digits, const std::string& speech,
                    Effects& out);
  void finish_gather(CallRecord& rec, Effects& out);
  void finish_dial(CallRecord& rec, const std::string& outcome, bool run_action, Effects& out);
  void on_leg_status(CallRecord& leg, Effects& out);  // a <Dial> leg answered or ended
  void detach_leg(CallRecord& leg, Effects& out);     // a redirected leg leaves its bridge
  void leave_queue(CallRecord& rec, const std::string& result, bool run_action, Effects& out);
  void finish_record(CallRecord& rec, const std::string& digits, Effects& out);
};

}  // namespace dialtone::core
