#include "core/stream/stream_book.hpp"

#include <algorithm>

namespace dialtone::core::stream {

Session& StreamBook::add(std::unique_ptr<Session> s) {
  Session& ref = *s;
  by_id_[ref.id()] = &ref;
  calls_[ref.call_sid()].live.push_back(&ref);
  all_by_call_[ref.call_sid()].push_back(&ref);
  by_sid_[ref.sid()] = std::move(s);
  return ref;
}

Session* StreamBook::find(std::string_view sid) {
  auto it = by_sid_.find(sid);
  return it == by_sid_.end() ? nullptr : it->second.get();
}

Session* StreamBook::by_id(uint64_t id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

Session* StreamBook::find_on_call(std::string_view call_sid, std::string_view sid_or_name) {
  auto it = all_by_call_.find(call_sid);
  if (it == all_by_call_.end()) return nullptr;
  Session* stopped = nullptr;
  for (Session* s : it->second) {
    if (s->sid() != sid_or_name && s->spec().name != sid_or_name) continue;
    if (s->live()) return s;
    stopped = s;  // the newest wins
  }
  return stopped;
}

const std::vector<Session*>& StreamBook::live_on_call(std::string_view call_sid) const {
  static const std::vector<Session*> kNone;
  auto it = calls_.find(call_sid);
  return it == calls_.end() ? kNone : it->second.live;
}

media::CallAudio* StreamBook::audio_of(std::string_view call_sid) {
  auto it = calls_.find(call_sid);
  return it == calls_.end() ? nullptr : &it->second.audio;
}

void StreamBook::stopped(Session& s) {
  if (auto it = calls_.find(s.call_sid()); it != calls_.end()) {
    std::erase(it->second.live, &s);
    if (it->second.live.empty()) calls_.erase(it);
  }
  stopped_.push_back(s.sid());
  stopped_heard_bytes_ += s.heard().size();
  while (stopped_.size() > kMaxStoppedStreams || stopped_heard_bytes_ > kMaxStoppedHeardBytes) {
    auto victim = by_sid_.find(stopped_.front());
    stopped_.pop_front();
    if (victim == by_sid_.end()) continue;
    Session* v = victim->second.get();
    stopped_heard_bytes_ -= std::min(stopped_heard_bytes_, v->heard().size());
    by_id_.erase(v->id());
    if (auto c = all_by_call_.find(v->call_sid()); c != all_by_call_.end()) {
      std::erase(c->second, v);
      if (c->second.empty()) all_by_call_.erase(c);
    }
    by_sid_.erase(victim);
  }
}

std::vector<uint64_t> StreamBook::clear() {
  std::vector<uint64_t> live;
  for (const auto& [sid, s] : by_sid_) {
    if (s->live()) live.push_back(s->id());
  }
  by_sid_.clear();
  by_id_.clear();
  calls_.clear();
  all_by_call_.clear();
  stopped_.clear();
  stopped_heard_bytes_ = 0;
  return live;
}

std::vector<uint64_t> StreamBook::erase_account(const std::string& account_sid) {
  std::vector<uint64_t> live;
  std::erase_if(by_sid_, [&](const auto& entry) {
    Session* s = entry.second.get();
    if (s->account_sid() != account_sid) return false;
    if (s->live()) live.push_back(s->id());
    by_id_.erase(s->id());
    calls_.erase(s->call_sid());
    all_by_call_.erase(s->call_sid());
    if (!s->live()) stopped_heard_bytes_ -= std::min(stopped_heard_bytes_, s->heard().size());
    return true;
  });
  // Evicting reads by sid and skips the ones that are gone.
  return live;
}

}  // namespace dialtone::core::stream
