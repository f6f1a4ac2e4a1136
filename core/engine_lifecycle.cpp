// A call's life: placed, ringing, answered or not, ended; its timers, its status callbacks, the
// webhooks it sends and the notifications it collects.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/engine_impl.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

constexpr int64_t kDefaultTimeLimitS = 14400;  // Twilio's default: 4 hours

std::string sip_response_code(CallStatus s) {
  switch (s) {
    case CallStatus::kCompleted: return "200";
    case CallStatus::kBusy: return "486";
    case CallStatus::kNoAnswer:
    case CallStatus::kCanceled: return "487";
    case CallStatus::kFailed: return "500";
    default: return "";
  }
}

std::string format_price(int64_t duration_s) {
  // A nominal per-minute rate, so that answered calls look priced as Twilio's do; like a
  // carrier, Twilio bills an answered call at least one minute.
  const int64_t minutes = std::max<int64_t>(1, (duration_s + 59) / 60);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5f", -0.014 * static_cast<double>(minutes));
  return buf;
}

}  // namespace

CallRecord* Engine::Impl::get(std::string_view sid) {
  return calls.find(sid);
}

namespace {

// Every member of Behavior: a new member must be compared here too.
static_assert(sizeof(Behavior) == 96, "Behavior changed: update same_behavior()");
bool same_behavior(const Behavior& a, const Behavior& b) {
  return a.outcome == b.outcome && a.answer_after_s == b.answer_after_s &&
         a.answered_by == b.answered_by && a.gather_inputs == b.gather_inputs &&
         a.hangup_after_s == b.hangup_after_s && a.record_seconds == b.record_seconds &&
         (a.script == b.script || (a.script && b.script && *a.script == *b.script));
}

}  // namespace

std::shared_ptr<const Behavior> Engine::Impl::share_behavior(const Behavior& b) {
  for (const auto& known : recent_behaviors)
    if (same_behavior(*known, b)) return known;
  constexpr size_t kRecent = 8;  // older ones live on in the calls that hold them
  if (recent_behaviors.size() == kRecent) recent_behaviors.erase(recent_behaviors.begin());
  recent_behaviors.push_back(std::make_shared<const Behavior>(b));
  return recent_behaviors.back();
}

void Engine::Impl::release_ended() {
  for (CallRecord* rec : ended) {
    if (is_live(rec->call.status)) continue;
    rec->runtime.reset();
    rec->behavior_.reset();
  }
  ended.clear();
  // Every answered call leaves its TimeLimit timer behind, and each redirect or verb that was
  // cut short leaves one more: without this, a heap grows with every call ever made.
  for (World* w : timer_worlds) {
    const size_t stale = w->timers.size() - w->timers.live;
    if (stale > w->timers.live && stale >= 1024) purge_timers(*w);
  }
  timer_worlds.clear();
}

void Engine::Impl::purge_timers(World& world) {
  world.timers.erase_if([](const Timer& t) {
    const bool live = !t.rec->removed && t.rec->gens[static_cast<size_t>(t.slot)] == t.gen;
    if (!live) --t.rec->timers_queued;
    return !live;
  });
  // Records no timer points at any more (in any world) can go.
  std::erase_if(graveyard, [](const auto& rec) { return rec->timers_queued == 0; });
}

void Engine::Impl::touch(World& world) {
  if (!world.touched) {
    world.touched = true;
    engine.touched_.push_back(&world);
  }
  if (timer_worlds.empty() || timer_worlds.back() != &world) timer_worlds.push_back(&world);
}

void Engine::Impl::remove_call(CallRecord& rec) {
  by_account[rec.call.account_sid].erase(&rec);
  std::unique_ptr<CallRecord> owned = calls.take(rec.call.sid);
  for (size_t slot = 0; slot < static_cast<size_t>(TimerSlot::kCount); ++slot) {
    if (rec.armed & (1u << slot)) --rec.world->timers.live;
  }
  touch(*rec.world);
  rec.armed = 0;
  rec.removed = true;
  std::erase(ended, &rec);
  if (rec.timers_queued > 0) graveyard.push_back(std::move(owned));
}

CallRecord& Engine::Impl::add_call(Call call) {
  auto rec = std::make_unique<CallRecord>();
  rec->order = next_order++;
  rec->call = std::move(call);
  rec->world = &engine.world(rec->call.account_sid);
  if (!rec->call.queue_time_ms) rec->call.queue_time_ms = 0;
  CallRecord& ref = calls.insert(std::move(rec));
  by_account[ref.call.account_sid].push_back(&ref);
  return ref;
}

std::string Engine::Impl::new_call_sid(World& world) {
  std::string sid = world.sids.next("CA");
  while (calls.contains(sid)) sid = world.sids.next("CA");
  return sid;
}

void Engine::Impl::arm(CallRecord& rec, TimerSlot slot, TimerKind kind, TimePoint due) {
  disarm(rec, slot);  // the slot's previous timer, if any, is now stale
  const uint32_t gen = rec.gens[static_cast<size_t>(slot)];
  TimerHeap& timers = rec.world->timers;
  timers.push(Timer{due, next_timer_seq++, &rec, gen, slot, kind});
  rec.armed |= static_cast<uint8_t>(1u << static_cast<unsigned>(slot));
  ++rec.timers_queued;
  ++timers.live;
  touch(*rec.world);
}

void Engine::Impl::disarm(CallRecord& rec, TimerSlot slot) {
  const auto bit = static_cast<uint8_t>(1u << static_cast<unsigned>(slot));
  if (rec.armed & bit) {
    rec.armed = static_cast<uint8_t>(rec.armed & ~bit);
    --rec.world->timers.live;
    touch(*rec.world);  // one more stale entry: release_ended() looks at its heap
  }
  ++rec.gens[static_cast<size_t>(slot)];
}

void Engine::Impl::journal(const CallRecord& rec, std::string type, EventFields fields) {
  engine.record(rec.call.account_sid, rec.call.sid, std::move(type), std::move(fields));
}

void Engine::Impl::transition(CallRecord& rec, CallEvent event, Effects& out) {
  (void)out;
  auto t = apply_event(rec.call.status, event);
  if (!t) {
    journal(rec, "error", {{"message", t.error().message}});
    return;
  }
  if (t->next == t->from) return;
  rec.call.status = t->next;
  rec.call.date_updated = now(rec);
  journal(rec, "status", {{"status", std::string(to_wire(t->next))},
                          {"from", std::string(to_wire(t->from))},
                          {"event", std::string(to_string(event))}});
}

void Engine::Impl::place(CallRecord& rec, Effects& out) {
  if (rec.call.status != CallStatus::kQueued) return;
  rec.call.queue_time_ms = (now(rec) - rec.call.date_created).count();
  const Behavior& b = rec.behavior();
  status_callback(rec, kEventInitiated, out);
  if (b.outcome == Outcome::kFail) {  // a call that cannot be connected never rings
    end_call(rec, CallEvent::kFail, out);
    return;
  }
  transition(rec, CallEvent::kDial, out);
  status_callback(rec, kEventRinging, out);
  const auto timeout = std::chrono::seconds(rec.call.timeout_s);
  auto after = std::chrono::seconds(std::max(0, b.answer_after_s));
  switch (b.outcome) {
    case Outcome::kAnswer:
      rec.rt().ring_outcome = after < timeout ? CallEvent::kAnswer : CallEvent::kNoAnswer;
      if (after >= timeout) after = timeout;
      break;
    case Outcome::kBusy:
      rec.rt().ring_outcome = CallEvent::kBusy;
      after = std::min(after, timeout);
      break;
    default:
      rec.rt().ring_outcome = CallEvent::kNoAnswer;
      after = timeout;
      break;
  }
  arm(rec, TimerSlot::kLifecycle, TimerKind::kRingOutcome, now(rec) + after);
}

void Engine::Impl::answer(CallRecord& rec, Effects& out) {
  transition(rec, CallEvent::kAnswer, out);
  if (rec.call.status != CallStatus::kInProgress) return;
  rec.answered = true;
  rec.call.start_time = now(rec);
  if (!rec.behavior().answered_by.empty()) {
    rec.call.answered_by = rec.behavior().answered_by;
  } else if (!rec.call.machine_detection.empty()) {
    rec.call.answered_by = "human";
  }
  status_callback(rec, kEventAnswered, out);
  const int64_t limit = rec.call.time_limit_s.value_or(kDefaultTimeLimitS);
  arm(rec, TimerSlot::kTimeLimit, TimerKind::kTimeLimit, now(rec) + std::chrono::seconds(limit));
  if (rec.behavior().hangup_after_s) {
    arm(rec, TimerSlot::kCalleeHangup, TimerKind::kCalleeHangup,
        now(rec) + std::chrono::seconds(*rec.behavior().hangup_after_s));
  }
  start_conversation(rec);
}

void Engine::Impl::end_call(CallRecord& rec, CallEvent event, Effects& out) {
  if (!is_live(rec.call.status)) return;
  transition(rec, event, out);
  if (is_live(rec.call.status)) return;  // the event did not end it (should not happen)
  // Then stop what the call was doing: a <Dial> posts its action, a queue its result. Those
  // requests already carry the final CallStatus, as Twilio's do after a hang-up.
  if (rec.answered || rec.phase != Phase::kIdle) {
    interrupt(rec, true, out);
  } else if (rec.in_conference()) {
    participant_not_added(rec, "participant_add_failed", out);  // an API call never joined
  }
  stop_call_streams(rec, out);  // forks too: `stop`, close, stream-stopped
  stop_call_recordings(rec, out);  // before the status callback, which names Record=true's
  stop_call_transcriptions(rec, out);
  end_conversation(rec);
  for (size_t slot = 0; slot < static_cast<size_t>(TimerSlot::kCount); ++slot) {
    disarm(rec, static_cast<TimerSlot>(slot));  // every timer of this call is now stale
  }
  rec.awaiting = 0;
  rec.phase = Phase::kIdle;
  rec.rt().program = {};
  if (rec.answered && rec.call.start_time) {
    rec.call.end_time = now(rec);
    rec.call.duration_s =
        std::chrono::duration_cast<std::chrono::seconds>(now(rec) - *rec.call.start_time).count();
    rec.call.price = format_price(*rec.call.duration_s);
  }
  status_callback(rec, kEventCompleted, out);
  if (!rec.rt().dialed_by.empty()) on_leg_status(rec, out);
  ended.push_back(&rec);
}

void Engine::Impl::connect(CallRecord& rec, Effects& out) {
  answer(rec, out);
  if (rec.call.status != CallStatus::kInProgress) return;
  if (!rec.rt().dialed_by.empty()) {
    on_leg_status(rec, out);  // a <Dial> leg joins its parent
    return;
  }
  // Record=true (Calls or Participants create): the recording starts when the call is
  // answered, before its TwiML or its joining.
  if (auto o = rec.world->recordings.take_armed(rec.call.sid)) {
    start_recording(rec, recording::Source::kOutboundApi, std::move(*o), {}, out);
  }
  if (rec.in_conference()) {
    join_on_answer(rec, out);  // a Participants API call joins its conference
  } else {
    start_twiml(rec, out);
  }
}

void Engine::Impl::on_timer(const Timer& t, Effects& out) {
  CallRecord* rec = t.rec;
  switch (t.kind) {
    case TimerKind::kDial:
      place(*rec, out);
      break;
    case TimerKind::kRingOutcome:
      if (rec->rt().ring_outcome == CallEvent::kAnswer) {
        connect(*rec, out);
      } else {
        end_call(*rec, rec->rt().ring_outcome, out);
      }
      break;
    case TimerKind::kVerbDone:
      verb_done(*rec, out);
      break;
    case TimerKind::kGatherInput: {
      const auto& inputs = rec->behavior().gather_inputs;
      const size_t next = rec->rt().gather_input_next;
      const std::string input = next > 0 && next <= inputs.size() ? inputs[next - 1]
                                                                  : std::string();
      if (input.rfind("speech:", 0) == 0) gather_input(*rec, {}, input.substr(7), out);
      else if (!input.empty()) gather_input(*rec, input, {}, out);
      break;
    }
    case TimerKind::kGatherTimeout:
      finish_gather(*rec, out);
      break;
    case TimerKind::kDialTimeout:
      // Nobody answered in time, unless the <Dial> decided its outcome before (a <Queue>
      // that does not exist fails at once).
      finish_dial(*rec, rec->dial().outcome.empty() ? "no-answer" : rec->dial().outcome, true,
                  out);
      break;
    case TimerKind::kDialTimeLimit:
      if (rec->phase == Phase::kConference) {
        // The <Dial timeLimit> takes the call out of its conference (reference §2.4).
        leave_conference(*rec, "participant_updated_via_api", true, false, out);
      } else {
        finish_dial(*rec, "completed", true, out);
      }
      break;
    case TimerKind::kRecordDone:
      finish_record(*rec, "", out);
      break;
    case TimerKind::kStreamTick:
      stream_tick(*rec, out);
      break;
    case TimerKind::kScriptTurn:
      callee_step(*rec, out);
      break;
    case TimerKind::kTimeLimit:
    case TimerKind::kCalleeHangup:
      journal(*rec, "timer", {{"kind", t.kind == TimerKind::kTimeLimit ? "time-limit"
                                                                       : "callee-hangup"}});
      end_call(*rec, CallEvent::kHangup, out);
      break;
  }
}

Fields Engine::Impl::base_params(const CallRecord& rec) const {
  const Call& c = rec.call;
  Fields f = {
      {"AccountSid", c.account_sid},
      {"ApiVersion", "2010-04-01"},
      {"CallSid", c.sid},
      {"CallStatus", std::string(to_wire(c.status))},
      {"Called", c.to},
      {"CalledCity", ""}, {"CalledCountry", ""}, {"CalledState", ""}, {"CalledZip", ""},
      {"Caller", c.from},
      {"CallerCity", ""}, {"CallerCountry", ""}, {"CallerState", ""}, {"CallerZip", ""},
      {"Direction", std::string(to_wire(c.direction))},
      {"From", c.from},
      {"FromCity", ""}, {"FromCountry", ""}, {"FromState", ""}, {"FromZip", ""},
      {"To", c.to},
      {"ToCity", ""}, {"ToCountry", ""}, {"ToState", ""}, {"ToZip", ""},
  };
  if (!c.parent_call_sid.empty()) f.emplace_back("ParentCallSid", c.parent_call_sid);
  if (!c.forwarded_from.empty()) f.emplace_back("ForwardedFrom", c.forwarded_from);
  if (!c.caller_name.empty()) f.emplace_back("CallerName", c.caller_name);
  if (!c.answered_by.empty()) f.emplace_back("AnsweredBy", c.answered_by);
  return f;
}

uint64_t Engine::Impl::send(CallRecord& rec, WebhookPurpose purpose, const Webhook& target,
                            Fields extra, Effects& out) {
  Fields params = base_params(rec);
  for (auto& [k, v] : extra) {
    bool replaced = false;
    for (auto& [bk, bv] : params) {
      if (bk == k) {
        bv = v;
        replaced = true;
      }
    }
    if (!replaced) params.emplace_back(std::move(k), std::move(v));
  }
  return send_exact(rec, purpose, target, std::move(params), out);
}

// A request with exactly `params`: the ones whose parameters are not the call's (a Media
// Stream's status callback).
uint64_t Engine::Impl::send_exact(CallRecord& rec, WebhookPurpose purpose, const Webhook& target,
                                  Fields params, Effects& out) {
  if (!is_absolute_http_url(target.url)) {
    // Only reachable for requests whose answer is not awaited (fetch() checks its own URL):
    // a relative action or statusCallback in inline TwiML. Twilio logs a warning and goes on.
    notify(rec, 11100, 1, "Invalid URL: '" + target.url + "' is not an absolute http(s) URL",
           nullptr, nullptr);
    return 0;
  }
  WebhookRequest req;
  req.account_sid = rec.call.account_sid;
  req.call_sid = rec.call.sid;
  req.purpose = purpose;
  req.target = target;
  req.params = std::move(params);
  return dispatch(std::move(req), {}, {}, out);
}

uint64_t Engine::Impl::dispatch(WebhookRequest req, std::string account_sid,
                                std::string conference_sid, Effects& out) {
  req.id = next_webhook_id++;
  if (const Account* a = engine.accounts_.find(req.account_sid)) req.auth_token = a->auth_token;
  PendingWebhook pending_req{req.call_sid,
                             req.purpose,
                             req.target.url,
                             std::string(to_wire(req.target.method)),
                             form_encode(req.params),
                             std::move(account_sid),
                             std::move(conference_sid)};
  engine.record(req.account_sid, req.call_sid, "webhook.request",
                {{"id", std::to_string(req.id)},
                 {"purpose", std::string(purpose_name(req.purpose))},
                 {"url", req.target.url},
                 {"method", pending_req.method},
                 {"params", pending_req.params}});
  pending.emplace(req.id, std::move(pending_req));
  out.webhooks.push_back(std::move(req));
  return out.webhooks.back().id;
}

void Engine::Impl::status_callback(CallRecord& rec, uint8_t event, Effects& out) {
  Call& c = rec.call;
  // Each event is considered once, even when the app did not ask for it, so that a
  // StatusCallback set later by an update never replays old events.
  if (event == 0 || (c.callbacks_sent & event)) return;
  c.callbacks_sent |= event;
  if (!(c.status_callback_events & event) || c.status_callback.empty()) return;
  Fields extra = {{"CallbackSource", "call-progress-events"},
                  {"SequenceNumber", std::to_string(c.callback_sequence++)},
                  {"Timestamp", format_rfc2822(now(rec))}};
  switch (event) {
    case kEventInitiated: extra.emplace_back("CallStatus", "initiated"); break;
    case kEventRinging: extra.emplace_back("CallStatus", "ringing"); break;
    case kEventAnswered: extra.emplace_back("CallStatus", "in-progress"); break;
    default: {
      const int64_t d = c.duration_s.value_or(0);
      extra.emplace_back("CallDuration", std::to_string(d));
      extra.emplace_back("Duration", std::to_string((d + 59) / 60));
      extra.emplace_back("SipResponseCode", sip_response_code(c.status));
      for (auto& f : record_true_params(rec)) extra.push_back(std::move(f));
      break;
    }
  }
  send(rec, WebhookPurpose::kStatusCallback, c.status_callback, std::move(extra), out);
}

void Engine::Impl::notify(CallRecord& rec, int code, int log, const std::string& text,
                          const PendingWebhook* request, const WebhookResult* response) {
  Notification n;
  n.sid = rec.world->sids.next("NO");
  // Two worlds on the same sequence (one seed, or a restored snapshot beside its source) make
  // the same sids: skip one that another notification holds, as new_call_sid() does.
  while (notifications.count(n.sid)) n.sid = rec.world->sids.next("NO");
  n.account_sid = rec.call.account_sid;
  n.call_sid = rec.call.sid;
  n.error_code = code;
  n.log = log;
  n.date_created = now(rec);
  Fields msg = {{"Msg", text}, {"sourceComponent", "12000"}};
  if (request) {
    msg.emplace_back("url", request->url);
    n.request_method = request->method;
    n.request_url = request->url;
    n.request_variables = request->params;
  }
  n.message_text = form_encode(msg);
  if (response) {
    n.response_body = response->body.substr(0, 4096);
    if (!response->content_type.empty()) n.response_headers = "Content-Type=" +
                                                              percent_encode(response->content_type);
  }
  journal(rec, "notification", {{"sid", n.sid},
                                {"error_code", std::to_string(code)},
                                {"log", std::to_string(log)},
                                {"message", text}});
  rec.notifications.push_back(n.sid);
  if (config().track_changes) new_notifications.push_back(n.sid);
  notifications.emplace(n.sid, std::move(n));
}

}  // namespace dialtone::core
