#include "core/recording/recording_book.hpp"

#include <algorithm>

namespace dialtone::core::recording {

Recording& RecordingBook::add(std::unique_ptr<Recording> r) {
  Recording& added = *r;
  by_call_[added.owner()].push_back(&added);
  order_.push_back(&added);
  by_sid_[added.sid] = std::move(r);
  evict();
  return added;
}

Recording* RecordingBook::find(std::string_view sid) {
  auto it = by_sid_.find(sid);
  return it == by_sid_.end() ? nullptr : it->second.get();
}

const Recording* RecordingBook::find(std::string_view sid) const {
  auto it = by_sid_.find(sid);
  return it == by_sid_.end() ? nullptr : it->second.get();
}

std::vector<Recording*> RecordingBook::on_call(std::string_view call_sid) const {
  auto it = by_call_.find(call_sid);
  return it == by_call_.end() ? std::vector<Recording*>{} : it->second;
}

size_t RecordingBook::count_on_call(std::string_view call_sid) const {
  auto it = by_call_.find(call_sid);
  return it == by_call_.end() ? 0 : it->second.size();
}

media::CallVoices* RecordingBook::voices(std::string_view call_sid) {
  auto it = listened_.find(call_sid);  // no key string: an update looks here
  return it == listened_.end() ? nullptr : &it->second.voices;
}

media::CallVoices& RecordingBook::listen(const std::string& call_sid) {
  Listened& l = listened_[call_sid];
  ++l.listeners;
  return l.voices;
}

void RecordingBook::unlisten(const std::string& call_sid) {
  auto it = listened_.find(call_sid);
  if (it != listened_.end() && --it->second.listeners <= 0) listened_.erase(it);
}

media::ConferenceVoices* RecordingBook::conference_voices(std::string_view conference_sid) {
  auto it = conferences_heard_.find(conference_sid);
  return it == conferences_heard_.end() ? nullptr : &it->second.voices;
}

void RecordingBook::listen_conference(const std::string& conference_sid) {
  ++conferences_heard_[conference_sid].listeners;
}

void RecordingBook::unlisten_conference(const std::string& conference_sid) {
  auto it = conferences_heard_.find(conference_sid);
  if (it != conferences_heard_.end() && --it->second.listeners <= 0) conferences_heard_.erase(it);
}

std::optional<Options> RecordingBook::take_armed(const std::string& call_sid) {
  auto it = armed_.find(call_sid);
  if (it == armed_.end()) return std::nullopt;
  Options o = std::move(it->second.options);
  armed_.erase(it);
  return o;
}

// The oldest finished recordings go first; live ones always stay.
void RecordingBook::evict() {
  for (auto it = order_.begin(); by_sid_.size() > kMaxRecordings && it != order_.end();) {
    Recording* r = *it;
    if (r->live()) {
      ++it;
      continue;
    }
    auto& list = by_call_[r->owner()];
    list.erase(std::remove(list.begin(), list.end(), r), list.end());
    if (list.empty()) by_call_.erase(r->owner());
    it = order_.erase(it);
    by_sid_.erase(r->sid);
  }
}

void RecordingBook::erase_account(const std::string& account_sid) {
  std::deque<Recording*> kept;
  for (Recording* r : order_) {
    if (r->account_sid != account_sid) {
      kept.push_back(r);
      continue;
    }
    listened_.erase(r->call_sid);
    listened_.erase(r->leg_sid);
    conferences_heard_.erase(r->conference_sid);
    by_call_.erase(r->owner());
    by_sid_.erase(r->sid);
  }
  order_ = std::move(kept);
  std::erase_if(armed_, [&](const auto& a) { return a.second.account_sid == account_sid; });
}

void RecordingBook::clear() {
  by_sid_.clear();
  by_call_.clear();
  order_.clear();
  listened_.clear();
  conferences_heard_.clear();
  armed_.clear();
}

}  // namespace dialtone::core::recording
