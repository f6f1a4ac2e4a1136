// The verbs that involve more than one call or wait on someone: <Dial> (child legs, or a
// caller taken from a queue), <Enqueue> with hold music, and <Record>.
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
      rec.dial().queue = n->text;
      rec.phase = Phase::kDial;
      auto& waiting = queues[{rec.call.account_sid, n->text}];
      if (!waiting.empty()) {
        CallRecord* caller = get(waiting.front());
        if (caller) {
          bridge_queue(rec, *caller);
          return;
        }
      }
      queue_agents[{rec.call.account_sid, n->text}].push_back(rec.call.sid);
      arm(rec, TimerSlot::kVerb, TimerKind::kDialTimeout, now(rec) + std::chrono::seconds(timeout));
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
  (void)out;
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
  if (!dial.queue.empty()) {
    std::erase(queue_agents[{rec.call.account_sid, dial.queue}], rec.call.sid);
    if (CallRecord* caller = get(dial.bridged_sid);
        caller && caller->phase == Phase::kBridged && is_live(caller->call.status)) {
      caller->phase = Phase::kEnqueued;
      leave_queue(*caller, "bridged", true, out);
    }
  }
  journal(rec, "dial", {{"DialCallStatus", outcome}, {"DialCallSid", dial_sid}});
  Fields extra = {{"DialCallStatus", outcome},
                  {"DialCallSid", dial_sid},
                  {"DialCallDuration", duration},
                  {"DialBridged", dial.bridged_sid.empty() ? "false" : "true"}};
  if (const std::string* action = v.attr("action")) {
    Webhook target{resolve_url(rec.rt().program.url, *action), attr_method(v)};
    if (run_action) fetch(rec, target, std::move(extra), false, out);
    else send(rec, WebhookPurpose::kActionNoTwiml, target, std::move(extra), out);
    return;
  }
  if (run_action) {
    ++rec.rt().program.index;  // without an action, on to the next verb
    run(rec, out);
  }
}

// ---------------------------------------------------------------- queues

void Engine::Impl::start_enqueue(CallRecord& rec, const Node& v, Effects& out) {
  const std::pair<std::string, std::string> key{rec.call.account_sid, v.text};
  auto& sid = queue_sids[key];
  if (sid.empty()) sid = rec.world->sids.next("QU");
  rec.queue() = {};
  rec.queue().name = v.text;
  rec.queue().sid = sid;
  rec.queue().since = now(rec);
  if (const std::string* a = v.attr("action")) {
    rec.queue().action = Webhook{resolve_url(rec.rt().program.url, *a), attr_method(v)};
  }
  if (const std::string* w = v.attr("waitUrl")) {
    rec.queue().wait_url =
        Webhook{resolve_url(rec.rt().program.url, *w), attr_method(v, "waitUrlMethod")};
  }
  rec.phase = Phase::kEnqueued;
  queues[key].push_back(rec.call.sid);
  // An agent already waiting on this queue takes the caller at once.
  auto& agents = queue_agents[key];
  while (!agents.empty()) {
    CallRecord* agent = get(agents.front());
    agents.erase(agents.begin());
    if (agent && agent->phase == Phase::kDial && is_live(agent->call.status)) {
      bridge_queue(*agent, rec);
      return;
    }
  }
  if (!rec.queue().wait_url.empty()) fetch_hold(rec, out);
}

void Engine::Impl::fetch_hold(CallRecord& rec, Effects& out) {
  if (rec.queue().wait_url.empty()) return;
  if (rec.queue().hold.active() && rec.rt().hold_started == now(rec)) {
    // The hold document took no time at all: looping it would spin. Wait in silence.
    notify(rec, 12200, 1, "waitUrl document has no verb that takes time; hold music stopped",
           nullptr, nullptr);
    rec.queue().hold = {};
    return;
  }
  const auto& waiting = queues[{rec.call.account_sid, rec.queue().name}];
  const auto pos = std::find(waiting.begin(), waiting.end(), rec.call.sid) - waiting.begin() + 1;
  Fields extra = {{"QueueSid", rec.queue().sid},
                  {"QueuePosition", std::to_string(pos)},
                  {"QueueTime", seconds_between(rec.queue().since, now(rec))},
                  {"AvgQueueTime", "0"},
                  {"CurrentQueueSize", std::to_string(waiting.size())},
                  {"MaxQueueSize", "100"}};
  rec.awaiting = send(rec, WebhookPurpose::kTwiml, rec.queue().wait_url, std::move(extra), out);
  rec.rt().awaiting_hold = true;
  rec.rt().awaiting_fallback = false;
}

void Engine::Impl::bridge_queue(CallRecord& agent, CallRecord& caller) {
  std::erase(queues[{caller.call.account_sid, caller.queue().name}], caller.call.sid);
  disarm(caller, TimerSlot::kVerb);  // the hold music stops
  caller.awaiting = 0;
  caller.rt().awaiting_hold = false;
  caller.queue().hold = {};
  caller.queue().agent_sid = agent.call.sid;
  caller.phase = Phase::kBridged;
  agent.phase = Phase::kDial;
  agent.dial().bridged_sid = caller.call.sid;
  agent.dial().bridged_at = now(agent);
  disarm(agent, TimerSlot::kVerb);
  journal(agent, "dial", {{"bridged", caller.call.sid}, {"queue", caller.queue().name}});
  journal(caller, "queue", {{"result", "bridged"}, {"agent", agent.call.sid}});
}

void Engine::Impl::leave_queue(CallRecord& rec, const std::string& result, bool run_action,
                               Effects& out) {
  if (rec.phase != Phase::kEnqueued) return;
  std::erase(queues[{rec.call.account_sid, rec.queue().name}], rec.call.sid);
  disarm(rec, TimerSlot::kVerb);
  rec.awaiting = 0;
  rec.rt().awaiting_hold = false;
  rec.queue().hold = {};
  rec.phase = Phase::kIdle;
  journal(rec, "queue", {{"result", result}, {"queue", rec.queue().name}});
  Fields extra = {{"QueueResult", result},
                  {"QueueSid", rec.queue().sid},
                  {"QueueTime", seconds_between(rec.queue().since, now(rec))}};
  if (!rec.queue().action.empty()) {
    if (run_action) fetch(rec, rec.queue().action, std::move(extra), false, out);
    else send(rec, WebhookPurpose::kActionNoTwiml, rec.queue().action, std::move(extra), out);
    return;
  }
  if (run_action) {
    ++rec.rt().program.index;
    run(rec, out);
  }
}

// ---------------------------------------------------------------- <Record>

void Engine::Impl::start_record(CallRecord& rec, const Node& v, Effects& out) {
  (void)out;
  const int max_length = attr_int(v, "maxLength", 3600, 1, 14400);
  const int silence = attr_int(v, "timeout", 5, 0, 600);
  const int speaks = std::min(rec.behavior().record_seconds, max_length);
  rec.phase = Phase::kRecord;
  rec.dial().bridged_at = now(rec);  // reused as the recording's start
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
  const int max_length = attr_int(v, "maxLength", 3600, 1, 14400);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(now(rec) - rec.dial().bridged_at);
  const int64_t duration = std::min<int64_t>({elapsed.count(), rec.behavior().record_seconds,
                                              max_length});
  const std::string recording_sid = rec.world->sids.next("RE");
  journal(rec, "record", {{"RecordingSid", recording_sid},
                          {"RecordingDuration", std::to_string(duration)}});
  Fields extra = {{"RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" +
                                       rec.call.account_sid + "/Recordings/" + recording_sid},
                  {"RecordingSid", recording_sid},
                  {"RecordingDuration", std::to_string(duration)},
                  {"Digits", digits}};
  const std::string* a = v.attr("action");
  const std::string action = a ? resolve_url(rec.rt().program.url, *a) : rec.rt().program.url;
  const bool hangup = digits == "hangup";
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

// ---------------------------------------------------------------- webhook results

void Engine::on_webhook_result(const WebhookResult& result, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  auto it = impl_->pending.find(result.id);
  if (it == impl_->pending.end()) return;  // the call was reset or deleted meanwhile
  PendingWebhook req = std::move(it->second);
  impl_->pending.erase(it);
  CallRecord* rec = impl_->get(req.call_sid);
  if (!rec) return;
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
  impl_->journal(*rec, "webhook.response", std::move(fields));
  const bool failed = result.error_code != 0 || result.http_status < 200 ||
                      result.http_status > 299;
  switch (req.purpose) {
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
