// The engine's public commands. Each validates, then hands over to the lifecycle
// (engine_lifecycle.cpp) or the interpreter (engine_twiml.cpp).
#include "core/engine.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <span>

#include "core/endpoint.hpp"
#include "core/engine_impl.hpp"
#include "core/test_numbers.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

TwilioError not_found() { return TwilioError{404, 20404, "", {}}; }  // api/ adds the path

// The update's parameters for its api.request event, packed straight from views: one
// allocation (a vector of copied strings first cost four on every update).
EventFields update_fields(const UpdateCall& u) {
  std::array<EventFields::value_type, 7> f;
  size_t n = 0;
  char limit[24];
  if (u.url) f[n++] = {"Url", u.url->url};
  if (u.twiml) f[n++] = {"Twiml", *u.twiml};
  if (u.status) f[n++] = {"Status", to_wire(*u.status)};
  if (u.fallback) f[n++] = {"FallbackUrl", u.fallback->url};
  if (u.status_callback) f[n++] = {"StatusCallback", u.status_callback->url};
  if (u.time_limit_s) {
    const char* end = std::to_chars(limit, limit + sizeof limit, *u.time_limit_s).ptr;
    f[n++] = {"TimeLimit", std::string_view(limit, static_cast<size_t>(end - limit))};
  }
  if (!u.request_id.empty()) f[n++] = {"request_id", u.request_id};
  return EventFields(std::span<const EventFields::value_type>(f.data(), n));
}

}  // namespace

namespace {

// A world's view of a clock that every world shares (the unit tests' manual clock).
class SharedClock final : public Clock {
 public:
  explicit SharedClock(const Clock& clock) : clock_(clock) {}
  TimePoint now() const override { return clock_.now(); }

 private:
  const Clock& clock_;
};

}  // namespace

Engine::Engine(ClockFactory clocks, const Clock& wall_clock, EngineConfig config, uint64_t seed)
    : clocks_(std::move(clocks)), wall_(wall_clock), config_(std::move(config)), seed_(seed),
      impl_(std::make_unique<Impl>(*this)) {
  Behavior b;
  b.answer_after_s = config_.ring_seconds;
  template_.behaviors.set_default(b);
  template_.calls_per_second = config_.max_calls_per_second;
}

Engine::Engine(const Clock& clock, const Clock& wall_clock, EngineConfig config, uint64_t seed)
    : Engine([&clock](const std::string&) { return std::make_unique<SharedClock>(clock); },
             wall_clock, std::move(config), seed) {}

Engine::~Engine() = default;

Result<const Call*> Engine::create_call(CreateCall request, Effects& out) {
  if (auto error = test_number_error(request.from, request.to)) return *error;
  if (!request.twiml.empty() && request.url.empty()) {
    auto doc = twiml::parse(request.twiml);
    if (!doc) return bad_request(doc.error().code, "Twiml is not valid: " + doc.error().message);
  }
  World& w = world(request.account_sid);
  const TimePoint now = w.clock->now();
  Call call;
  static_cast<CallSettings&>(call) = std::move(static_cast<CallSettings&>(request));
  if (!call.url.empty()) call.twiml.clear();  // a Url wins over inline TwiML
  call.sid = impl_->new_call_sid(w);
  call.status = CallStatus::kQueued;
  call.direction = Direction::kOutboundApi;
  call.date_created = call.date_updated = now;
  CallRecord& rec = impl_->add_call(std::move(call));
  rec.set_behavior(impl_->share_behavior(w.behaviors.for_number(rec.call.to)));
  impl_->journal(rec, "status", {{"status", "queued"}, {"event", "create"}});
  if (request.record) w.recordings.arm(rec.call.sid, rec.call.account_sid, request.recording);
  // Dialling is a timer due now, fired after this returns (by the host, in the same hold):
  // the 201 shows the call queued, as Twilio's does. With a calls-per-second limit, calls
  // wait their turn in the queue.
  TimePoint dial_at = now;
  if (w.calls_per_second > 0) {
    const Millis slot{1000 / w.calls_per_second};
    w.next_dial_slot = std::max(w.next_dial_slot, now);
    dial_at = w.next_dial_slot;
    w.next_dial_slot += slot;
  }
  impl_->arm(rec, TimerSlot::kLifecycle, TimerKind::kDial, dial_at);
  (void)out;  // nothing goes out before the call is placed
  return &rec.call;
}

Result<const Call*> Engine::update_call(const std::string& account_sid, const std::string& sid,
                                        const UpdateCall& request, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(sid);
  if (!rec || rec->call.account_sid != account_sid) return not_found();
  std::shared_ptr<const twiml::Document> inline_doc;
  if (request.twiml) {
    auto doc = twiml::parse(*request.twiml);
    if (!doc) return bad_request(doc.error().code, "Twiml is not valid: " + doc.error().message);
    inline_doc = doc.value();
  }
  CallEvent event = CallEvent::kApiRedirect;
  if (request.status) {
    event = *request.status == CallStatus::kCanceled ? CallEvent::kApiCancel
                                                     : CallEvent::kApiComplete;
  }
  auto t = apply_event(rec->call.status, event);
  if (!t) return t.error();
  impl_->journal(*rec, "api.request", update_fields(request));
  if (t->no_op) return &rec->call;  // canceled on an in-progress call: Twilio leaves it alone

  Call& call = rec->call;
  const TimePoint now = Impl::now(*rec);
  call.date_updated = now;
  // A participant taken out of its conference by this update leaves "via API".
  if (rec->in_conference()) rec->conf().leave_reason = "participant_updated_via_api";
  if (request.fallback) call.fallback = *request.fallback;
  if (request.status_callback) call.status_callback = *request.status_callback;
  if (request.time_limit_s) {
    call.time_limit_s = request.time_limit_s;
    if (rec->answered) {
      impl_->arm(*rec, TimerSlot::kTimeLimit, TimerKind::kTimeLimit,
                 std::max(*call.start_time + std::chrono::seconds(*request.time_limit_s),
                          now));
    }
  }
  if (request.status) {
    impl_->end_call(*rec, event, out);
    return &rec->call;
  }
  if (request.url || request.twiml) {
    if (!rec->answered && rec->call.direction != Direction::kInbound) {
      // Not connected yet: the new instructions are what runs on answer.
      call.url = request.url ? *request.url : Webhook{};
      call.twiml = request.twiml ? *request.twiml : std::string();
      return &rec->call;
    }
    impl_->interrupt(*rec, false, out);
    if (request.url) {
      impl_->fetch(*rec, *request.url, {}, false, out);
    } else {
      impl_->run_document(*rec, inline_doc, {}, out);
    }
  }
  return &rec->call;
}

Status Engine::delete_call(const std::string& account_sid, const std::string& sid) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(sid);
  if (!rec || rec->call.account_sid != account_sid) return not_found();
  if (is_live(rec->call.status)) {
    return bad_request(20009, "Cannot delete this resource before it is complete");
  }
  for (const auto& n : rec->notifications) impl_->notifications.erase(n);
  impl_->dirty_calls.erase(sid);
  if (config_.track_changes) impl_->deleted_calls.push_back(sid);
  impl_->remove_call(*rec);
  return Ok{};
}

const Call* Engine::find_call(const std::string& account_sid, const std::string& sid) const {
  const CallRecord* rec = impl_->calls.find(sid);
  if (!rec || rec->call.account_sid != account_sid) return nullptr;
  return &rec->call;
}

namespace {

bool in_range(const std::optional<TimePoint>& t, const std::optional<TimePoint>& from,
              const std::optional<TimePoint>& before) {
  if (!from && !before) return true;
  if (!t) return false;
  if (from && *t < *from) return false;
  if (before && *t >= *before) return false;
  return true;
}

bool matches(const Call& c, const CallFilter& f) {
  if (!f.to.empty() && c.to != f.to) return false;
  if (!f.from.empty() && c.from != f.from) return false;
  if (!f.parent_call_sid.empty() && c.parent_call_sid != f.parent_call_sid) return false;
  if (f.status && c.status != *f.status) return false;
  return in_range(c.start_time, f.start_from, f.start_before) &&
         in_range(c.end_time, f.end_from, f.end_before);
}

}  // namespace

CallPage Engine::list_calls(const std::string& account_sid, const CallFilter& filter,
                            size_t limit, size_t skip, const std::string& after_sid,
                            const std::string& before_sid) const {
  CallPage page;
  auto it = impl_->by_account.find(account_sid);
  if (it == impl_->by_account.end() || limit == 0) return page;
  const auto& list = it->second;  // oldest first
  auto position = [&](const std::string& sid) -> std::optional<size_t> {
    const CallRecord* c = impl_->calls.find(sid);
    if (!c || c->call.account_sid != account_sid) return std::nullopt;
    auto p = std::lower_bound(list.begin(), list.end(), c->order,
                              [](const CallRecord* r, uint64_t o) { return r->order < o; });
    return static_cast<size_t>(p - list.begin());
  };
  if (!before_sid.empty()) {
    // The page just newer than before_sid: walk towards the newest, then flip.
    auto pos = position(before_sid);
    if (!pos) return page;
    for (size_t i = *pos + 1; i < list.size() && page.calls.size() < limit; ++i)
      if (matches(list[i]->call, filter)) page.calls.push_back(&list[i]->call);
    std::reverse(page.calls.begin(), page.calls.end());
    page.has_more = true;  // before_sid itself (or older) follows this page
    return page;
  }
  size_t end = list.size();  // exclusive, walking down
  if (!after_sid.empty()) {
    auto pos = position(after_sid);
    if (!pos) return page;
    end = *pos;
  }
  for (size_t i = end; i-- > 0;) {
    if (!matches(list[i]->call, filter)) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    if (page.calls.size() == limit) {
      page.has_more = true;
      break;
    }
    page.calls.push_back(&list[i]->call);
  }
  return page;
}

std::vector<const Notification*> Engine::notifications(const std::string& account_sid,
                                                       const std::string& call_sid) const {
  std::vector<const Notification*> out;
  const CallRecord* rec = impl_->calls.find(call_sid);
  if (!rec || rec->call.account_sid != account_sid) return out;
  for (const auto& sid : rec->notifications) {
    auto n = impl_->notifications.find(sid);
    if (n != impl_->notifications.end()) out.push_back(&n->second);
  }
  std::reverse(out.begin(), out.end());  // newest first, like every Twilio list
  return out;
}

Status Engine::callee_action(const std::string& call_sid, CalleeAction action, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec) return TwilioError{404, 20404, "No call " + call_sid, {}};
  static constexpr CallEvent kEvents[] = {CallEvent::kAnswer, CallEvent::kBusy,
                                          CallEvent::kNoAnswer, CallEvent::kFail,
                                          CallEvent::kHangup};
  CallEvent event = kEvents[static_cast<int>(action)];
  // A callee who hangs up before answering has declined the call.
  if (event == CallEvent::kHangup && !rec->answered) event = CallEvent::kNoAnswer;
  // Before the call rings there is no callee to act yet: place it first.
  if (rec->call.status == CallStatus::kQueued && event == CallEvent::kAnswer) {
    impl_->place(*rec, out);
    if (rec->call.status != CallStatus::kRinging) return Ok{};
  }
  auto t = apply_event(rec->call.status, event);
  if (!t) return t.error();
  impl_->journal(*rec, "callee", {{"action", std::string(to_string(event))}});
  if (callee::Conversation* c = impl_->conversation_of(*rec); c && event == CallEvent::kHangup) {
    const TimePoint at = Impl::now(*rec);
    c->add({callee::Entry::Speaker::kCallee, "hangup", {}, "control", at, at, false, 0});
  }
  if (event == CallEvent::kAnswer) {
    impl_->disarm(*rec, TimerSlot::kLifecycle);
    impl_->connect(*rec, out);
  } else {
    impl_->end_call(*rec, event, out);
  }
  return Ok{};
}

Status Engine::callee_digits(const std::string& call_sid, const std::string& digits,
                             Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec) return TwilioError{404, 20404, "No call " + call_sid, {}};
  if (callee::Conversation* c = impl_->conversation_of(*rec)) {
    const TimePoint t = Impl::now(*rec);
    c->add({callee::Entry::Speaker::kCallee, "digits", digits, "control", t, t, false, 0});
  }
  if (impl_->press_digits(*rec, digits, out)) return Ok{};
  return TwilioError{409, 0, "Call " + call_sid + " is not waiting for digits", {}};
}

bool Engine::Impl::press_digits(CallRecord& rec, const std::string& digits, Effects& out) {
  journal(rec, "callee", {{"action", "digits"}, {"digits", digits}});
  // Bidirectional Media Streams hear every key (unidirectional ones get no `dtmf`).
  bool streamed = false;
  if (!rec.world->streams.live_on_call(rec.call.sid).empty()) {
    std::vector<std::string> messages;
    for (stream::Session* s : rec.world->streams.live_on_call(rec.call.sid)) {
      for (char d : digits) s->dtmf(d, messages);
      streamed = streamed || !messages.empty();
      stream_messages(*s, messages, out);
    }
  }
  // A ConversationRelay session hears them as `dtmf` when its dtmfDetection is on.
  if (relay::Session* r = relay_of(rec); r && r->state == relay::State::kOpen) {
    if (!r->spec.dtmf_detection) return false;
    for (char d : digits) relay_send(*r, relay::dtmf_message(d), out);
    return true;
  }
  switch (rec.phase) {
    case Phase::kGather:
      gather_input(rec, digits, {}, out);
      return true;
    case Phase::kRecord:
      finish_record(rec, digits.substr(0, 1), out);
      return true;
    case Phase::kDial:
      if (digits.find('*') != std::string::npos &&
          current_verb(rec).attr_or("hangupOnStar", "false") == "true" &&
          !rec.dial().bridged_sid.empty()) {
        finish_dial(rec, "completed", true, out);
        return true;
      }
      break;
    case Phase::kEnqueued:
      if (gathering(rec)) {  // a <Gather> of the wait document
        gather_input(rec, digits, {}, out);
        return true;
      }
      break;
    case Phase::kConference:
      if (digits.find('*') != std::string::npos && rec.conf().hangup_on_star) {
        leave_conference(rec, "participant_updated_via_api", true, false, out);
        return true;
      }
      break;
    default:
      break;
  }
  return streamed;  // a bidirectional stream heard them
}

Status Engine::callee_speech(const std::string& call_sid, const std::string& speech,
                             Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec) return TwilioError{404, 20404, "No call " + call_sid, {}};
  // Media Streams hear the callee speak: a tone on the inbound track for as long as the words
  // take (media::CallAudio).
  media::CallAudio* audio = rec->world->streams.audio_of(call_sid);
  if (audio) {
    audio->callee_speaks_until = rec->world->clock->now() + media::speech_length(speech.size());
  }
  // So do recordings (core/recording/).
  const bool recorded =
      impl_->heard(*rec, true, rec->world->clock->now(), media::speech_length(speech.size()));
  if (!Impl::gathering(*rec)) {
    if (audio || recorded) {
      impl_->journal(*rec, "callee", {{"action", "speech"}, {"speech", speech}});
      return Ok{};
    }
    return TwilioError{409, 0, "Call " + call_sid + " is not in a <Gather> or a stream", {}};
  }
  impl_->journal(*rec, "callee", {{"action", "speech"}, {"speech", speech}});
  if (callee::Conversation* c = impl_->conversation_of(*rec)) {
    // Heard at once, as SpeechResult: the legacy action takes no speaking time.
    const TimePoint at = Impl::now(*rec);
    c->add({callee::Entry::Speaker::kCallee, "speech", speech, "gather", at, at, false,
            callee::kDefaultConfidence});
  }
  impl_->gather_input(*rec, {}, speech, out);
  return Ok{};
}

Result<const Call*> Engine::start_inbound(const std::string& account_sid,
                                          const std::string& from, const std::string& to,
                                          const Webhook& voice_url,
                                          const Webhook& voice_fallback,
                                          const Webhook& status_callback, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  World& w = world(account_sid);
  Call call;
  call.sid = impl_->new_call_sid(w);
  call.account_sid = account_sid;
  // Formatted as Twilio formats every number it shows: "(415) 555-0100" for NANP.
  const auto from_ep = parse_endpoint(from);
  const auto to_ep = parse_endpoint(to);
  call.from = from_ep ? from_ep->value : from;
  call.from_formatted = from_ep ? from_ep->formatted : from;
  call.to = to_ep ? to_ep->value : to;
  call.to_formatted = to_ep ? to_ep->formatted : to;
  call.direction = Direction::kInbound;
  call.status = CallStatus::kRinging;  // an inbound call rings while dialtone asks the app
  call.date_created = call.date_updated = w.clock->now();
  call.url = voice_url;
  call.fallback = voice_fallback;
  call.status_callback = status_callback;
  CallRecord& rec = impl_->add_call(std::move(call));
  rec.set_behavior(impl_->share_behavior(w.behaviors.for_number(from)));  // the caller
  impl_->journal(rec, "status", {{"status", "ringing"}, {"event", "inbound"}});
  impl_->status_callback(rec, kEventInitiated, out);
  impl_->status_callback(rec, kEventRinging, out);
  impl_->fetch(rec, voice_url, {}, false, out);
  return &rec.call;
}

std::optional<TimePoint> Engine::next_due(const World& w) const {
  if (w.timers.empty()) return std::nullopt;
  return w.timers.next().due;
}

size_t Engine::fire_due(World& w, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  const TimePoint now = w.clock->now();
  TimerHeap& timers = w.timers;
  size_t live = 0;
  while (!timers.empty() && timers.next().due <= now) {
    const Timer t = timers.pop();
    CallRecord& rec = *t.rec;
    --rec.timers_queued;
    if (rec.removed || rec.gens[static_cast<size_t>(t.slot)] != t.gen) continue;  // stale
    rec.armed = static_cast<uint8_t>(rec.armed & ~(1u << static_cast<unsigned>(t.slot)));
    --w.timers.live;
    ++live;
    impl_->on_timer(t, out);
  }
  impl_->touch(w);
  return live;
}

std::optional<TimePoint> Engine::next_due() const {
  std::optional<TimePoint> first;
  for (const auto& [sid, w] : worlds_) {
    auto due = next_due(*w);
    if (due && (!first || *due < *first)) first = due;
  }
  return first;
}

size_t Engine::fire_due(Effects& out) {
  size_t live = 0;
  // A timer of one world may arm timers in another only through a new world (never: calls
  // stay in their account), so one pass over the worlds fires everything that is due.
  for (auto& [sid, w] : worlds_) live += fire_due(*w, out);
  return live;
}

size_t Engine::webhooks_in_flight() const { return impl_->pending.size(); }

void Engine::record(const std::string& account_sid, const std::string& call_sid,
                    std::string type, EventFields fields) {
  // Every change to a call is journalled, so the journal is also where a store learns which
  // calls to write again.
  if (config_.track_changes && !call_sid.empty()) impl_->dirty_calls.insert(call_sid);
  record_unchanged(account_sid, call_sid, std::move(type), std::move(fields));
}

void Engine::record_unchanged(const std::string& account_sid, const std::string& call_sid,
                              std::string type, EventFields fields) {
  JournalEvent e;
  e.account_sid = account_sid;
  e.call_sid = call_sid;
  e.at = clock_of(account_sid).now();
  e.wall = wall_.now();
  e.type = std::move(type);
  e.fields = std::move(fields);
  journal_.append(std::move(e));
}

void Engine::reset() {
  impl_->ended.clear();
  impl_->timer_worlds.clear();
  for (auto& [sid, w] : worlds_) {
    w->timers.clear();
    w->timers.live = 0;
    w->next_dial_slot = {};
    w->queues.clear();
    w->conferences.clear();
    impl_->drop_world_streams(*w);
    w->call_resources.clear();
    w->recordings.clear();
    w->conversations.clear();
    w->clips.clear();
    impl_->touch(*w);
    impl_->transcriptions.clear();
  }
  impl_->graveyard.clear();
  impl_->calls.clear();
  impl_->by_account.clear();
  impl_->pending.clear();
  impl_->notifications.clear();
  journal_.clear();
  impl_->dirty_calls.clear();
  impl_->deleted_calls.clear();
  impl_->new_notifications.clear();
  impl_->reset_accounts.clear();
  impl_->reset_all = config_.track_changes;
  impl_->persisted_seq = journal_.last_seq();
}

void Engine::reset_account(const std::string& account_sid) {
  Impl::ReleaseAtEnd release{*impl_};
  impl_->release_ended();
  // A root account takes its subaccounts along; a subaccount goes alone.
  std::vector<std::string> sids{account_sid};
  const bool is_root = root_of(account_sid) == account_sid;
  if (is_root) {
    for (const auto& [sid, a] : accounts_.all()) {
      if (sid != account_sid && a.owner_account_sid == account_sid) sids.push_back(sid);
    }
  }
  World& w = world(account_sid);
  for (const std::string& sid : sids) {
    auto it = impl_->by_account.find(sid);
    if (it != impl_->by_account.end()) {
      const Impl::AccountCalls records = std::move(it->second);
      impl_->by_account.erase(it);
      for (CallRecord* rec : records) {
        for (const auto& n : rec->notifications) impl_->notifications.erase(n);
        w.conversations.erase(rec->call.sid);
        impl_->remove_call(*rec);  // timers and pending results for it go stale
      }
      impl_->by_account.erase(sid);  // remove_call looked it up again
    }
    w.queues.erase_account(sid);
    w.conferences.erase_account(sid);
    for (uint64_t id : w.streams.erase_account(sid)) impl_->dropped_streams.push_back(id);
    for (uint64_t id : w.relays.erase_account(sid)) impl_->dropped_streams.push_back(id);
    w.call_resources.erase_account(sid);
    w.recordings.erase_account(sid);
    std::erase_if(impl_->transcriptions, [&](const auto& t) { return t.second.account_sid == sid; });
    w.numbers.erase_account(sid);
    if (config_.track_changes) impl_->reset_accounts.push_back(sid);
    journal_.erase_account(sid);
  }
  // A conference's own webhooks go with its account; a call's with the call.
  std::erase_if(impl_->pending, [&](const auto& p) {
    if (!p.second.account_sid.empty()) {
      return std::find(sids.begin(), sids.end(), p.second.account_sid) != sids.end();
    }
    return !impl_->calls.contains(p.second.call_sid);
  });
  std::erase_if(impl_->dirty_calls,
                [&](const std::string& sid) { return !impl_->calls.contains(sid); });
  std::erase_if(impl_->new_notifications,
                [&](const std::string& sid) { return !impl_->notifications.count(sid); });
  impl_->purge_timers(w);  // the removed calls' timers: nothing of them is left to wake for
  if (is_root) {
    // The world's settings go back to what a new world starts with; its clock stays, so time
    // never runs backwards under a test that resets between cases.
    w.behaviors = template_.behaviors;
    w.clips.clear();
    w.calls_per_second = template_.calls_per_second;
    w.next_dial_slot = {};
  }
}

// ---------------------------------------------------------------- worlds

const std::string& Engine::root_of(const std::string& account_sid) const {
  const Account* a = accounts_.find(account_sid);
  return a && !a->owner_account_sid.empty() ? a->owner_account_sid : account_sid;
}

World& Engine::make_world(const std::string& root_sid, std::optional<uint64_t> seed) {
  auto w = std::make_unique<World>();
  w->sid = root_sid;
  w->seed = seed ? *seed : world_seed(seed_, root_sid);
  w->sids = SidGenerator(w->seed);
  w->clock = clocks_(root_sid);
  w->behaviors = template_.behaviors;
  w->calls_per_second = template_.calls_per_second;
  World& ref = *w;
  worlds_[root_sid] = std::move(w);
  impl_->touch(ref);
  return ref;
}

World& Engine::world(const std::string& account_sid) {
  const std::string& root = root_of(account_sid);
  auto it = worlds_.find(root);
  if (it != worlds_.end()) return *it->second;
  return make_world(root, std::nullopt);
}

const World* Engine::find_world(const std::string& account_sid) const {
  auto it = worlds_.find(root_of(account_sid));
  return it == worlds_.end() ? nullptr : it->second.get();
}

World& Engine::create_world(const std::string& root_sid, std::optional<uint64_t> seed) {
  erase_world(root_sid);
  return make_world(root_sid, seed);
}

void Engine::erase_world(const std::string& root_sid) {
  auto it = worlds_.find(root_sid);
  if (it == worlds_.end()) return;
  reset_account(root_sid);
  World* w = it->second.get();
  // Its heap may still hold stale timers of removed calls: drop them, then the records that
  // only they kept alive.
  w->timers.for_each([](const Timer& t) { --t.rec->timers_queued; });
  w->timers.clear();
  std::erase_if(impl_->graveyard, [](const auto& rec) { return rec->timers_queued == 0; });
  std::erase(touched_, w);
  std::erase(impl_->timer_worlds, w);
  worlds_.erase(it);
}

void Engine::for_each_world(const std::function<void(World&)>& fn) {
  for (auto& [sid, w] : worlds_) fn(*w);
}

size_t Engine::world_count() const { return worlds_.size(); }

std::vector<World*> Engine::take_touched() {
  std::vector<World*> out;
  out.swap(touched_);
  for (World* w : out) w->touched = false;
  return out;
}

const Clock& Engine::clock_of(const std::string& account_sid) {
  if (account_sid.empty()) return *world(config_.default_account_sid).clock;
  return *world(account_sid).clock;
}

const PhoneNumber* Engine::find_number(const std::string& phone_number,
                                       const std::string* account_sid) const {
  if (account_sid) {
    const World* w = find_world(*account_sid);
    const PhoneNumber* n = w ? w->numbers.find(phone_number) : nullptr;
    return n && n->account_sid == *account_sid ? n : nullptr;
  }
  if (const World* w = find_world(config_.default_account_sid)) {
    if (const PhoneNumber* n = w->numbers.find(phone_number)) return n;
  }
  for (const auto& [sid, w] : worlds_) {
    if (const PhoneNumber* n = w->numbers.find(phone_number)) return n;
  }
  return nullptr;
}

size_t Engine::call_count() const { return impl_->calls.size(); }

std::array<size_t, kCallStatusCount> Engine::count_by_status() const {
  std::array<size_t, kCallStatusCount> counts{};
  impl_->calls.for_each(
      [&](const CallRecord& rec) { ++counts[static_cast<size_t>(rec.call.status)]; });
  return counts;
}

EngineStats Engine::stats() const {
  EngineStats s;
  s.worlds = worlds_.size();
  s.calls = impl_->calls.size();
  impl_->calls.for_each([&](const CallRecord& rec) { s.runtimes += rec.runtime != nullptr; });
  for (const auto& [sid, w] : worlds_) {
    s.timers += w->timers.size();
    s.live_timers += w->timers.live;
  }
  return s;
}

}  // namespace dialtone::core
