// Calls in queues, the TwiML side: <Enqueue> (with its wait document re-requested in a loop),
// <Leave>, an agent's <Dial><Queue> taking the front caller, and every way out of a queue with
// its QueueResult. The queues themselves are the world's QueueBook (queue_book.hpp); a call's
// own part (which queue, since when, its action and waitUrl) is its QueueState, so that which
// calls wait where is the engine's state and nothing else's. docs/queues.md has the choices.
#include <algorithm>

#include "core/engine_impl.hpp"
#include "core/queue/queue_book.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using twiml::attr_int;
using twiml::attr_method;
using twiml::Node;

}  // namespace

queue::Queue* Engine::Impl::queue_of(CallRecord& rec) {
  return rec.world->queues.find(rec.call.account_sid, rec.queue().sid);
}

queue::Queue& Engine::Impl::add_queue(World& world, const std::string& account_sid,
                                      std::string name, int max_size, TimePoint now) {
  queue::Queue q;
  q.sid = world.sids.next("QU");
  while (world.queues.find(account_sid, q.sid)) q.sid = world.sids.next("QU");
  q.account_sid = account_sid;
  q.friendly_name = std::move(name);
  q.max_size = max_size;
  q.date_created = q.date_updated = now;
  queue::Queue& added = world.queues.add(std::move(q));
  journal_queue(added, "queue.created");
  return added;
}

void Engine::Impl::start_enqueue(CallRecord& rec, const Node& v, Effects& out) {
  rec.queue() = {};
  QueueState& qs = rec.queue();
  qs.name = v.text;
  if (const std::string* a = v.attr("action")) {
    qs.action = Webhook{resolve_url(rec.rt().program.url, *a), attr_method(v)};
  }
  if (const std::string* w = v.attr("waitUrl")) {
    qs.wait_url = Webhook{resolve_url(rec.rt().program.url, *w), attr_method(v, "waitUrlMethod")};
  }
  if (qs.name.empty() || qs.name.size() > queue::kMaxNameLength) {
    const bool empty = qs.name.empty();
    notify(rec, empty ? 14204 : 14205, 0,
           empty ? "Enqueue: Queue name too short" : "Enqueue: Queue name too long (> 64)", nullptr,
           nullptr);
    refuse_enqueue(rec, "error", out);
    return;
  }
  queue::Queue* q = rec.world->queues.by_name(rec.call.account_sid, qs.name);
  if (!q) {
    // maxQueueSize (in the SDKs' TwiML builders, not in Twilio's table) sizes a queue that
    // <Enqueue> creates; an existing queue keeps its own limit.
    const int max_size =
        attr_int(v, "maxQueueSize", queue::kDefaultMaxSize, 1, queue::kMaxEnqueueSize);
    q = &add_queue(*rec.world, rec.call.account_sid, qs.name, max_size, now(rec));
  }
  if (q->full()) {
    notify(rec, 14207, 1, "Enqueue: The targeted queue reached max queue size", nullptr, nullptr);
    refuse_enqueue(rec, "queue-full", out);
    return;
  }
  qs.sid = q->sid;
  qs.since = now(rec);
  qs.ticket = q->push(rec.call.sid, now(rec));
  rec.phase = Phase::kEnqueued;
  journal(rec, "enqueue",
          {{"queue", qs.name}, {"QueueSid", qs.sid}, {"position", std::to_string(q->size())}});
  // An agent already waiting on this queue takes the caller at once.
  while (!q->agents.empty()) {
    CallRecord* agent = get(q->agents.front());
    q->agents.erase(q->agents.begin());
    if (agent && agent->phase == Phase::kDial && is_live(agent->call.status)) {
      bridge_queue(*agent, rec, out);
      return;
    }
  }
  if (!qs.wait_url.empty()) fetch_hold(rec, out);
}

void Engine::Impl::refuse_enqueue(CallRecord& rec, const std::string& result, Effects& out) {
  // Never enqueued: QueueSid and QueueTime are left out, as Twilio's docs say.
  journal(rec, "queue", {{"result", result}, {"queue", rec.queue().name}});
  if (!rec.queue().action.empty()) {
    fetch(rec, rec.queue().action, {{"QueueResult", result}}, false, out);
    return;
  }
  ++rec.rt().program.index;
  run(rec, out);
}

Fields Engine::Impl::wait_params(CallRecord& rec) {
  const queue::Queue* q = queue_of(rec);
  if (!q) return {};
  const TimePoint t = now(rec);
  return {{"QueuePosition", std::to_string(q->position(rec.call.sid, rec.queue().ticket))},
          {"QueueSid", q->sid},
          {"QueueTime", std::to_string(queue::whole_seconds(rec.queue().since, t))},
          {"AvgQueueTime", std::to_string(q->average_wait_s(t))},
          {"CurrentQueueSize", std::to_string(q->size())},
          {"MaxQueueSize", std::to_string(q->max_size)}};
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
  rec.awaiting = send(rec, WebhookPurpose::kTwiml, rec.queue().wait_url, wait_params(rec), out);
  rec.rt().awaiting_hold = true;
  rec.rt().awaiting_fallback = false;
}

void Engine::Impl::dial_queue(CallRecord& rec, const Node& noun, int timeout_s, Effects& out) {
  rec.dial().queue = noun.text;
  rec.dial().whisper = Webhook{};
  if (const std::string* u = noun.attr("url")) {
    rec.dial().whisper = Webhook{resolve_url(rec.rt().program.url, *u), attr_method(noun)};
  }
  rec.phase = Phase::kDial;
  queue::Queue* q = rec.world->queues.by_name(rec.call.account_sid, noun.text);
  if (!q) {
    // "Dial will post an error status to its action URL": at once, from a timer due now, so
    // that the <Dial> ends the way every <Dial> does (outside the verb that started it).
    rec.dial().outcome = "failed";
    arm(rec, TimerSlot::kVerb, TimerKind::kDialTimeout, now(rec));
    return;
  }
  while (!q->members.empty()) {
    CallRecord* caller = get(q->members.front().call_sid);
    if (caller && caller->phase == Phase::kEnqueued && is_live(caller->call.status)) {
      bridge_queue(rec, *caller, out);
      return;
    }
    q->members.pop_front();  // cannot happen: a caller leaves its queue when it ends
  }
  q->agents.push_back(rec.call.sid);
  arm(rec, TimerSlot::kVerb, TimerKind::kDialTimeout, now(rec) + std::chrono::seconds(timeout_s));
}

void Engine::Impl::release_agent(CallRecord& agent, const DialState& dial) {
  if (dial.queue.empty()) return;
  if (queue::Queue* q = agent.world->queues.by_name(agent.call.account_sid, dial.queue)) {
    std::erase(q->agents, agent.call.sid);
  }
}

void Engine::Impl::stop_hold(CallRecord& rec) {
  disarm(rec, TimerSlot::kVerb);
  rec.awaiting = 0;  // a wait document in flight is no longer wanted
  rec.rt().awaiting_hold = false;
  rec.queue().hold = {};
  rec.queue().whispering = false;
  if (rec.runtime->gather && rec.runtime->gather->in_hold) {
    // A <Gather> of the wait document: its input and timeout go with it.
    disarm(rec, TimerSlot::kLifecycle);
    rec.runtime->gather.reset();
  }
}

void Engine::Impl::bridge_queue(CallRecord& agent, CallRecord& caller, Effects& out) {
  if (queue::Queue* q = queue_of(caller)) q->remove(caller.call.sid, caller.queue().ticket);
  stop_hold(caller);  // the hold music stops
  caller.queue().agent_sid = agent.call.sid;
  caller.phase = Phase::kBridged;
  agent.phase = Phase::kDial;
  agent.dial().bridged_sid = caller.call.sid;
  agent.dial().bridged_at = now(agent);
  disarm(agent, TimerSlot::kVerb);
  journal(agent, "dial", {{"bridged", caller.call.sid}, {"queue", caller.queue().name}});
  journal(caller, "queue", {{"result", "bridged"}, {"agent", agent.call.sid}});
  if (!agent.dial().whisper.empty()) {
    // The <Queue url> document plays on the caller's leg before the two are connected: it is
    // fetched like a wait document (Play, Say, Pause, Redirect), and the bridge starts when it
    // runs out (finish_whisper).
    caller.queue().whispering = true;
    journal(caller, "whisper", {{"url", agent.dial().whisper.url}, {"agent", agent.call.sid}});
    caller.awaiting = send(
        caller, WebhookPurpose::kTwiml, agent.dial().whisper,
        {{"QueueSid", caller.queue().sid},
         {"QueueTime", std::to_string(queue::whole_seconds(caller.queue().since, now(caller)))},
         {"DequeingCallSid", agent.call.sid}},
        out);
    caller.rt().awaiting_hold = true;
  }
}

void Engine::Impl::finish_whisper(CallRecord& caller) {
  if (caller.phase != Phase::kBridged || !caller.queue().whispering) return;
  stop_hold(caller);
  journal(caller, "whisper", {{"done", "true"}});
  // The bridge starts now: the agent's DialCallDuration counts from here.
  CallRecord* agent = get(caller.queue().agent_sid);
  if (agent && agent->phase == Phase::kDial && agent->dial().bridged_sid == caller.call.sid) {
    agent->dial().bridged_at = now(*agent);
    journal(*agent, "dial", {{"connected", caller.call.sid}});
  }
}

void Engine::Impl::leave_queue(CallRecord& rec, const std::string& result, bool run_action,
                               Effects& out) {
  if (rec.phase != Phase::kEnqueued) return;
  if (queue::Queue* q = queue_of(rec)) q->remove(rec.call.sid, rec.queue().ticket);
  stop_hold(rec);
  rec.phase = Phase::kIdle;
  journal(rec, "queue", {{"result", result}, {"queue", rec.queue().name}});
  Fields extra = {{"QueueResult", result},
                  {"QueueSid", rec.queue().sid},
                  {"QueueTime", std::to_string(queue::whole_seconds(rec.queue().since, now(rec)))}};
  if (!rec.queue().action.empty()) {
    if (run_action)
      fetch(rec, rec.queue().action, std::move(extra), false, out);
    else
      send(rec, WebhookPurpose::kActionNoTwiml, rec.queue().action, std::move(extra), out);
    return;
  }
  if (run_action) {
    ++rec.rt().program.index;
    run(rec, out);
  }
}

void Engine::Impl::leave_bridge(CallRecord& caller, bool hangup, Effects& out) {
  // The caller ends or is redirected while bridged: its action learns why (the response is
  // not run: the call hung up, or new TwiML takes over), and the agent's <Dial> completes.
  // A caller that hangs up while its whisper plays was never connected: Twilio's
  // bridging-in-process.
  const QueueState& qs = caller.queue();
  const std::string result = !hangup          ? "redirected-from-bridged"
                             : qs.whispering ? "bridging-in-process"
                                             : "bridged";
  journal(caller, "queue", {{"result", result}, {"queue", qs.name}});
  if (!qs.action.empty()) {
    send(caller, WebhookPurpose::kActionNoTwiml, qs.action,
         {{"QueueResult", result},
          {"QueueSid", qs.sid},
          {"QueueTime", std::to_string(queue::whole_seconds(qs.since, now(caller)))}},
         out);
  }
  stop_hold(caller);  // a whisper still playing stops
  if (CallRecord* agent = get(qs.agent_sid); agent && agent->phase == Phase::kDial) {
    finish_dial(*agent, "completed", true, out);
  }
}

void Engine::Impl::journal_queue(const queue::Queue& q, std::string type) {
  // Account-level events: persistence learns the queues from them (restore_event), as it
  // learns calls from the journal.
  engine.record(q.account_sid, {}, std::move(type),
                {{"sid", q.sid},
                 {"friendly_name", q.friendly_name},
                 {"max_size", std::to_string(q.max_size)},
                 {"date_created_ms", std::to_string(q.date_created.time_since_epoch().count())},
                 {"date_updated_ms", std::to_string(q.date_updated.time_since_epoch().count())}});
}

}  // namespace dialtone::core
