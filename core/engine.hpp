// The engine: every call, its state machine, its TwiML, its timers and its journal.
// sans-I/O: it never waits and never calls out. Callers hand it commands (API requests,
// callee actions, webhook results, "fire the timers that are due") and carry out the
// effects it returns (webhook requests to send). Time comes only from the clocks it was given:
// each account's world (core/world/world.hpp) has its own.
// Thread-safety: not thread-safe. One owner calls it at a time (server/ serialises access).
#pragma once

#include <cstdint>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/account.hpp"
#include "core/behavior.hpp"
#include "core/call.hpp"
#include "core/conference/conference_book.hpp"
#include "core/journal.hpp"
#include "core/notification.hpp"
#include "core/number_store.hpp"
#include "core/result.hpp"
#include "core/sid.hpp"
#include "core/recording/recording.hpp"
#include "core/snapshot/snapshot.hpp"
#include "core/stream/session.hpp"
#include "core/time.hpp"
#include "core/world/world.hpp"

namespace dialtone::core {

struct EngineConfig {
  int ring_seconds = 1;            // default callee: answers after this long
  int play_seconds = 5;            // nominal length of one <Play>
  int max_documents_per_call = 50; // redirect-loop guard
  int max_calls_per_second = 0;    // 0 = no CPS limit emulation (each new world's)
  bool track_changes = false;      // keep what take_changes() reports (only a store asks)
  std::string default_account_sid; // whose clock dates what belongs to no account
  std::string default_time_limit_s = "14400";
  // Where RecordingUrl points (Twilio's host by default: apps often match or rewrite it).
  std::string media_base_url = "https://api.twilio.com";
};

// A parsed, validated create request (api/ turns Twilio's form into this): the new call's
// settings (to and from already normalised; url empty when twiml or an application is used).
struct CreateCall : CallSettings {
  std::string application_sid;
  recording::Options recording;  // Record=true: how (its defaults differ: Trim trim-silence)
};

// What a Recording update did: the recording, and the status the answer shows (`stopped` for
// a recording that was stopped and is now already completed or absent).
struct RecordingChange {
  const recording::Recording* recording = nullptr;
  recording::Status shown = recording::Status::kInProgress;
};

// A parsed update: only what was given is set.
struct UpdateCall {
  std::optional<Webhook> url;               // Url (+ Method)
  std::optional<std::string> twiml;
  std::optional<CallStatus> status;         // only kCanceled or kCompleted
  std::optional<Webhook> fallback;
  std::optional<Webhook> status_callback;
  std::optional<int64_t> time_limit_s;
  // Of the API request, for the journal (empty: none). A view of the request's own id, as the
  // prepared request's path is (api/twilio_api.hpp): valid while that request is handled.
  std::string_view request_id;
};

// Participants API create (api/twilio/participants.cpp parses it): a new outbound call that
// joins `conference` (a CF sid, or a name: the active conference of that name, or a new one)
// when it is answered.
struct AddParticipant {
  CreateCall call;                    // From, To, StatusCallback..., Timeout, TimeLimit
  std::string conference;
  conference::Participant settings;   // Label, Muted, Beep, StartConferenceOnEnter, coach, ...
  conference::CallbackSettings callback;  // ConferenceStatusCallback*: the first one wins
  Webhook wait_url;
  bool default_music = true;          // no WaitUrl given
  int max_participants = conference::kMaxParticipants;
  std::string record;                       // ConferenceRecord: the first participant's wins
  recording::Options conference_recording;  // ConferenceTrim, ConferenceRecordingStatusCallback*
};

// A Participant update: only what was given is set.
struct ParticipantUpdate {
  std::optional<bool> muted, hold, coaching, end_conference_on_exit, beep_on_exit;
  std::optional<std::string> call_sid_to_coach;
  std::optional<Webhook> hold_url, announce_url, wait_url;
};

// A Conference update: Status=completed ends it; AnnounceUrl plays to everyone.
struct ConferenceUpdate {
  bool complete = false;
  std::optional<Webhook> announce_url;
};

// A participant as the resource shows it, copied out (rendered after the engine lock).
struct ParticipantView {
  std::string account_sid;
  std::string conference_sid;
  conference::Participant participant;
  std::string status;  // participant_enum_status: queued, ringing, connected, ...
  std::optional<int64_t> queue_time_ms;  // only in the create answer (Twilio: "1000")
};

// Filters of GET Calls. Date bounds are half-open as Twilio documents them.
struct CallFilter {
  std::string to, from, parent_call_sid;
  std::optional<CallStatus> status;
  std::optional<TimePoint> start_from, start_before;  // StartTime> / StartTime< ; StartTime=day
  std::optional<TimePoint> end_from, end_before;
};

struct CallPage {
  std::vector<const Call*> calls;  // newest first
  bool has_more = false;           // more after the last one
};

// An outbound webhook the server must send. Results come back through on_webhook_result.
enum class WebhookPurpose : uint8_t {
  kTwiml,           // fetch the call's TwiML (Url, redirect, action): the body is run
  kFallback,        // fetch FallbackUrl after a failure: the body is run
  kStatusCallback,  // call progress event: the body is ignored
  kActionNoTwiml,   // e.g. an interrupted <Dial action> whose TwiML is not run
  kConferenceEvent, // a conference status callback: the body is ignored
  kAnnouncement,    // a conference's or participant's AnnounceUrl: checked, then it "plays"
};

struct WebhookRequest {
  uint64_t id = 0;
  std::string account_sid;
  std::string call_sid;
  std::string auth_token;  // signing key
  WebhookPurpose purpose = WebhookPurpose::kTwiml;
  Webhook target;
  EventFields params;      // in Twilio's order; packed: a webhook may wait long in its queue
};

struct WebhookResult {
  uint64_t id = 0;
  int http_status = 0;        // 0 when no response came
  int error_code = 0;         // transport failure: 11205 (connect/timeout), 11210 (bad host),
                              // 11750 (too large), 11100 (invalid URL); 0 when a response came
  std::string error_message;  // transport detail
  std::string content_type;
  std::string body;
  std::string signature;      // X-Twilio-Signature that was sent (for the journal)
  Millis latency{0};
};

// What the server's WebSocket client must do for a Media Stream (core/stream/). Commands of
// one stream are in the order they must happen; events come back through on_stream_event.
struct StreamCommand {
  enum class Kind : uint8_t {
    kOpen,   // connect to `text` (a ws:// or wss:// URL), signed with auth_token
    kSend,   // send `text` as one text frame
    kClose,  // close with code 1000 once what was sent before has gone
  };
  Kind kind = Kind::kSend;
  uint64_t stream_id = 0;
  std::string account_sid;
  std::string text;
  std::string auth_token;  // kOpen: the X-Twilio-Signature key
  // kSend made by the clock (media frames, marks): when the earliest frame it carries was due.
  // A real-time call's server measures the frame's lateness against it; {} for the others.
  TimePoint due{};
};

// What happened on a stream's socket.
struct StreamEvent {
  enum class Kind : uint8_t {
    kOpened,  // handshake done
    kFailed,  // could not connect, or the socket failed: error_code says how (319xx)
    kText,    // a text frame from the app
    kBinary,  // a binary frame from the app (its bytes are not kept)
    kClosed,  // the app closed the socket
  };
  Kind kind = Kind::kOpened;
  uint64_t stream_id = 0;
  std::string account_sid;
  int error_code = 0;
  std::string text;  // kText: the frame; kFailed: why
};

struct Effects {
  std::vector<WebhookRequest> webhooks;
  std::vector<StreamCommand> streams;
};

// What changed since the last take_changes(): what a store must write to keep a copy.
// Pointers are valid until the engine is next modified (use them under the same lock).
struct Changes {
  bool reset_all = false;                   // everything before was dropped
  std::vector<std::string> reset_accounts;  // these accounts' calls and journal were dropped
  std::vector<const Call*> calls;           // created or changed
  std::vector<std::string> deleted;         // call sids
  std::vector<const Notification*> notifications;
  std::vector<const JournalEvent*> events;  // appended, in order
  bool empty() const {
    return !reset_all && reset_accounts.empty() && calls.empty() && deleted.empty() &&
           notifications.empty() && events.empty();
  }
};

// What a real-time transcription sends its callbacks to and hears (REST create or
// <Start><Transcription>).
struct TranscriptionSpec {
  Webhook callback;                   // StatusCallbackUrl, StatusCallbackMethod
  std::string track = "inbound_track";
  std::string language = "en-US";     // LanguageCode
};

// Where the engine's memory is, for tests and benchmarks.
struct EngineStats {
  size_t worlds = 0;
  size_t calls = 0;
  size_t runtimes = 0;     // calls holding live-call state (ended calls release it)
  size_t timers = 0;       // entries in the timer heap, stale ones included
  size_t live_timers = 0;  // entries that will fire
};

// Callee actions from the control API (or the scripted behaviour).
enum class CalleeAction { kAnswer, kBusy, kNoAnswer, kFail, kHangup };

class Engine {
 public:
  // Each world's clock comes from `clocks`; `wall_clock` dates journal events in real time.
  Engine(ClockFactory clocks, const Clock& wall_clock, EngineConfig config, uint64_t seed);
  // Every world reads the same `clock` (the unit tests' manual clock).
  Engine(const Clock& clock, const Clock& wall_clock, EngineConfig config, uint64_t seed);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- accounts ---
  AccountStore& accounts() { return accounts_; }
  const AccountStore& accounts() const { return accounts_; }
  // The root account whose world `account_sid` lives in: its owner for a subaccount, itself
  // for a root or an account the store does not know.
  const std::string& root_of(const std::string& account_sid) const;

  // --- accounts' worlds (core/world/world.hpp) ---
  // The world of an account (of its root), made from the template on first use.
  World& world(const std::string& account_sid);
  const World* find_world(const std::string& account_sid) const;
  // Makes the world of a new root account afresh, with `seed` (or one derived from the
  // engine's). An existing world of that sid must have been erased first.
  World& create_world(const std::string& root_sid, std::optional<uint64_t> seed);
  // Frees a world and everything in it: its calls, journal, numbers and timers.
  void erase_world(const std::string& root_sid);
  void for_each_world(const std::function<void(World&)>& fn);
  size_t world_count() const;
  WorldTemplate& world_template() { return template_; }
  // Worlds whose next timer may have changed since the last call (a timer armed or fired,
  // a clock set): the host re-arms their wake-ups.
  std::vector<World*> take_touched();

  // --- Twilio's Calls API ---
  // By value: the API's parsed request is moved in, and its settings move on into the call.
  Result<const Call*> create_call(CreateCall request, Effects& out);
  Result<const Call*> update_call(const std::string& account_sid, const std::string& sid,
                                  const UpdateCall& request, Effects& out);
  Status delete_call(const std::string& account_sid, const std::string& sid);
  const Call* find_call(const std::string& account_sid, const std::string& sid) const;
  // Newest first. `after_sid`: start after this call (next page); `before_sid`: the page
  // that ends just before this call (previous page). Both empty: from the newest.
  CallPage list_calls(const std::string& account_sid, const CallFilter& filter, size_t limit,
                      size_t skip, const std::string& after_sid,
                      const std::string& before_sid) const;
  std::vector<const Notification*> notifications(const std::string& account_sid,
                                                 const std::string& call_sid) const;

  // --- Twilio's Queues and Members (core/queue/, docs/queues.md) ---
  // Sizes and waits are read against the account's clock when a caller renders them.
  Result<const queue::Queue*> create_queue(const std::string& account_sid,
                                           const std::string& friendly_name,
                                           std::optional<int64_t> max_size);
  Result<const queue::Queue*> update_queue(const std::string& account_sid, const std::string& sid,
                                           const std::optional<std::string>& friendly_name,
                                           std::optional<int64_t> max_size);
  Status delete_queue(const std::string& account_sid, const std::string& sid);
  const queue::Queue* find_queue(const std::string& account_sid, const std::string& sid) const;
  std::vector<const queue::Queue*> list_queues(const std::string& account_sid) const;
  // `member` is a Call sid or "Front". 404 when the queue or the member is not there.
  Result<queue::MemberView> find_member(const std::string& account_sid,
                                        const std::string& queue_sid,
                                        const std::string& member) const;
  // Dequeues the member to new TwiML: it leaves the queue at once (its <Enqueue action> hears
  // QueueResult=redirected, its TwiML not run) and fetches `url`. Returns the member as it was.
  Result<queue::MemberView> dequeue_member(const std::string& account_sid,
                                           const std::string& queue_sid,
                                           const std::string& member, const Webhook& url,
                                           Effects& out);
  // --- Twilio's Conferences and Participants (core/conference/, docs/conferences.md) ---
  const conference::Conference* find_conference(const std::string& account_sid,
                                                const std::string& sid) const;
  // In creation order; the API filters and orders them.
  std::vector<const conference::Conference*> list_conferences(const std::string& account_sid) const;
  Result<const conference::Conference*> update_conference(const std::string& account_sid,
                                                          const std::string& sid,
                                                          const ConferenceUpdate& request,
                                                          Effects& out);
  Result<ParticipantView> add_participant(const AddParticipant& request, Effects& out);
  // `key` is a Call sid or a label. 404 when the conference or the participant is not there.
  Result<ParticipantView> find_participant(const std::string& account_sid,
                                           const std::string& conference_sid,
                                           const std::string& key) const;
  Result<std::vector<ParticipantView>> list_participants(const std::string& account_sid,
                                                         const std::string& conference_sid) const;
  Result<ParticipantView> update_participant(const std::string& account_sid,
                                             const std::string& conference_sid,
                                             const std::string& key,
                                             const ParticipantUpdate& request, Effects& out);
  // DELETE: the participant is kicked (its call goes on after its <Dial>, or hangs up).
  Status remove_participant(const std::string& account_sid, const std::string& conference_sid,
                            const std::string& key, Effects& out);

  // Now, on the account's clock.
  TimePoint now(const std::string& account_sid) { return clock_of(account_sid).now(); }

  // --- Media Streams (core/stream/, docs/streams.md) ---
  // REST CreateStream: a unidirectional stream of a live call. 400 21220 when the call is not
  // in progress, 400 31923 for a URL that is not ws(s)://, 400 for the fork limit or a name
  // taken; 404 for an unknown call.
  Result<const stream::Session*> create_stream(const std::string& account_sid,
                                               const std::string& call_sid, stream::Spec spec,
                                               Effects& out);
  // REST UpdateStream (Status=stopped), by sid or name. A stopped stream answers unchanged.
  Result<const stream::Session*> stop_stream(const std::string& account_sid,
                                             const std::string& call_sid,
                                             const std::string& sid_or_name, Effects& out);
  const stream::Session* find_stream(const std::string& account_sid,
                                     const std::string& stream_sid);
  void on_stream_event(const StreamEvent& event, Effects& out);
  // Streams whose socket the server must close because a reset dropped them (no command of
  // theirs will come any more).
  std::vector<uint64_t> take_dropped_streams();

  // --- Recordings (core/recording/, docs/recordings.md) ---
  // REST CreateCallRecording: records the live call from now on. 400 21220 when the call is
  // not in progress; 404 for an unknown call.
  Result<const recording::Recording*> create_recording(const std::string& account_sid,
                                                       const std::string& call_sid,
                                                       recording::Options options, Effects& out);
  // REST UpdateCallRecording: Status paused (`skip`: PauseBehavior=skip), in-progress or
  // stopped; `sid` may be "Twilio.CURRENT" (the one live recording; 400 16108 with several).
  Result<RecordingChange> update_recording(const std::string& account_sid,
                                           const std::string& call_sid, const std::string& sid,
                                           recording::Status status, bool skip, Effects& out);
  // UpdateConferenceRecording: the same for a conference's recording (404 for an unknown
  // conference).
  Result<RecordingChange> update_conference_recording(const std::string& account_sid,
                                                      const std::string& conference_sid,
                                                      const std::string& sid,
                                                      recording::Status status, bool skip,
                                                      Effects& out);
  // Null when unknown, of another account, or deleted (unless `include_deleted`).
  const recording::Recording* find_recording(const std::string& account_sid,
                                             const std::string& sid,
                                             bool include_deleted = false) const;
  // Oldest first, deleted ones included (the API filters them).
  std::vector<const recording::Recording*> list_recordings(const std::string& account_sid) const;
  // Soft delete: kept, shown only with IncludeSoftDeleted. A live one is stopped first.
  Status delete_recording(const std::string& account_sid, const std::string& sid, Effects& out);

  // --- Call subresources kept but not emulated (core/call_resources/, docs/streams.md) ---
  // Siprec, Transcriptions and Payments need the call in progress; UserDefinedMessages and
  // their Subscriptions ringing or in progress (else 400 21220). 404 for an unknown call.
  // Creating one adds a warning Notification to the call saying what is not emulated.
  // A Transcription given `transcription` (and `out`) transcribes the conversation like a
  // <Start><Transcription> (docs/conversations.md) instead of warning that it does not.
  Result<const call_resources::CallResource*> create_call_resource(
      const std::string& account_sid, const std::string& call_sid, call_resources::Kind kind,
      std::string name, const TranscriptionSpec* transcription = nullptr,
      Effects* out = nullptr);
  // Siprec, Transcriptions: Status=stopped, by sid or name. Payments: any update (by sid).
  // `out`: where a transcription's transcription-stopped callback goes.
  Result<const call_resources::CallResource*> update_call_resource(
      const std::string& account_sid, const std::string& call_sid, call_resources::Kind kind,
      const std::string& sid_or_name, bool stop, Effects* out = nullptr);
  Status delete_call_resource(const std::string& account_sid, const std::string& call_sid,
                              call_resources::Kind kind, const std::string& sid);

  // --- the emulated world ---
  Status callee_action(const std::string& call_sid, CalleeAction action, Effects& out);
  Status callee_digits(const std::string& call_sid, const std::string& digits, Effects& out);
  Status callee_speech(const std::string& call_sid, const std::string& speech, Effects& out);
  // --- scripted callees (core/callee/, docs/conversations.md) ---
  // A turn from the control API (say, press, hangup): taken now, or once the callee has
  // finished the utterance it is in. 404 for an unknown call, 409 when it is not in progress.
  Status callee_turn(const std::string& call_sid, callee::Turn turn, Effects& out);
  // The call's conversation (its transcript), while the world keeps it; null otherwise.
  const callee::Conversation* conversation(const std::string& call_sid) const;
  BehaviorTable& behaviors(const std::string& account_sid) {
    return world(account_sid).behaviors;
  }
  // The audio clips callees of the account's world can say (docs/conversations.md).
  media::ClipBook& clips(const std::string& account_sid) { return world(account_sid).clips; }
  NumberStore& numbers(const std::string& account_sid) { return world(account_sid).numbers; }
  // The number in `account_sid`'s world, or (no account given) in any world, the default
  // account's first: one test worker may own the same number as another.
  const PhoneNumber* find_number(const std::string& phone_number,
                                 const std::string* account_sid) const;
  // Starts an inbound call to one of the account's numbers.
  Result<const Call*> start_inbound(const std::string& account_sid, const std::string& from,
                                    const std::string& to, const Webhook& voice_url,
                                    const Webhook& voice_fallback,
                                    const Webhook& status_callback, Effects& out);

  // --- time ---
  std::optional<TimePoint> next_due(const World& world) const;
  // Fires every timer of `world` due at or before its clock's now(), in order. Returns how
  // many were live (stale timers of a call that moved on are dropped without counting).
  size_t fire_due(World& world, Effects& out);
  // The same over every world, each against its own clock (the unit tests' shared clock).
  std::optional<TimePoint> next_due() const;
  size_t fire_due(Effects& out);

  // --- webhooks ---
  void on_webhook_result(const WebhookResult& result, Effects& out);
  size_t webhooks_in_flight() const;
  // The world a webhook's account lives in (for the host's per-world bookkeeping).
  World& world_of_webhook(const WebhookRequest& request) { return world(request.account_sid); }

  // --- persistence (server/ keeps a copy on disk) ---
  Changes take_changes();
  // Loading a copy at start-up, oldest call first. Ended calls come back exactly as they were.
  void restore_call(const Call& call);
  void restore_notification(const Notification& notification);
  void restore_event(const JournalEvent& event);  // keeps its seq
  // Calls that were live when the process stopped cannot resume: their place in the TwiML and
  // the app's state are gone. Queued and ringing calls end `canceled`, in-progress ones
  // `completed` at the restart time, and their status callbacks fire. Returns how many.
  size_t recover_live_calls(Effects& out);

  // --- snapshots of an account (core/snapshot/engine_snapshot.cpp, docs/accounts.md) ---
  // The whole state of a root account, its live calls' interpreters and timers included. 404
  // for an unknown account, 400 for a subaccount; 409 while it has subaccounts or webhooks
  // out. The clock's mode and speed are the caller's to fill in (the server's clocks hold them).
  Result<AccountSnapshot> snapshot(const std::string& account_sid);
  // Replaces a root account's state with the snapshot's: a reset of the account, then loading.
  // Every record becomes the account's; call and notification sids stay as they are. Checked
  // whole before anything changes: 400 for a subaccount or a document that does not hold
  // together, 409 for subaccounts or sids that another account holds. The clock's mode, speed
  // and time are the caller's to set.
  Status restore(const std::string& account_sid, AccountSnapshot snapshot);

  // --- journal, housekeeping ---
  const Journal& journal() const { return journal_; }
  void record(const std::string& account_sid, const std::string& call_sid, std::string type,
              EventFields fields);
  // The same for an event that leaves the call as it was (the journal line of a read): a
  // store (take_changes) need not write the call again for it.
  void record_unchanged(const std::string& account_sid, const std::string& call_sid,
                        std::string type, EventFields fields);
  // Calls, journal, notifications, queues and timers of every world. Accounts, numbers,
  // behaviours and clocks stay: the control API resets what it means to itself.
  void reset();
  // One world (the account's root and its subaccounts): calls, journal, notifications,
  // queues, timers and numbers; its behaviours and limit back to the template. Its clock stays.
  void reset_account(const std::string& account_sid);
  size_t call_count() const;
  // Twilio's calls-per-second limit emulation (0 = off) of an account's world; applies to
  // calls created from now on.
  void set_calls_per_second(const std::string& account_sid, int cps) {
    world(account_sid).calls_per_second = cps < 0 ? 0 : cps;
  }
  int calls_per_second(const std::string& account_sid) {
    return world(account_sid).calls_per_second;
  }
  std::array<size_t, kCallStatusCount> count_by_status() const;
  EngineStats stats() const;

 private:
  struct Impl;
  void restore_queue(const JournalEvent& event);  // a queue.* event (engine_persistence.cpp)
  void restore_conference(const JournalEvent& event);  // a conference.* account event
  void restore_recording(const JournalEvent& event);   // a call's `recording` event
  ParticipantView participant_view(const conference::Conference& c,
                          const conference::Participant& p) const;
  World& make_world(const std::string& root_sid, std::optional<uint64_t> seed);
  const Clock& clock_of(const std::string& account_sid);

  ClockFactory clocks_;
  const Clock& wall_;
  EngineConfig config_;
  uint64_t seed_;
  AccountStore accounts_;
  WorldTemplate template_;
  std::unordered_map<std::string, std::unique_ptr<World>> worlds_;  // by root account sid
  std::vector<World*> touched_;
  Journal journal_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialtone::core
