// The verbs that involve more than one call or wait on someone: <Dial> (child legs, or a
// caller taken from a queue: core/queue/engine_queue.cpp has the queue side), and <Record>.
#include <algorithm>
#include <sstream>

#include "core/endpoint.hpp"
#include "core/engine_impl.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using twiml::attr_int;
using twiml::attr_method;
using twiml::Node;

uint8_t parse_events(const std::string& text) {
  uint8_t events = 0;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    if (word == "initiated") events |= kEventInitiated;
    else if (word == "ringing") events |= kEventRinging;
    else if (word == "answered") events |= kEventAnswered;
    else if (word == "completed") events |= kEventCompleted;
  }
  return events ? events : static_cast<uint8_t>(kEventCompleted);
}

std::string seconds_between(TimePoint a, TimePoint b) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(b - a).count());
}

}  // namespace

// ---------------------------------------------------------------- <Dial>

void Engine::Impl::start_dial(CallRecord& rec, const Node& v, Effects& out) {
  rec.dial() = {};
  rec.dial().started_at = now(rec);
  const int timeout = attr_int(v, "timeout", 30, 1, 600);
  std::vector<const Node*> nouns;
  Node bare;  // <Dial>+15551234567</Dial>
  if (v.children.empty() && !v.text.empty()) {
    bare.name = "Number";
    bare.text = v.text;
    nouns.push_back(&bare);
  }
  for (const Node& n : v.children) nouns.push_back(&n);

  for (const Node* n : nouns) {
    if (n->name == "Queue") {
      dial_queue(rec, *n, timeout, out);  // core/queue/engine_queue.cpp
      return;
    }
    if (n->name == "Conference") {
      dial_conference(rec, v, *n, out);  // core/conference/engine_conference.cpp
      return;
    }
  }

  int legs = 0;
  for (const Node* n : nouns) {
    if (n->name != "Number" && n->name != "Client" && n->name != "Sip") {
      notify(rec, 12200, 1, "dialtone does not emulate <" + n->name + "> in <Dial>; skipped",
             nullptr, nullptr);
      continue;
    }
    if (legs == 10) break;  // Twilio dials at most ten numbers at once
    std::string target = n->text;
    if (n->name == "Client" && target.rfind("client:", 0) != 0) {
      // <Client> may hold a bare identity or an <Identity> child.
      for (const Node& c : n->children)
        if (c.name == "Identity") target = c.text;
      target = "client:" + target;
    }
    auto endpoint = parse_endpoint(target);
    Call leg;
    leg.sid = new_call_sid(*rec.world);
    leg.account_sid = rec.call.account_sid;
    leg.parent_call_sid = rec.call.sid;
    leg.to = endpoint ? endpoint->value : target;
    leg.to_formatted = endpoint ? endpoint->formatted : target;
    leg.from = v.attr_or("callerId", rec.call.from);
    leg.from_formatted = leg.from;
    leg.direction = Direction::kOutboundDial;
    leg.date_created = leg.date_updated = now(rec);
    leg.timeout_s = timeout;
    leg.time_limit_s = attr_int(v, "timeLimit", 14400, 1, 86400);
    if (const std::string* cb = n->attr("statusCallback")) {
      leg.status_callback = Webhook{resolve_url(rec.rt().program.url, *cb),
                                    attr_method(*n, "statusCallbackMethod")};
      leg.status_callback_events = parse_events(n->attr_or("statusCallbackEvent", "completed"));
    }
    CallRecord& child = add_call(std::move(leg));
    child.rt().dialed_by = rec.call.sid;
    child.rt().dial_noun_url = n->attr_or("url", "");
    if (endpoint) {
      child.set_behavior(share_behavior(rec.world->behaviors.for_number(child.call.to)));
    } else {
      Behavior b = rec.world->behaviors.for_number(child.call.to);
      b.outcome = Outcome::kFail;  // an invalid number cannot ring
      child.set_behavior(share_behavior(b));
    }
    rec.call.child_sids.push_back(child.call.sid);
    rec.dial().legs.push_back(child.call.sid);
    rec.dial().last_sid = child.call.sid;
    journal(child, "status", {{"status", "queued"}, {"event", "dial"}, {"parent", rec.call.sid}});
    arm(child, TimerSlot::kLifecycle, TimerKind::kDial, now(rec));
    ++legs;
  }
  rec.phase = legs > 0 ? Phase::kDial : Phase::kIdle;
  if (legs > 0) dial_recording(rec, v, {}, out);  // record="record-from-ringing..."
}

void Engine::Impl::on_leg_status(CallRecord& leg, Effects& out) {
  CallRecord* parent = get(leg.rt().dialed_by);
  if (!parent || parent->phase != Phase::kDial) return;
  auto& legs = parent->dial().legs;
  if (std::find(legs.begin(), legs.end(), leg.call.sid) == legs.end()) return;
  if (leg.call.status == CallStatus::kInProgress) {
    if (!parent->dial().bridged_sid.empty()) return;
    parent->dial().bridged_sid = leg.call.sid;
    parent->dial().bridged_at = now(*parent);
    journal(*parent, "dial", {{"bridged", leg.call.sid}});
    // First to answer wins; the others stop ringing.
    const std::vector<std::string> others = legs;
    for (const auto& sid : others) {
      if (sid == leg.call.sid) continue;
      if (CallRecord* other = get(sid)) end_call(*other, CallEvent::kApiCancel, out);
    }
    legs = {leg.call.sid};
    const Node& v = current_verb(*parent);
    dial_recording(*parent, v, leg.call.sid, out);  // record="record-from-answer..."
    arm(*parent, TimerSlot::kVerb, TimerKind::kDialTimeLimit,
        now(*parent) + std::chrono::seconds(attr_int(v, "timeLimit", 14400, 1, 86400)));
    return;
  }
  if (is_live(leg.call.status)) return;
  std::erase(legs, leg.call.sid);
  if (leg.call.sid == parent->dial().bridged_sid) {
    finish_dial(*parent, "completed", true, out);
  } else if (legs.empty() && parent->dial().bridged_sid.empty()) {
    finish_dial(*parent, std::string(to_wire(leg.call.status)), true, out);
  }
}

void Engine::Impl::detach_leg(CallRecord& leg, Effects& out) {
  CallRecord* parent = get(leg.rt().dialed_by);
  leg.rt().dialed_by.clear();  // from now on the leg is a call of its own
  if (!parent || parent->phase != Phase::kDial) return;
  auto& legs = parent->dial().legs;
  if (std::find(legs.begin(), legs.end(), leg.call.sid) == legs.end()) return;
  std::erase(legs, leg.call.sid);
  journal(*parent, "dial", {{"detached", leg.call.sid}});
  if (parent->dial().bridged_sid == leg.call.sid) {
    finish_dial(*parent, "completed", true, out);
  } else if (legs.empty() && parent->dial().bridged_sid.empty()) {
    finish_dial(*parent, "canceled", true, out);
  }
}

void Engine::Impl::finish_dial(CallRecord& rec, const std::string& outcome, bool run_action,
                               Effects& out) {
  if (rec.phase != Phase::kDial) return;
  const Node& v = current_verb(rec);
  rec.phase = Phase::kIdle;  // from here on, legs ending do not call back into this <Dial>
  disarm(rec, TimerSlot::kVerb);
  DialState dial = std::move(rec.dial());
  rec.rt().dial.reset();
  std::string dial_sid = dial.bridged_sid.empty() ? dial.last_sid : dial.bridged_sid;
  std::string duration = "0";
  if (!dial.bridged_sid.empty()) duration = seconds_between(dial.bridged_at, now(rec));
  for (const auto& sid : dial.legs) {
    CallRecord* leg = get(sid);
    if (!leg || !is_live(leg->call.status)) continue;
    end_call(*leg, leg->answered ? CallEvent::kHangup : CallEvent::kApiCancel, out);
  }
  release_agent(rec, dial);
  CallRecord* caller = dial.queue.empty() ? nullptr : get(dial.bridged_sid);
  Fields queue_extra;
  if (caller && caller->runtime && caller->runtime->queue) {
    // After <Dial><Queue>, the <Queue> page's parameters too (reference §6.5); read before the
    // caller's TwiML goes on (its next verb may enqueue it again).
    queue_extra = {{"QueueSid", caller->queue().sid},
                   {"QueueTime", seconds_between(caller->queue().since, dial.bridged_at)},
                   {"DequeingCallSid", rec.call.sid}};
  }
  if (caller && caller->phase == Phase::kBridged && is_live(caller->call.status)) {
    caller->phase = Phase::kEnqueued;  // leave_queue expects it; the caller left the queue
    leave_queue(*caller, "bridged", true, out);
  }
  journal(rec, "dial", {{"DialCallStatus", outcome}, {"DialCallSid", dial_sid}});
  Fields extra = {{"DialCallStatus", outcome},
                  {"DialCallSid", dial_sid},
                  {"DialCallDuration", duration},
                  {"DialBridged", dial.bridged_sid.empty() ? "false" : "true"}};
  for (auto& f : queue_extra) extra.push_back(std::move(f));
  for (auto& f : end_dial_recording(rec, out)) extra.push_back(std::move(f));
  dial_action(rec, v, std::move(extra), run_action, out);
}

void Engine::Impl::dial_action(CallRecord& rec, const Node& dial, Fields extra, bool run_action,
                               Effects& out) {
  if (const std::string* action = dial.attr("action")) {
    Webhook target{resolve_url(rec.rt().program.url, *action), attr_method(dial)};
    if (run_action) fetch(rec, target, std::move(extra), false, out);
    else send(rec, WebhookPurpose::kActionNoTwiml, target, std::move(extra), out);
    return;
  }
  if (run_action) {
    ++rec.rt().program.index;  // without an action, on to the next verb
    run(rec, out);
  }
}

// ---------------------------------------------------------------- <Record>

void Engine::Impl::start_record(CallRecord& rec, const Node& v, Effects& out) {
  const int max_length = attr_int(v, "maxLength", 3600, 1, 14400);
  const int silence = attr_int(v, "timeout", 5, 0, 600);
  const int speaks = std::min(rec.behavior().record_seconds, max_length);
  rec.phase = Phase::kRecord;
  rec.dial().bridged_at = now(rec);  // reused as the recording's start
  start_recording(rec, recording::Source::kRecordVerb, record_verb_options(rec, v), {}, out);
  heard(rec, true, now(rec), std::chrono::seconds(speaks));  // the callee speaks, then is silent
  const int total = speaks >= max_length ? max_length : speaks + silence;
  arm(rec, TimerSlot::kVerb, TimerKind::kRecordDone, now(rec) + std::chrono::seconds(total));
}

void Engine::Impl::finish_record(CallRecord& rec, const std::string& digits, Effects& out) {
  if (rec.phase != Phase::kRecord) return;
  const Node& v = current_verb(rec);
  if (digits != "hangup" && !digits.empty()) {
    const std::string keys = v.attr_or("finishOnKey", "1234567890*#");
    if (keys.find(digits[0]) == std::string::npos) return;  // not a key that ends it
  }
  disarm(rec, TimerSlot::kVerb);
  rec.phase = Phase::kIdle;
  // The callee stops speaking when the recording ends (a key, the maximum length, hang-up).
  if (media::CallVoices* voices = rec.world->recordings.voices(rec.call.sid)) {
    voices->callee.cut_at(now(rec).time_since_epoch().count());
  }
  recording::Recording* made = nullptr;
  for (recording::Recording* r : rec.world->recordings.on_call(rec.call.sid)) {
    if (r->source == recording::Source::kRecordVerb && r->live()) made = r;
  }
  if (!made) return;  // cannot happen: start_record made it
  end_recording(*made, out);
  const std::string recording_sid = made->sid;
  const int64_t duration = made->duration_s.value_or(0);
  journal(rec, "record", {{"RecordingSid", recording_sid},
                          {"RecordingDuration", std::to_string(duration)}});
  const bool hangup = digits == "hangup";
  // Twilio: an empty recording makes no action request; the next verb runs.
  if (made->status == recording::Status::kAbsent && !hangup) {
    ++rec.rt().program.index;
    run(rec, out);
    return;
  }
  Fields extra = {{"RecordingUrl", recording_url(*made)},
                  {"RecordingSid", recording_sid},
                  {"RecordingDuration", std::to_string(duration)},
                  {"Digits", digits}};
  const std::string* a = v.attr("action");
  const std::string action = a ? resolve_url(rec.rt().program.url, *a) : rec.rt().program.url;
  if (a || is_absolute_http_url(action)) {
    Webhook target{action, attr_method(v)};
    if (hangup) send(rec, WebhookPurpose::kActionNoTwiml, target, std::move(extra), out);
    else fetch(rec, target, std::move(extra), false, out);
    return;
  }
  if (!hangup) {
    ++rec.rt().program.index;
    run(rec, out);
  }
}

// The recording options of a <Record> (trim-silence by default) or <Dial record>
// (do-not-trim): the recordingStatusCallback attributes, and trim.
recording::Options Engine::Impl::record_verb_options(CallRecord& rec, const Node& v,
                                                     bool trim_default) {
  recording::Options o;
  const std::string trim = v.attr_or("trim", trim_default ? "trim-silence" : "do-not-trim");
  o.trim = trim == "trim-silence";
  if (const std::string* cb = v.attr("recordingStatusCallback"); cb && !cb->empty()) {
    o.callback = Webhook{*cb, attr_method(v, "recordingStatusCallbackMethod")};
  }
  if (const std::string* e = v.attr("recordingStatusCallbackEvent")) {
    if (auto events = recording::parse_events({std::string_view(*e)}); events && *events) {
      o.events = *events;
    } else {
      notify(rec, 13621, 1, "Invalid 'recordingStatusCallbackEvent': '" + *e + "'", nullptr,
             nullptr);
    }
  }
  if (const std::string* t = v.attr("recordingTrack")) {
    o.track = recording::track_from(*t).value_or(recording::Track::kBoth);
  }
  return o;
}

// ---------------------------------------------------------------- webhook results

void Engine::on_webhook_result(const WebhookResult& result, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  auto it = impl_->pending.find(result.id);
  if (it == impl_->pending.end()) return;  // the call was reset or deleted meanwhile
  PendingWebhook req = std::move(it->second);
  impl_->pending.erase(it);
  CallRecord* rec = impl_->get(req.call_sid);
  // A conference's own webhooks (its status callbacks, its announcements) belong to no call.
  const bool conference_own = !req.account_sid.empty() && req.call_sid == req.conference_sid;
  if (!rec && !conference_own) return;
  Fields fields = {{"id", std::to_string(result.id)},
                   {"url", req.url},
                   {"method", req.method},
                   {"status", std::to_string(result.http_status)},
                   {"latency_ms", std::to_string(result.latency.count())},
                   {"content_type", result.content_type},
                   {"body", result.body.substr(0, 2048)},
                   {"signature", result.signature}};
  if (result.error_code) {
    fields.emplace_back("error_code", std::to_string(result.error_code));
    fields.emplace_back("error", result.error_message);
  } else if (!result.error_message.empty()) {
    // The client's notes on a response that did come: redirects taken (the final URL), connection
    // overrides it clamped or ignored.
    fields.emplace_back("note", result.error_message);
  }
  const std::string& account = rec ? rec->call.account_sid : req.account_sid;
  record(account, req.call_sid, "webhook.response", std::move(fields));
  const bool failed = result.error_code != 0 || result.http_status < 200 ||
                      result.http_status > 299;
  switch (req.purpose) {
    case WebhookPurpose::kConferenceEvent:
      if (failed) {
        // 16011: "Conference Event: Error Response to Callback URL". No call to note it on.
        record(account, req.call_sid, "notification",
               {{"code", "16011"}, {"url", req.url}, {"status", std::to_string(result.http_status)}});
      }
      return;
    case WebhookPurpose::kAnnouncement:
      impl_->on_announcement(req, result, rec, out);
      return;
    case WebhookPurpose::kStatusCallback:
    case WebhookPurpose::kActionNoTwiml:
      if (failed) {
        impl_->notify(*rec, result.error_code ? result.error_code : 15003, 1,
                      result.error_code ? result.error_message
                                        : "Got HTTP " + std::to_string(result.http_status) +
                                              " response to " + req.url,
                      &req, &result);
      }
      return;
    case WebhookPurpose::kTwiml:
    case WebhookPurpose::kFallback:
      if (rec->awaiting != result.id || !is_live(rec->call.status)) return;  // superseded
      impl_->on_twiml_result(*rec, req, result, out);
      return;
  }
}

}  // namespace dialtone::core
