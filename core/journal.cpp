#include "core/journal.hpp"

#include <algorithm>

namespace dialtone::core {

const std::string* JournalEvent::field(std::string_view name) const {
  for (const auto& [k, v] : fields)
    if (k == name) return &v;
  return nullptr;
}

const JournalEvent& Journal::append(JournalEvent e) {
  e.seq = next_seq_++;
  // A bounded journal: the oldest events go first, so a long-running staging instance keeps
  // its memory flat.
  if (events_.size() >= max_events_) events_.pop_front();
  events_.push_back(std::move(e));
  return events_.back();
}

void Journal::restore(JournalEvent e) {
  if (e.seq >= next_seq_) next_seq_ = e.seq + 1;
  if (events_.size() >= max_events_) events_.pop_front();
  events_.push_back(std::move(e));
}

void Journal::erase_account(const std::string& account_sid) {
  std::erase_if(events_, [&](const JournalEvent& e) { return e.account_sid == account_sid; });
}

}  // namespace dialtone::core
