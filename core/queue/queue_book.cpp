#include "core/queue/queue_book.hpp"

#include <algorithm>

namespace dialtone::core::queue {

int64_t whole_seconds(TimePoint from, TimePoint to) {
  if (to <= from) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

MemberView member_view(const Queue& q, const Member& m, size_t position, TimePoint now) {
  MemberView v;
  v.account_sid = q.account_sid;
  v.queue_sid = q.sid;
  v.call_sid = m.call_sid;
  v.enqueued = m.enqueued;
  v.position = static_cast<int64_t>(position);
  v.wait_time_s = whole_seconds(m.enqueued, now);
  return v;
}

std::deque<Member>::const_iterator Queue::locate(const std::string& call_sid,
                                                 uint64_t ticket) const {
  auto it = std::lower_bound(members.begin(), members.end(), ticket,
                             [](const Member& m, uint64_t t) { return m.ticket < t; });
  if (it != members.end() && it->call_sid == call_sid) return it;
  // A ticket that does not match (a caller restored from an older document): look it up.
  return std::find_if(members.begin(), members.end(),
                      [&](const Member& m) { return m.call_sid == call_sid; });
}

size_t Queue::position(const std::string& call_sid, uint64_t ticket) const {
  auto it = locate(call_sid, ticket);
  if (it == members.end()) return 0;
  return static_cast<size_t>(it - members.begin()) + 1;
}

const Member* Queue::find(std::string_view call_sid) const {
  auto it = std::find_if(members.begin(), members.end(),
                         [&](const Member& m) { return m.call_sid == call_sid; });
  return it == members.end() ? nullptr : &*it;
}

int64_t Queue::average_wait_s(TimePoint now) const {
  if (members.empty()) return 0;
  const auto n = static_cast<int64_t>(members.size());
  const int64_t total_ms = now.time_since_epoch().count() * n - enqueued_sum_ms_;
  return total_ms <= 0 ? 0 : total_ms / n / 1000;
}

uint64_t Queue::push(std::string call_sid, TimePoint now) {
  const uint64_t ticket = next_ticket_++;
  enqueued_sum_ms_ += now.time_since_epoch().count();
  members.push_back(Member{std::move(call_sid), now, ticket});
  return ticket;
}

bool Queue::remove(const std::string& call_sid, uint64_t ticket) {
  auto it = locate(call_sid, ticket);
  if (it == members.end()) return false;
  enqueued_sum_ms_ -= it->enqueued.time_since_epoch().count();
  members.erase(it);
  return true;
}

void Queue::renumber() {
  next_ticket_ = 1;
  enqueued_sum_ms_ = 0;
  for (Member& m : members) {
    m.ticket = next_ticket_++;
    enqueued_sum_ms_ += m.enqueued.time_since_epoch().count();
  }
}

Queue* QueueBook::find(std::string_view account_sid, std::string_view sid) {
  for (auto& q : queues_)
    if (q->sid == sid && q->account_sid == account_sid) return q.get();
  return nullptr;
}

const Queue* QueueBook::find(std::string_view account_sid, std::string_view sid) const {
  return const_cast<QueueBook*>(this)->find(account_sid, sid);
}

Queue* QueueBook::by_name(std::string_view account_sid, std::string_view name) {
  for (auto& q : queues_)
    if (q->friendly_name == name && q->account_sid == account_sid) return q.get();
  return nullptr;
}

std::vector<const Queue*> QueueBook::list(std::string_view account_sid) const {
  std::vector<const Queue*> out;
  for (const auto& q : queues_)
    if (q->account_sid == account_sid) out.push_back(q.get());
  return out;
}

Queue& QueueBook::add(Queue q) {
  queues_.push_back(std::make_unique<Queue>(std::move(q)));
  return *queues_.back();
}

void QueueBook::erase(std::string_view sid) {
  std::erase_if(queues_, [&](const auto& q) { return q->sid == sid; });
}

void QueueBook::erase_account(std::string_view account_sid) {
  std::erase_if(queues_, [&](const auto& q) { return q->account_sid == account_sid; });
}

}  // namespace dialtone::core::queue
