// What a store needs from the engine: the changes since it last asked, and a way back in at
// start-up. The engine stays sans-I/O; server/ does the writing.
#include <algorithm>

#include "core/engine_impl.hpp"
#include "core/sid.hpp"

namespace dialtone::core {

Changes Engine::take_changes() {
  Changes c;
  c.reset_all = std::exchange(impl_->reset_all, false);
  c.reset_accounts = std::move(impl_->reset_accounts);
  impl_->reset_accounts.clear();
  // In creation order, so a store that appends new calls keeps them in the engine's order.
  std::vector<const CallRecord*> dirty;
  for (const auto& sid : impl_->dirty_calls) {
    if (const CallRecord* rec = impl_->get(sid)) dirty.push_back(rec);
  }
  std::sort(dirty.begin(), dirty.end(),
            [](const CallRecord* a, const CallRecord* b) { return a->order < b->order; });
  for (const CallRecord* rec : dirty) c.calls.push_back(&rec->call);
  // clear() zeroes the set's whole bucket array, which keeps the size of the most the set ever
  // held: after one clock advance that changed 10k calls at once, every later request, a fetch
  // with nothing dirty included, zeroed ~100 KiB here, 6% of a durable fetch's I/O thread
  // (perf, bench/RESULTS.md, twenty-third session). An empty set is left alone; one that grew
  // past kKeepBuckets is dropped, bucket array and all.
  constexpr size_t kKeepBuckets = 1024;
  if (impl_->dirty_calls.bucket_count() > kKeepBuckets) {
    decltype(impl_->dirty_calls)().swap(impl_->dirty_calls);
  } else if (!impl_->dirty_calls.empty()) {
    impl_->dirty_calls.clear();
  }
  c.deleted = std::move(impl_->deleted_calls);
  impl_->deleted_calls.clear();
  for (const auto& sid : impl_->new_notifications) {
    auto it = impl_->notifications.find(sid);
    if (it != impl_->notifications.end()) c.notifications.push_back(&it->second);
  }
  impl_->new_notifications.clear();
  // New journal events are at the back; walk back to the last one already handed out.
  const auto& events = journal_.events();
  auto first = events.end();
  while (first != events.begin() && std::prev(first)->seq > impl_->persisted_seq) --first;
  for (auto it = first; it != events.end(); ++it) c.events.push_back(&*it);
  impl_->persisted_seq = journal_.last_seq();
  return c;
}

void Engine::restore_call(const Call& call) {
  if (impl_->calls.contains(call.sid)) return;
  CallRecord& rec = impl_->add_call(call);
  rec.answered = call.start_time.has_value();
  if (is_live(call.status)) {  // an ended call never runs again: no runtime state for it
    rec.set_behavior(impl_->share_behavior(
        rec.world->behaviors.for_number(call.direction == Direction::kInbound ? call.from
                                                                               : call.to)));
  }
  impl_->dirty_calls.erase(call.sid);  // it is already on disk
}

void Engine::restore_notification(const Notification& notification) {
  CallRecord* rec = impl_->get(notification.call_sid);
  if (!rec) return;
  rec->notifications.push_back(notification.sid);
  impl_->notifications.emplace(notification.sid, notification);
}

void Engine::restore_event(const JournalEvent& event) {
  if (event.call_sid.empty() && event.type.str().starts_with("queue.")) restore_queue(event);
  if (event.call_sid.empty() && event.type.str().starts_with("conference.")) {
    restore_conference(event);
  }
  if (!event.call_sid.empty() && event.type == "recording") restore_recording(event);
  journal_.restore(event);
  impl_->persisted_seq = journal_.last_seq();
}

// Queues are account resources that outlive their calls: the journal's queue.* events (core/
// queue/engine_queue.cpp writes them) carry each one whole, so replaying them in order brings
// back every queue as it last was. Its callers were live calls, ended by recover_live_calls().
void Engine::restore_queue(const JournalEvent& event) {
  auto text = [&](std::string_view name) { return std::string(event.field(name).value_or("")); };
  auto number = [&](std::string_view name) -> int64_t {
    const std::string v = text(name);
    int64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9' || n > (int64_t{1} << 50)) return 0;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  const std::string account = event.account_sid.str();
  const std::string sid = text("sid");
  World& w = world(account);
  if (event.type == "queue.deleted") {
    w.queues.erase(sid);
    return;
  }
  queue::Queue* q = w.queues.find(account, sid);
  if (!q) {
    queue::Queue fresh;
    fresh.sid = sid;
    fresh.account_sid = account;
    q = &w.queues.add(std::move(fresh));
  }
  q->friendly_name = text("friendly_name");
  const int64_t max_size = number("max_size");
  q->max_size = max_size >= 1 && max_size <= queue::kMaxEnqueueSize ? static_cast<int>(max_size)
                                                                : queue::kDefaultMaxSize;
  q->date_created = TimePoint{Millis{number("date_created_ms")}};
  q->date_updated = TimePoint{Millis{number("date_updated_ms")}};
}

// Conferences too are account resources: the conference.* events carry each one whole. Their
// participants were live calls; a conference that was not completed at the restart is ended by
// recover_live_calls().
void Engine::restore_conference(const JournalEvent& event) {
  auto text = [&](std::string_view name) { return std::string(event.field(name).value_or("")); };
  auto millis = [&](std::string_view name) {
    int64_t n = 0;
    for (char c : text(name)) {
      if (c < '0' || c > '9' || n > (int64_t{1} << 50)) return TimePoint{};
      n = n * 10 + (c - '0');
    }
    return TimePoint{Millis{n}};
  };
  const std::string account = event.account_sid.str();
  const std::string sid = text("sid");
  if (!is_sid(sid, "CF")) return;
  World& w = world(account);
  conference::Conference* c = w.conferences.find(account, sid);
  if (!c) {
    conference::Conference fresh;
    fresh.sid = sid;
    fresh.account_sid = account;
    fresh.friendly_name = text("friendly_name");
    c = &w.conferences.add(std::move(fresh));
  }
  c->status = conference::status_from_wire(text("status")).value_or(conference::Status::kInit);
  c->reason_ended = text("reason_conference_ended");
  c->call_sid_ending = text("call_sid_ending_conference");
  c->date_created = millis("date_created_ms");
  c->date_updated = millis("date_updated_ms");
  if (!c->active()) w.conferences.completed(*c);
}

size_t Engine::recover_live_calls(Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  std::vector<CallRecord*> live;
  impl_->calls.for_each([&](CallRecord& rec) {
    if (is_live(rec.call.status)) live.push_back(&rec);
  });
  // Oldest first, so callbacks and journal entries come out in a stable order.
  std::sort(live.begin(), live.end(),
            [](const CallRecord* a, const CallRecord* b) { return a->order < b->order; });
  for (CallRecord* rec : live) {
    impl_->journal(*rec, "recovery", {{"status", std::string(to_wire(rec->call.status))}});
    const CallEvent event =
        rec->call.status == CallStatus::kInProgress ? CallEvent::kHangup : CallEvent::kApiCancel;
    impl_->end_call(*rec, event, out);
  }
  // Their conferences end with them (restored calls hold no ConferenceState to leave by).
  for (auto& [root, w] : worlds_) {
    for (const auto& c : w->conferences.all()) {
      if (!c->active()) continue;
      c->status = conference::Status::kCompleted;
      c->reason_ended = "last-participant-left";
      c->date_updated = w->clock->now();
      w->conferences.completed(*c);
      impl_->stop_conference_recordings(*c, out);  // with what it heard since the restart
      impl_->journal_conference(*c, "conference.updated");
    }
  }
  return live.size();
}

}  // namespace dialtone::core
