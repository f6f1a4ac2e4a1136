// Private to the engine's .cpp files: the per-call runtime state, timers and the interpreter's
// program counters. Not part of core's public interface.
// Thread-safety: owned by the Engine.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/call_index.hpp"
#include "core/call_runtime.hpp"
#include "core/conference/conference_book.hpp"
#include "core/engine.hpp"
#include "core/queue/queue_book.hpp"
#include "core/segmented_vector.hpp"
#include "core/twiml/document.hpp"
#include "core/world/timer_heap.hpp"
#include "core/world/world.hpp"

namespace dialtone::core {

// What only a live call needs. Allocated when the call starts running and released at the end
// of the engine command in which it ended (Impl::release_ended), so an ended call keeps only
// its Call; anything that still looks at an ended call reads `phase`/`answered`, which stay.
struct CallRuntime {
  Program program;
  std::string fetch_url;          // URL of the TwiML fetch in flight (ErrorUrl on failure)
  std::string dialed_by;          // parent sid for <Dial> legs
  std::string dial_noun_url;      // <Number url=...> whisper (not run; recorded)
  size_t gather_input_next = 0;
  int documents = 0;              // fetched since documents_since (the redirect-loop guard)
  TimePoint documents_since{};
  TimePoint hold_started{};       // when the current hold-music document started
  CallEvent ring_outcome = CallEvent::kAnswer;  // what the callee will do when ringing ends
  bool awaiting_fallback = false; // that fetch is the FallbackUrl
  bool awaiting_hold = false;     // the fetch in flight is hold music (a queue's or a
                                  // conference's wait or hold document)
  // Only calls in a <Gather>, <Dial>/<Record>, <Enqueue> or a conference have these.
  std::unique_ptr<GatherState> gather;
  std::unique_ptr<DialState> dial;
  std::unique_ptr<QueueState> queue;
  std::unique_ptr<ConferenceState> conference;
};

struct CallRecord {
  Call call;
  World* world = nullptr;         // of its account: its clock, timers and callees
  uint64_t order = 0;             // creation order within the engine
  uint64_t awaiting = 0;          // id of the TwiML fetch whose body runs next
  uint32_t gens[static_cast<size_t>(TimerSlot::kCount)] = {};
  uint32_t timers_queued = 0;     // entries in the timer heap that point here
  uint8_t armed = 0;              // slots whose newest timer is in the heap and not disarmed
  Phase phase = Phase::kIdle;
  bool answered = false;
  bool removed = false;           // deleted or reset; waits in the graveyard for its timers
  std::vector<std::string> notifications;  // NO sids
  // Of the emulated party, fixed when the call is created; shared by the calls that got the
  // same one (Impl::share_behavior), so that a queued call needs no runtime yet.
  std::shared_ptr<const Behavior> behavior_;
  std::unique_ptr<CallRuntime> runtime;

  const Behavior& behavior() const {
    static const Behavior kNone;
    return behavior_ ? *behavior_ : kNone;
  }
  void set_behavior(std::shared_ptr<const Behavior> b) { behavior_ = std::move(b); }

  // Allocate on first use. An ended call's state is released; reading it again (which no
  // path should need) gets fresh defaults rather than freed memory.
  CallRuntime& rt() {
    if (!runtime) runtime = std::make_unique<CallRuntime>();
    return *runtime;
  }
  const CallRuntime& rt() const {
    static const CallRuntime kNone;
    return runtime ? *runtime : kNone;
  }
  GatherState& gather() {
    CallRuntime& r = rt();
    if (!r.gather) r.gather = std::make_unique<GatherState>();
    return *r.gather;
  }
  DialState& dial() {
    CallRuntime& r = rt();
    if (!r.dial) r.dial = std::make_unique<DialState>();
    return *r.dial;
  }
  QueueState& queue() {
    CallRuntime& r = rt();
    if (!r.queue) r.queue = std::make_unique<QueueState>();
    return *r.queue;
  }
  ConferenceState& conf() {
    CallRuntime& r = rt();
    if (!r.conference) r.conference = std::make_unique<ConferenceState>();
    return *r.conference;
  }
  // A Participants API call not answered yet, or any call in a conference.
  bool in_conference() const { return runtime && runtime->conference; }
  // The hold music running now: a queue's wait document or a conference's wait/hold one.
  Program& music() { return phase == Phase::kConference ? conf().music : queue().hold; }
};

// A <Start><Transcription> under way (core/call_resources/engine_transcription.cpp): where its
// callbacks go and what it transcribes.
struct TranscriptionRun {
  std::string sid, call_sid, account_sid;
  Webhook callback;
  std::string track;     // inbound_track, outbound_track, both_tracks
  std::string language;
  uint32_t sequence = 0;
};

struct PendingWebhook {
  std::string call_sid;  // a conference's own webhooks: its CF sid (they go out in its order)
  WebhookPurpose purpose;
  std::string url;
  std::string method;
  std::string params;  // form-encoded, for notifications
  std::string account_sid = {};     // set for a conference's own webhooks
  std::string conference_sid = {};  // what an announcement is played to
};

// A fetched TwiML document, or why there is none (code 0: `doc` is set). An audio response is
// a document that plays it.
struct FetchedDocument {
  int code = 0;
  std::string message;
  std::shared_ptr<const twiml::Document> doc;
};
FetchedDocument read_document(const PendingWebhook& req, const WebhookResult& res);
// A <Stream> or <ConversationRelay> url made absolute (core/stream/engine_stream.cpp);
// nullopt when it is no ws:// or wss:// URL.
std::optional<std::string> stream_url(std::string_view base, std::string_view url);
// ISO 8601 in UTC with milliseconds, as stream and transcription callbacks date their events.
std::string format_iso8601(TimePoint t);
// A speech Confidence as Twilio writes it: at most four decimals, no trailing zeros ("0.9").
std::string format_confidence(double c);
// "twiml", "status-callback", ...: how the journal names a webhook's purpose.
std::string_view purpose_name(WebhookPurpose purpose);

struct Engine::Impl {
  Engine& engine;
  uint64_t next_order = 1;
  uint64_t next_timer_seq = 1;
  uint64_t next_webhook_id = 1;
  // Persistence bookkeeping: what take_changes() reports next.
  std::unordered_set<std::string> dirty_calls;
  std::vector<std::string> deleted_calls;
  std::vector<std::string> new_notifications;
  uint64_t persisted_seq = 0;
  bool reset_all = false;
  std::vector<std::string> reset_accounts;
  CallIndex<CallRecord> calls;  // keyed by a view of the record's own sid
  // Creation order. 1 KiB segments: an account costs one, and a test suite may make thousands
  // of accounts with a few calls each.
  using AccountCalls = SegmentedVector<CallRecord*, 1024>;
  std::unordered_map<std::string, AccountCalls> by_account;
  std::vector<std::unique_ptr<CallRecord>> graveyard;  // removed, timers still in a heap
  std::vector<CallRecord*> ended; // ended during this command: release their runtime after
  std::vector<World*> timer_worlds;  // whose heaps changed during this command (may repeat)
  std::unordered_map<uint64_t, PendingWebhook> pending;
  std::unordered_map<std::string, Notification> notifications;
  // The last few behaviours handed to calls: a new call whose behaviour equals one of them
  // shares it (a copy per call would be ~100 bytes each, most calls having the default).
  std::vector<std::shared_ptr<const Behavior>> recent_behaviors;
  std::shared_ptr<const Behavior> share_behavior(const Behavior& b);
  std::string last_inline_twiml;  // the last inline TwiML parsed on answer, and its document
  std::shared_ptr<const twiml::Document> last_inline_doc;

  explicit Impl(Engine& e) : engine(e) {}

  // Each public command that can end a call holds one: the runtime of calls that ended is
  // freed only once the command has unwound, when nothing below it can still touch it.
  struct ReleaseAtEnd {
    Impl& impl;
    ~ReleaseAtEnd() { impl.release_ended(); }
  };

  // The time of the call's world.
  static TimePoint now(const CallRecord& rec) { return rec.world->clock->now(); }
  const EngineConfig& config() const { return engine.config_; }
  CallRecord* get(std::string_view sid);
  // After each engine command: frees the runtime of calls that ended in it and drops stale
  // timers when they outnumber live ones.
  void release_ended();
  void purge_timers(World& world);
  // Marks a world for Engine::take_touched().
  void touch(World& world);
  void remove_call(CallRecord& rec);  // from calls and by_account; the caller erases the rest

  // lifecycle (engine_lifecycle.cpp)
  CallRecord& add_call(Call call);
  // A call sid of the world's sequence that no call holds: a world's sequence starts again
  // from its seed after a restart, and the calls loaded from data_dir hold the first ones.
  std::string new_call_sid(World& world);
  void arm(CallRecord& rec, TimerSlot slot, TimerKind kind, TimePoint due);
  void disarm(CallRecord& rec, TimerSlot slot);
  void transition(CallRecord& rec, CallEvent event, Effects& out);
  void place(CallRecord& rec, Effects& out);          // queued -> ringing, schedule outcome
  void answer(CallRecord& rec, Effects& out);   // ringing -> in-progress, timers, callback
  void connect(CallRecord& rec, Effects& out);  // answer, then run TwiML or join the parent
  void end_call(CallRecord& rec, CallEvent event, Effects& out);
  void on_timer(const Timer& t, Effects& out);  // t is live
  void status_callback(CallRecord& rec, uint8_t event, Effects& out);
  Fields base_params(const CallRecord& rec) const;
  uint64_t send(CallRecord& rec, WebhookPurpose purpose, const Webhook& target, Fields extra,
                Effects& out);
  // Hands a webhook to the server: its id, the account's signing key, its journal line, and
  // the record that waits for its answer. `account_sid`/`conference_sid`: see PendingWebhook.
  uint64_t dispatch(WebhookRequest req, std::string account_sid, std::string conference_sid,
                    Effects& out);
  void journal(const CallRecord& rec, std::string type, EventFields fields);
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
  void start_record(CallRecord& rec, const twiml::Node& verb, Effects& out);
  void verb_done(CallRecord& rec, Effects& out);
  const twiml::Node& current_verb(const CallRecord& rec) const;
  // A <Gather> is running: the call's own, or one of its queue's wait document.
  static bool gathering(const CallRecord& rec);
  static bool hold_gather(const CallRecord& rec) {
    return rec.runtime && rec.runtime->gather && rec.runtime->gather->in_hold;
  }
  // The program whose <Gather> runs (the wait document's, or the call's own).
  static Program& gather_program(CallRecord& rec) {
    return hold_gather(rec) ? rec.queue().hold : rec.rt().program;
  }
  void gather_input(CallRecord& rec, const std::string& digits, const std::string& speech,
                    Effects& out);
  void finish_gather(CallRecord& rec, Effects& out);
  void finish_dial(CallRecord& rec, const std::string& outcome, bool run_action, Effects& out);
  // A <Dial> is over: its action is requested with `extra` (its TwiML run when `run_action`),
  // or without an action the next verb runs (when `run_action`).
  void dial_action(CallRecord& rec, const twiml::Node& dial, Fields extra, bool run_action,
                   Effects& out);
  void on_leg_status(CallRecord& leg, Effects& out);  // a <Dial> leg answered or ended
  void detach_leg(CallRecord& leg, Effects& out);     // a redirected leg leaves its bridge
  void finish_record(CallRecord& rec, const std::string& digits, Effects& out);

  // queues (core/queue/engine_queue.cpp)
  queue::Queue* queue_of(CallRecord& rec);  // the queue the call waits in (or waited in)
  queue::Queue& add_queue(World& world, const std::string& account_sid, std::string name,
                          int max_size, TimePoint now);
  void start_enqueue(CallRecord& rec, const twiml::Node& verb, Effects& out);
  void refuse_enqueue(CallRecord& rec, const std::string& result, Effects& out);
  Fields wait_params(CallRecord& rec);  // QueuePosition, QueueSid, ... of a waitUrl request
  void fetch_hold(CallRecord& rec, Effects& out);
  void dial_queue(CallRecord& rec, const twiml::Node& noun, int timeout_s, Effects& out);
  void release_agent(CallRecord& agent, const DialState& dial);
  void bridge_queue(CallRecord& agent, CallRecord& caller, Effects& out);
  // The caller's hold music (or whisper, or a wait document's <Gather>) stops.
  void stop_hold(CallRecord& rec);
  // The <Queue url> document ran out (or failed): the caller and the agent are connected.
  void finish_whisper(CallRecord& caller);
  void leave_queue(CallRecord& rec, const std::string& result, bool run_action, Effects& out);
  void leave_bridge(CallRecord& caller, bool hangup, Effects& out);
  void journal_queue(const queue::Queue& q, std::string type);

  // conferences (core/conference/engine_conference.cpp, engine_conference_api.cpp)
  conference::Conference* conference_of(CallRecord& rec);
  // The callee of a participant's call starts or stops speaking (core/callee/): `speaker`.
  void participant_speech(CallRecord& rec, bool started, Effects& out);
  void dial_conference(CallRecord& rec, const twiml::Node& dial, const twiml::Node& noun,
                       Effects& out);
  conference::Conference& add_conference(World& world, const std::string& account_sid,
                                         std::string name, TimePoint now);
  // Puts a call whose participant record is in `c` into the conference: the join event, the
  // start rule, the wait music.
  void join_conference(CallRecord& rec, conference::Conference& c, Effects& out);
  void start_music(CallRecord& rec, Effects& out);  // wait or hold music, as the state says
  void stop_music(CallRecord& rec);
  // The call leaves its conference. `run_action`: its <Dial> goes on to its action or next
  // verb (an API participant hangs up); false: the action hears about it, its TwiML not run
  // (the call is hanging up or being redirected). `kicked`: by DELETE (the ending reasons
  // differ).
  void leave_conference(CallRecord& rec, const std::string& reason, bool run_action,
                        bool kicked, Effects& out);
  void after_conference(CallRecord& rec, bool run_action, Effects& out);
  void end_conference(conference::Conference& c, const std::string& reason,
                      const conference::Participant* ending, Effects& out);
  void start_conference(conference::Conference& c, Effects& out);
  // A Participants API call that will not join: it ended before it joined (busy, no answer,
  // canceled: participant_add_failed) or was given new TwiML while it rang.
  void participant_not_added(CallRecord& rec, const std::string& reason, Effects& out);
  // A Participants API call answered: it joins (or runs the TwiML an update gave it).
  void join_on_answer(CallRecord& rec, Effects& out);
  void on_announcement(const PendingWebhook& req, const WebhookResult& res, CallRecord* rec,
                       Effects& out);
  void conference_event(conference::Conference& c, std::string_view event,
                        const conference::Participant* p, Fields extra, Effects& out);
  void send_conference(conference::Conference& c, WebhookPurpose purpose, const Webhook& target,
                       Fields params, Effects& out);
  void announce(conference::Conference& c, CallRecord* to, const Webhook& url, Effects& out);
  // Plays a fetched announcement on a participant's call, in place of its music for as long
  // as the document takes; `url` is the AnnounceUrl the callbacks name.
  void play_announcement(CallRecord& rec, std::shared_ptr<const twiml::Document> doc,
                         const std::string& fetched_from, const std::string& url, bool to_all,
                         Effects& out);
  // The announcement playing to this call is over: announcement-end (`failure` empty) or
  // announcement-fail, once per announcement.
  void end_announcement(CallRecord& rec, const std::string& failure, Effects& out);
  // A conference call's music (or announcement) stopped (`failure`: why, if it failed): an
  // announcement ends and the wait or hold music comes back; wait or hold music falls silent.
  void conference_music_over(CallRecord& rec, const std::string& failure, Effects& out);
  void on_conference_result(const PendingWebhook& req, const WebhookResult& res, Effects& out);
  void journal_conference(const conference::Conference& c, std::string type);

  // Media Streams (core/stream/engine_stream.cpp): the sessions live in the world's
  // StreamBook; these coordinate them with the call.
  std::vector<uint64_t> dropped_streams;  // reset while live: the host closes their sockets
  uint64_t next_stream_id = 1;
  Result<stream::Session*> open_stream(CallRecord& rec, stream::Spec spec, Effects& out);
  void exec_start(CallRecord& rec, const twiml::Node& verb, Effects& out);
  void exec_stop(CallRecord& rec, const twiml::Node& verb, Effects& out);
  bool exec_connect(CallRecord& rec, const twiml::Node& verb, Effects& out);
  void stream_opened(stream::Session& s, Effects& out);
  void stream_failed(stream::Session& s, int code, const std::string& why, Effects& out);
  void stream_closed_by_app(stream::Session& s, Effects& out);
  void stream_app_text(stream::Session& s, const std::string& text, Effects& out);
  // Sends `stop`, closes the socket, reports stream-stopped. `why` goes to the journal.
  void stop_stream(stream::Session& s, const std::string& why, Effects& out);
  void stream_tick(CallRecord& rec, Effects& out);
  void arm_stream_tick(CallRecord& rec);
  void stop_call_streams(CallRecord& rec, Effects& out);  // the call ended
  // <Connect><Stream> ended (the app closed, or the stream failed): the action or next verb.
  // `extra`: parameters of the action request (a ConversationRelay session's).
  void finish_connect(CallRecord& rec, Effects& out, Fields extra = {});
  void stream_callback(stream::Session& s, const char* event, const std::string& error,
                       Effects& out);
  // `due`: when the clock owed these messages (a tick's frames); {} for the others.
  void stream_messages(const stream::Session& s, std::vector<std::string>& messages,
                       Effects& out, TimePoint due = {});
  void drop_world_streams(World& w);  // a reset: every live socket is the host's to close
  // Recordings (core/recording/engine_recording.cpp): the recordings live in the world's
  // RecordingBook; these coordinate them with the call. `name`: a <Start><Recording>'s ("*":
  // named by its own sid).
  recording::Recording& start_recording(CallRecord& rec, recording::Source source,
                                        recording::Options options, const std::string& leg_sid,
                                        Effects& out, const std::string& name = {});
  // Stops a live (or stopped) recording, makes its audio, reports completed or absent.
  void end_recording(recording::Recording& r, Effects& out);
  void stop_call_recordings(CallRecord& rec, Effects& out);  // the call ended
  // A side of the call sounds for `length` from `from` (callee: the far party; else what the
  // call plays): heard by the recordings listening to it (and, the callee of a participant the
  // conference hears, by the conference's recording). True when some recording heard it.
  bool heard(CallRecord& rec, bool callee, TimePoint from, Millis length);
  // A conference's recording (record-from-start): starts when the conference starts, stops
  // with it; a participant muted, held or gone stops being heard at once.
  void start_conference_recording(conference::Conference& c, Effects& out);
  void stop_conference_recordings(const conference::Conference& c, Effects& out);
  void conference_silences(const conference::Conference& c, const std::string& call_sid);
  // Pause, resume or stop the recording `sid` (or Twilio.CURRENT) of `owner` (a call or a
  // conference: Recording::owner()).
  Result<RecordingChange> change_recording(World& w, const std::string& owner,
                                           const std::string& sid, recording::Status status,
                                           bool skip, Effects& out);
  void recording_callback(const recording::Recording& r, uint8_t event, Effects& out);
  // RecordingUrl, RecordingSid, RecordingDuration of a Record=true call's recording (its
  // completed status callback carries them); empty without one.
  Fields record_true_params(const CallRecord& rec) const;
  void journal_recording(const recording::Recording& r, std::string event);
  std::string recording_url(const recording::Recording& r) const;  // RecordingUrl: the media
  recording::Options record_verb_options(CallRecord& rec, const twiml::Node& v,
                                         bool trim_default = true);
  // <Dial record>: called when the <Dial> starts ringing (`leg_sid` empty) and when a leg
  // answers; starts the recording its `record` asks for, or lets it hear the answered leg.
  void dial_recording(CallRecord& parent, const twiml::Node& dial, const std::string& leg_sid,
                      Effects& out);
  // The <Dial> ended: its recording stops; the action's RecordingUrl, ...Sid, ...Duration.
  Fields end_dial_recording(CallRecord& parent, Effects& out);
  // <Start><Recording> (non-blocking) and <Stop><Recording> (by name, or all of them).
  void start_verb_recording(CallRecord& rec, const twiml::Node& noun, Effects& out);
  void stop_verb_recording(CallRecord& rec, const twiml::Node& noun, Effects& out);
  uint64_t send_exact(CallRecord& rec, WebhookPurpose purpose, const Webhook& target,
                      Fields params, Effects& out);

  // Scripted callees (core/callee/engine_callee.cpp): the world's ConversationBook holds each
  // call's script runner and transcript; these tie them to the call.
  callee::Conversation* conversation_of(const CallRecord& rec);
  callee::Conversation& conversation_for(CallRecord& rec);  // made on first use
  void start_conversation(CallRecord& rec);  // answered with a script: its first turn is due
  void callee_step(CallRecord& rec, Effects& out);  // the runner's due turns, carried out
  void callee_act(CallRecord& rec, callee::Conversation& c, const callee::Action& a,
                  Effects& out);
  void arm_script(CallRecord& rec);
  // The agent starts a <Say>/<Play> of `len` (the transcript; `wait`/`interrupt` turns).
  void agent_prompt(CallRecord& rec, const twiml::Node& verb, Millis len, const char* via,
                    Effects& out);
  // The agent's speech going on now stops (a barge-in, a redirect, a hang-up).
  void agent_cut(CallRecord& rec);
  void end_conversation(CallRecord& rec);  // the call ended
  // The callee says an uploaded clip from `from`: Media Streams carry it, recordings hold it.
  void callee_clip(CallRecord& rec, TimePoint from, std::shared_ptr<const media::Clip> clip);
  // What a bidirectional stream's app plays is the agent speaking (the transcript, the
  // script's `wait`/`interrupt`): a media, mark or clear message handled, the queue holding
  // `queued_before` bytes before it; and the stream stopping with audio still queued.
  void agent_stream_message(CallRecord& rec, const stream::Session& s,
                            stream::AppMessage::Kind kind, size_t queued_before);
  void agent_stream_stopped(CallRecord& rec, const stream::Session& s);
  // Keys the callee presses (the control API or its script): Media Streams, <Gather>,
  // <Record>, hangupOnStar. False when nothing was listening for them.
  bool press_digits(CallRecord& rec, const std::string& digits, Effects& out);
  // <Gather input="speech">: the callee's utterance starts, grows by a word, ends.
  void gather_speech(CallRecord& rec, const callee::Action& a, Effects& out);

  // ConversationRelay (core/relay/engine_relay.cpp): the session in the world's RelayBook,
  // coordinated with the call and its scripted callee.
  bool start_relay(CallRecord& rec, const twiml::Node& noun, Effects& out);
  relay::Session* relay_of(const CallRecord& rec);  // the call's live session, if any
  void relay_event(relay::Session& s, const StreamEvent& event, Effects& out);
  void relay_send(const relay::Session& s, std::string message, Effects& out);
  void relay_app_text(CallRecord& rec, relay::Session& s, const std::string& text, Effects& out);
  // The session is over: the socket closes; `finish` (with the action's parameters) unless
  // the call is being hung up or redirected.
  void relay_stop(CallRecord* rec, relay::Session& s, const std::string& why,
                  const char* status, bool finish, Effects& out);
  void relay_callee(CallRecord& rec, relay::Session& s, const callee::Action& a, Effects& out);
  // The agent speaks `text` (a greeting, an utterance growing token by token, a play).
  void relay_agent(CallRecord& rec, relay::Session& s, const std::string& type,
                   const std::string& text, Millis length, bool interruptible, bool complete,
                   Effects& out);

  // Real-time transcription (core/call_resources/engine_transcription.cpp), by GT sid.
  std::map<std::string, TranscriptionRun> transcriptions;
  void start_transcription(CallRecord& rec, const twiml::Node& noun, Effects& out);
  // The run of transcription `sid` (its record made): started callback sent.
  void run_transcription(CallRecord& rec, const std::string& sid, const TranscriptionSpec& spec,
                         Effects& out);
  // An utterance of the callee (inbound) or the agent (outbound), to every transcription of
  // the call that hears that track.
  void transcribe(CallRecord& rec, bool inbound, const std::string& text, double confidence,
                  Effects& out);
  void stop_transcription(CallRecord& rec, const std::string& sid, Effects& out);
  void stop_call_transcriptions(CallRecord& rec, Effects& out);
  void transcription_event(CallRecord& rec, TranscriptionRun& t, const char* event,
                           Fields extra, Effects& out);
};

}  // namespace dialtone::core
