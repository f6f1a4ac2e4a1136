// The queues of one world (a root account and its subaccounts): each queue's settings, the
// calls waiting in it in order of arrival, and the agents whose <Dial><Queue> waits for a
// caller. Plain state with no knowledge of calls beyond their sids: the engine
// (core/queue/engine_queue.cpp) decides who joins and leaves, this only keeps the order and
// answers the questions a wait document and the REST resources ask (position, size, average
// wait). docs/queues.md has the choices made where Twilio is silent.
// Thread-safety: owned by the Engine, through the World that holds it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace dialtone::core::queue {

// Twilio's documented defaults and bounds (reference §6.1, §7.1).
inline constexpr int kDefaultMaxSize = 1000;
inline constexpr int kMaxMaxSize = 5000;  // what the REST API's MaxSize may ask
// <Enqueue maxQueueSize> is in the SDKs only, with no bound written anywhere: dialtone lets it
// go further than the API's 5000 so that a load test can hold 10,000 callers in one queue.
inline constexpr int kMaxEnqueueSize = 100'000;
inline constexpr size_t kMaxNameLength = 64;

struct Member {
  std::string call_sid;
  TimePoint enqueued{};
  uint64_t ticket = 0;  // arrival order within the queue: members stay sorted by it
};

struct Queue {
  std::string sid;  // QU...
  std::string account_sid;
  std::string friendly_name;
  int max_size = kDefaultMaxSize;
  TimePoint date_created{};
  TimePoint date_updated{};
  std::deque<Member> members;       // the front first
  std::vector<std::string> agents;  // <Dial><Queue> calls waiting for a caller, oldest first

  size_t size() const { return members.size(); }
  // Lowering max_size below the current size evicts nobody: it only refuses new callers.
  bool full() const { return members.size() >= static_cast<size_t>(max_size); }
  // 1 for the front; 0 when the call is not waiting here. A member's ticket finds it by
  // binary search (members stay in ticket order), so 10,000 callers' wait documents do not
  // each walk the whole queue.
  size_t position(const std::string& call_sid, uint64_t ticket) const;
  const Member* find(std::string_view call_sid) const;
  // Whole seconds, the mean wait of the calls waiting now (0 for an empty queue).
  int64_t average_wait_s(TimePoint now) const;

  // Appends a caller and returns its ticket.
  uint64_t push(std::string call_sid, TimePoint now);
  // Removes a caller; false when it was not waiting here.
  bool remove(const std::string& call_sid, uint64_t ticket);
  // Tickets and the running sum are rebuilt from the members' order (after a restore).
  void renumber();

 private:
  std::deque<Member>::const_iterator locate(const std::string& call_sid, uint64_t ticket) const;
  uint64_t next_ticket_ = 1;
  int64_t enqueued_sum_ms_ = 0;  // the members' enqueue times added up: the average in O(1)
};

// A member as the Member resource shows it, at one instant.
struct MemberView {
  std::string account_sid;
  std::string queue_sid;
  std::string call_sid;
  TimePoint enqueued{};
  int64_t position = 0;  // 1 = front
  int64_t wait_time_s = 0;
};

// Seconds between two instants, rounded down, as Twilio reports waits.
int64_t whole_seconds(TimePoint from, TimePoint to);

// The member at `position` (1 = front) of `q`, at `now`.
MemberView member_view(const Queue& q, const Member& m, size_t position, TimePoint now);

class QueueBook {
 public:
  Queue* find(std::string_view account_sid, std::string_view sid);
  const Queue* find(std::string_view account_sid, std::string_view sid) const;
  Queue* by_name(std::string_view account_sid, std::string_view name);
  // In creation order (Twilio's list order is date_created ascending, reference §7.4).
  std::vector<const Queue*> list(std::string_view account_sid) const;
  Queue& add(Queue q);
  void erase(std::string_view sid);
  void erase_account(std::string_view account_sid);
  void clear() { queues_.clear(); }
  // Every queue, in creation order (snapshots, persistence).
  const std::vector<std::unique_ptr<Queue>>& all() const { return queues_; }

 private:
  // A world holds a handful of queues: a vector searched in order beats a map's upkeep.
  std::vector<std::unique_ptr<Queue>> queues_;
};

}  // namespace dialtone::core::queue
