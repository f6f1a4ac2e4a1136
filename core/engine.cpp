// The engine's public commands. Each validates, then hands over to the lifecycle
// (engine_lifecycle.cpp) or the interpreter (engine_twiml.cpp).
#include "core/engine.hpp"

#include <algorithm>

#include "core/endpoint.hpp"
#include "core/engine_impl.hpp"
#include "core/test_numbers.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

TwilioError not_found() { return TwilioError{404, 20404, "", {}}; }  // api/ adds the path

Fields update_fields(const UpdateCall& u) {
  Fields f;
  if (u.url) f.emplace_back("Url", u.url->url);
  if (u.twiml) f.emplace_back("Twiml", *u.twiml);
  if (u.status) f.emplace_back("Status", std::string(to_wire(*u.status)));
  if (u.fallback) f.emplace_back("FallbackUrl", u.fallback->url);
  if (u.status_callback) f.emplace_back("StatusCallback", u.status_callback->url);
  if (u.time_limit_s) f.emplace_back("TimeLimit", std::to_string(*u.time_limit_s));
  if (!u.request_id.empty()) f.emplace_back("request_id", u.request_id);
  return f;
}

}  // namespace

Engine::Engine(const Clock& clock, const Clock& wall_clock, EngineConfig config, uint64_t seed)
    : clock_(clock), wall_(wall_clock), config_(std::move(config)),
      impl_(std::make_unique<Impl>(*this, seed)) {
  Behavior b;
  b.answer_after_s = config_.ring_seconds;
  behaviors_.set_default(b);
}

Engine::~Engine() = default;

Result<const Call*> Engine::create_call(const CreateCall& request, Effects& out) {
  if (auto error = test_number_error(request.from, request.to)) return *error;
  if (!request.twiml.empty() && request.url.empty()) {
    auto doc = twiml::parse(request.twiml);
    if (!doc) return bad_request(doc.error().code, "Twiml is not valid: " + doc.error().message);
  }
  const TimePoint now = clock_.now();
  Call call;
  call.sid = impl_->sids.next("CA");
  call.account_sid = request.account_sid;
  call.to = request.to;
  call.to_formatted = request.to_formatted;
  call.from = request.from;
  call.from_formatted = request.from_formatted;
  call.status = CallStatus::kQueued;
  call.direction = Direction::kOutboundApi;
  call.date_created = call.date_updated = now;
  call.url = request.url;
  call.twiml = request.url.empty() ? request.twiml : std::string();
  call.fallback = request.fallback;
  call.status_callback = request.status_callback;
  call.status_callback_events = request.status_callback_events;
  call.timeout_s = request.timeout_s;
  call.time_limit_s = request.time_limit_s;
  call.send_digits = request.send_digits;
  call.record = request.record;
  call.machine_detection = request.machine_detection;
  call.caller_id = request.caller_id;
  CallRecord& rec = impl_->add_call(std::move(call));
  rec.set_behavior(impl_->share_behavior(behaviors_.for_number(rec.call.to)));
  impl_->journal(rec, "status", {{"status", "queued"}, {"event", "create"}});
  // Dialling is a timer due now, fired after this returns (by the host, in the same hold):
  // the 201 shows the call queued, as Twilio's does. With a calls-per-second limit, calls
  // wait their turn in the queue.
  TimePoint dial_at = now;
  if (config_.max_calls_per_second > 0) {
    const Millis slot{1000 / config_.max_calls_per_second};
    impl_->next_dial_slot = std::max(impl_->next_dial_slot, now);
    dial_at = impl_->next_dial_slot;
    impl_->next_dial_slot += slot;
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
  call.date_updated = clock_.now();
  if (request.fallback) call.fallback = *request.fallback;
  if (request.status_callback) call.status_callback = *request.status_callback;
  if (request.time_limit_s) {
    call.time_limit_s = request.time_limit_s;
    if (rec->answered) {
      impl_->arm(*rec, TimerSlot::kTimeLimit, TimerKind::kTimeLimit,
                 std::max(*call.start_time + std::chrono::seconds(*request.time_limit_s),
                          clock_.now()));
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
  impl_->journal(*rec, "callee", {{"action", "digits"}, {"digits", digits}});
  switch (rec->phase) {
    case Phase::kGather:
      impl_->gather_input(*rec, digits, {}, out);
      return Ok{};
    case Phase::kRecord:
      impl_->finish_record(*rec, digits.substr(0, 1), out);
      return Ok{};
    case Phase::kDial:
      if (digits.find('*') != std::string::npos &&
          impl_->current_verb(*rec).attr_or("hangupOnStar", "false") == "true" &&
          !rec->dial().bridged_sid.empty()) {
        impl_->finish_dial(*rec, "completed", true, out);
        return Ok{};
      }
      break;
    default:
      break;
  }
  return TwilioError{409, 0, "Call " + call_sid + " is not waiting for digits", {}};
}

Status Engine::callee_speech(const std::string& call_sid, const std::string& speech,
                             Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec) return TwilioError{404, 20404, "No call " + call_sid, {}};
  if (rec->phase != Phase::kGather) {
    return TwilioError{409, 0, "Call " + call_sid + " is not in a <Gather>", {}};
  }
  impl_->journal(*rec, "callee", {{"action", "speech"}, {"speech", speech}});
  impl_->gather_input(*rec, {}, speech, out);
  return Ok{};
}

Result<const Call*> Engine::start_inbound(const std::string& account_sid,
                                          const std::string& from, const std::string& to,
                                          const Webhook& voice_url,
                                          const Webhook& voice_fallback,
                                          const Webhook& status_callback, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  Call call;
  call.sid = impl_->sids.next("CA");
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
  call.date_created = call.date_updated = clock_.now();
  call.url = voice_url;
  call.fallback = voice_fallback;
  call.status_callback = status_callback;
  CallRecord& rec = impl_->add_call(std::move(call));
  rec.set_behavior(impl_->share_behavior(behaviors_.for_number(from)));  // the caller
  impl_->journal(rec, "status", {{"status", "ringing"}, {"event", "inbound"}});
  impl_->status_callback(rec, kEventInitiated, out);
  impl_->status_callback(rec, kEventRinging, out);
  impl_->fetch(rec, voice_url, {}, false, out);
  return &rec.call;
}

std::optional<TimePoint> Engine::next_due() const {
  if (impl_->timers.empty()) return std::nullopt;
  return impl_->timers.front().due;
}

size_t Engine::fire_due(Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  const TimePoint now = clock_.now();
  auto& timers = impl_->timers;
  size_t live = 0;
  while (!timers.empty() && timers.front().due <= now) {
    std::pop_heap(timers.begin(), timers.end(), std::greater<>{});
    const Timer t = timers.back();
    timers.pop_back();
    CallRecord& rec = *t.rec;
    --rec.timers_queued;
    if (rec.removed || rec.gens[static_cast<size_t>(t.slot)] != t.gen) continue;  // stale
    rec.armed = static_cast<uint8_t>(rec.armed & ~(1u << static_cast<unsigned>(t.slot)));
    --impl_->live_timers;
    ++live;
    impl_->on_timer(t, out);
  }
  return live;
}

size_t Engine::webhooks_in_flight() const { return impl_->pending.size(); }

void Engine::record(const std::string& account_sid, const std::string& call_sid,
                    std::string type, Fields fields) {
  JournalEvent e;
  e.account_sid = account_sid;
  e.call_sid = call_sid;
  e.at = clock_.now();
  e.wall = wall_.now();
  e.type = std::move(type);
  e.fields = std::move(fields);
  // Every change to a call is journalled, so the journal is also where a store learns which
  // calls to write again.
  if (config_.track_changes && !e.call_sid.empty()) impl_->dirty_calls.insert(e.call_sid.str());
  journal_.append(std::move(e));
}

void Engine::reset() {
  impl_->ended.clear();
  impl_->timers.clear();
  impl_->live_timers = 0;
  impl_->graveyard.clear();
  impl_->calls.clear();
  impl_->by_account.clear();
  impl_->pending.clear();
  impl_->notifications.clear();
  impl_->queues.clear();
  impl_->queue_sids.clear();
  impl_->queue_agents.clear();
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
  auto it = impl_->by_account.find(account_sid);
  if (it != impl_->by_account.end()) {
    const Impl::AccountCalls records = std::move(it->second);
    impl_->by_account.erase(it);
    for (CallRecord* rec : records) {
      for (const auto& n : rec->notifications) impl_->notifications.erase(n);
      impl_->remove_call(*rec);  // timers and pending results for it go stale
    }
    impl_->by_account.erase(account_sid);  // remove_call looked it up again
  }
  std::erase_if(impl_->pending, [&](const auto& p) { return !impl_->calls.contains(p.second.call_sid); });
  std::erase_if(impl_->queues, [&](const auto& q) { return q.first.first == account_sid; });
  std::erase_if(impl_->queue_sids, [&](const auto& q) { return q.first.first == account_sid; });
  std::erase_if(impl_->queue_agents, [&](const auto& q) { return q.first.first == account_sid; });
  std::erase_if(impl_->dirty_calls, [&](const std::string& sid) { return !impl_->calls.contains(sid); });
  std::erase_if(impl_->new_notifications,
                [&](const std::string& sid) { return !impl_->notifications.count(sid); });
  if (config_.track_changes) impl_->reset_accounts.push_back(account_sid);
  journal_.erase_account(account_sid);
  numbers_.erase_account(account_sid);
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
  s.calls = impl_->calls.size();
  impl_->calls.for_each([&](const CallRecord& rec) { s.runtimes += rec.runtime != nullptr; });
  s.timers = impl_->timers.size();
  s.live_timers = impl_->live_timers;
  return s;
}

}  // namespace dialtone::core
