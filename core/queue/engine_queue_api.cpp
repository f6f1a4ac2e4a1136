// Twilio's Queue and Member resources, the engine's side: create, update and delete queues, and
// the Member update that dequeues a waiting call to new TwiML. The rules Twilio does not
// document (duplicate names, deleting a queue with callers, a second dequeue) are named
// choices in docs/queues.md.
#include <algorithm>

#include "core/engine_impl.hpp"

namespace dialtone::core {
namespace {

// Named apart from engine.cpp's not_found(): a unity build (asan, tsan, fuzz presets) may
// put both files in one translation unit.
TwilioError queue_not_found() { return TwilioError{404, 20404, "", {}}; }  // api/ adds the path

std::optional<TwilioError> check_name(const std::string& name) {
  if (name.empty()) return bad_request(20001, "FriendlyName must not be empty");
  if (name.size() > queue::kMaxNameLength) {
    return bad_request(20001, "FriendlyName is too long: at most 64 characters");
  }
  return std::nullopt;
}

std::optional<TwilioError> check_max_size(std::optional<int64_t> max_size) {
  if (max_size && (*max_size < 1 || *max_size > queue::kMaxMaxSize)) {
    return bad_request(
        20001, "Invalid MaxSize: " + std::to_string(*max_size) + " (must be from 1 to 5000)");
  }
  return std::nullopt;
}

TwilioError duplicate_name(const std::string& name) {
  // <Enqueue> finds queues by name, so two of one name in an account could not both be used.
  return bad_request(20001, "A queue named '" + name + "' already exists in this account");
}

const queue::Member* member_of(const queue::Queue& q, const std::string& member) {
  if (member == "Front") return q.members.empty() ? nullptr : &q.members.front();
  return q.find(member);
}

queue::MemberView view_of(const queue::Queue& q, const queue::Member& m, TimePoint now) {
  return queue::member_view(q, m, q.position(m.call_sid, m.ticket), now);
}

}  // namespace

Result<const queue::Queue*> Engine::create_queue(const std::string& account_sid,
                                                 const std::string& friendly_name,
                                                 std::optional<int64_t> max_size) {
  if (auto e = check_name(friendly_name)) return *e;
  if (auto e = check_max_size(max_size)) return *e;
  World& w = world(account_sid);
  if (w.queues.by_name(account_sid, friendly_name)) return duplicate_name(friendly_name);
  const int size = static_cast<int>(max_size.value_or(queue::kDefaultMaxSize));
  return &impl_->add_queue(w, account_sid, friendly_name, size, w.clock->now());
}

Result<const queue::Queue*> Engine::update_queue(const std::string& account_sid,
                                                 const std::string& sid,
                                                 const std::optional<std::string>& friendly_name,
                                                 std::optional<int64_t> max_size) {
  World& w = world(account_sid);
  queue::Queue* q = w.queues.find(account_sid, sid);
  if (!q) return queue_not_found();
  if (friendly_name) {
    if (auto e = check_name(*friendly_name)) return *e;
    const queue::Queue* other = w.queues.by_name(account_sid, *friendly_name);
    if (other && other != q) return duplicate_name(*friendly_name);
  }
  if (auto e = check_max_size(max_size)) return *e;
  if (friendly_name) q->friendly_name = *friendly_name;
  // A lower limit evicts nobody: it only refuses new callers until the queue is below it.
  if (max_size) q->max_size = static_cast<int>(*max_size);
  q->date_updated = w.clock->now();
  impl_->journal_queue(*q, "queue.updated");
  return q;
}

Status Engine::delete_queue(const std::string& account_sid, const std::string& sid) {
  World& w = world(account_sid);
  queue::Queue* q = w.queues.find(account_sid, sid);
  if (!q) return queue_not_found();
  // "Remove an empty queue": one with callers waiting would strand them.
  if (!q->members.empty()) {
    return bad_request(20001, "Queue " + sid + " has " + std::to_string(q->size()) +
                                  " call(s) waiting: only an empty queue can be deleted");
  }
  // Agents waiting on it keep waiting; their <Dial> times out as it would on an empty queue.
  impl_->journal_queue(*q, "queue.deleted");
  w.queues.erase(sid);
  return Ok{};
}

const queue::Queue* Engine::find_queue(const std::string& account_sid,
                                       const std::string& sid) const {
  const World* w = find_world(account_sid);
  return w ? w->queues.find(account_sid, sid) : nullptr;
}

std::vector<const queue::Queue*> Engine::list_queues(const std::string& account_sid) const {
  const World* w = find_world(account_sid);
  return w ? w->queues.list(account_sid) : std::vector<const queue::Queue*>{};
}

Result<queue::MemberView> Engine::find_member(const std::string& account_sid,
                                              const std::string& queue_sid,
                                              const std::string& member) const {
  const World* w = find_world(account_sid);
  const queue::Queue* q = w ? w->queues.find(account_sid, queue_sid) : nullptr;
  if (!q) return queue_not_found();
  const queue::Member* m = member_of(*q, member);
  if (!m) return queue_not_found();
  return view_of(*q, *m, w->clock->now());
}

Result<queue::MemberView> Engine::dequeue_member(const std::string& account_sid,
                                                 const std::string& queue_sid,
                                                 const std::string& member, const Webhook& url,
                                                 Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  World& w = world(account_sid);
  queue::Queue* q = w.queues.find(account_sid, queue_sid);
  if (!q) return queue_not_found();
  const queue::Member* m = member_of(*q, member);
  if (!m) {
    // A call of the account that is not (or no longer) waiting here: Twilio fails a second
    // dequeue of the same call with a 400; an unknown call is not found.
    const CallRecord* rec = member == "Front" ? nullptr : impl_->get(member);
    if (!rec || rec->call.account_sid != account_sid) return queue_not_found();
    return bad_request(20001, "Call " + member + " is not waiting in queue " + queue_sid);
  }
  const queue::MemberView view = view_of(*q, *m, w.clock->now());
  CallRecord* rec = impl_->get(view.call_sid);
  if (!rec || rec->phase != Phase::kEnqueued) return queue_not_found();  // cannot happen
  // The call's state machine decides, as for a Calls API redirect (a waiting caller is
  // in progress, so it may be redirected).
  if (auto t = apply_event(rec->call.status, CallEvent::kApiRedirect); !t) return t.error();
  rec->call.date_updated = w.clock->now();
  impl_->journal(*rec, "api.request", {{"Url", url.url}, {"queue", queue_sid}});
  // The same road as a Calls API redirect: the action hears "redirected", its TwiML is not
  // run, and the new document takes over.
  impl_->interrupt(*rec, false, out);
  impl_->fetch(*rec, url, {}, false, out);
  return view;
}

}  // namespace dialtone::core
