// The recordings of one world: every recording by sid and by owner (its call, or its
// conference), in creation order; the timeline (media::CallVoices) of each call, and
// (media::ConferenceVoices) of each conference, that a live recording listens to; and the options
// of a Record=true call kept until it is answered. Finished recordings stay (their media can be
// downloaded) until kMaxRecordings push the oldest finished ones out.
// Thread-safety: owned by the Engine, through the World that holds it.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/media/voices.hpp"
#include "core/string_hash.hpp"
#include "core/recording/recording.hpp"

namespace dialtone::core::recording {

inline constexpr size_t kMaxRecordings = 100000;  // per world
inline constexpr size_t kMaxPerCall = 100;        // live or not

class RecordingBook {
 public:
  Recording& add(std::unique_ptr<Recording> r);
  Recording* find(std::string_view sid);
  const Recording* find(std::string_view sid) const;
  // The call's recordings in creation order (deleted ones too); given a CF sid, the
  // conference's (Recording::owner()).
  std::vector<Recording*> on_call(std::string_view call_sid) const;
  size_t count_on_call(std::string_view call_sid) const;
  // Every recording of the world, oldest first.
  const std::deque<Recording*>& all() const { return order_; }

  // The timeline of a call some live recording hears; null when none does.
  media::CallVoices* voices(std::string_view call_sid);
  // A recording starts (or stops) hearing the call: its timeline lives while anyone listens.
  media::CallVoices& listen(const std::string& call_sid);
  void unlisten(const std::string& call_sid);
  // The same for a conference's recordings: what the conference hears while one records it.
  media::ConferenceVoices* conference_voices(std::string_view conference_sid);
  void listen_conference(const std::string& conference_sid);
  void unlisten_conference(const std::string& conference_sid);

  // Record=true: the options wait for the answer.
  void arm(const std::string& call_sid, const std::string& account_sid, Options o) {
    armed_[call_sid] = Armed{account_sid, std::move(o)};
  }
  std::optional<Options> take_armed(const std::string& call_sid);

  void erase_account(const std::string& account_sid);
  void clear();
  size_t size() const { return by_sid_.size(); }

 private:
  void evict();
  struct Listened {
    media::CallVoices voices;
    int listeners = 0;
  };
  core::StringMap<std::unique_ptr<Recording>> by_sid_;
  core::StringMap<std::vector<Recording*>> by_call_;
  std::deque<Recording*> order_;
  core::StringMap<Listened> listened_;
  struct ListenedConference {
    media::ConferenceVoices voices;
    int listeners = 0;
  };
  core::StringMap<ListenedConference> conferences_heard_;
  struct Armed {
    std::string account_sid;
    Options options;
  };
  std::unordered_map<std::string, Armed> armed_;
};

}  // namespace dialtone::core::recording
