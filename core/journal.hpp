// The journal: everything that happened to every call, in order. Tests assert on it and wait on
// it; Twilio's Calls/{Sid}/Events and Notifications are served from it.
// Thread-safety: owned by the Engine.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace dialtone::core {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct JournalEvent {
  uint64_t seq = 0;           // 1, 2, ... over the whole process
  std::string account_sid;
  std::string call_sid;       // empty for account-level events
  TimePoint at{};             // virtual time
  TimePoint wall{};           // wall-clock time
  std::string type;           // "status", "webhook.request", "webhook.response", "verb",
                              // "api.request", "notification", "callee"
  Fields fields;              // flat name/value pairs; meaning depends on type
  const std::string* field(std::string_view name) const;
};

class Journal {
 public:
  explicit Journal(size_t max_events = 1'000'000) : max_events_(max_events) {}
  const JournalEvent& append(JournalEvent e);
  void restore(JournalEvent e);  // keeps e.seq; later appends continue after it
  const std::deque<JournalEvent>& events() const { return events_; }
  uint64_t last_seq() const { return next_seq_ - 1; }
  void erase_account(const std::string& account_sid);
  void clear() { events_.clear(); }

 private:
  std::deque<JournalEvent> events_;
  uint64_t next_seq_ = 1;
  size_t max_events_;
};

}  // namespace dialtone::core
