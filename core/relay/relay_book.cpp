#include "core/relay/relay_book.hpp"

#include <algorithm>

namespace dialtone::core::relay {

bool Session::first_report(int code) {
  if (std::find(reported.begin(), reported.end(), code) != reported.end()) return false;
  reported.push_back(code);
  return true;
}

Session& RelayBook::add(std::unique_ptr<Session> s) {
  Session& ref = *s;
  live_by_call_[ref.call_sid] = &ref;
  by_id_[ref.id] = std::move(s);
  return ref;
}

Session* RelayBook::by_id(uint64_t id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

Session* RelayBook::live_on_call(std::string_view call_sid) {
  auto it = live_by_call_.find(call_sid);
  return it == live_by_call_.end() ? nullptr : it->second;
}

void RelayBook::ended(Session& s) {
  if (s.state == State::kEnded) return;
  s.state = State::kEnded;
  auto it = live_by_call_.find(s.call_sid);
  if (it != live_by_call_.end() && it->second == &s) live_by_call_.erase(it);
  ended_.push_back(s.id);
  if (ended_.size() > kMaxEndedSessions) {
    by_id_.erase(ended_.front());
    ended_.erase(ended_.begin());
  }
}

std::vector<uint64_t> RelayBook::clear() {
  std::vector<uint64_t> live;
  for (const auto& [id, s] : by_id_) {
    if (s->state != State::kEnded) live.push_back(id);
  }
  by_id_.clear();
  live_by_call_.clear();
  ended_.clear();
  return live;
}

std::vector<uint64_t> RelayBook::erase_account(const std::string& account_sid) {
  std::vector<uint64_t> live;
  for (auto it = by_id_.begin(); it != by_id_.end();) {
    if (it->second->account_sid != account_sid) {
      ++it;
      continue;
    }
    if (it->second->state != State::kEnded) live.push_back(it->first);
    live_by_call_.erase(it->second->call_sid);
    std::erase(ended_, it->first);
    it = by_id_.erase(it);
  }
  return live;
}

}  // namespace dialtone::core::relay
