// The Media Streams of one world: every stream by sid and by the id the server's WebSocket
// client knows it by, the live streams of each call, and what each call's parties "say"
// (media::CallAudio). Stopped streams stay (for the REST update of a stopped stream and the
// "what the caller heard" download) until the bounds below evict the oldest.
// Thread-safety: owned by the Engine, through the World that holds it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/media/call_audio.hpp"
#include "core/stream/session.hpp"
#include "core/string_hash.hpp"

namespace dialtone::core::stream {

inline constexpr size_t kMaxUnidirectionalPerCall = 4;  // Twilio's fork limit
inline constexpr size_t kMaxStoppedStreams = 1000;      // per world
inline constexpr size_t kMaxStoppedHeardBytes = 64u << 20;

class StreamBook {
 public:
  Session& add(std::unique_ptr<Session> s);
  Session* find(std::string_view sid);
  Session* by_id(uint64_t id);
  // A stream of the call by sid or by name: a live one first, else the newest stopped one.
  Session* find_on_call(std::string_view call_sid, std::string_view sid_or_name);
  // The call's live streams, in the order they were created.
  const std::vector<Session*>& live_on_call(std::string_view call_sid) const;
  // The audio of a call that has live streams; null for the others.
  media::CallAudio* audio_of(std::string_view call_sid);
  // Bookkeeping once a stream stopped: off its call's live list, and the oldest stopped
  // streams evicted beyond the bounds.
  void stopped(Session& s);
  // Forget every stream (of one account): returns the ids of the live ones, whose sockets the
  // server must close.
  std::vector<uint64_t> clear();
  std::vector<uint64_t> erase_account(const std::string& account_sid);
  size_t size() const { return by_sid_.size(); }

 private:
  struct CallStreams {
    media::CallAudio audio;
    std::vector<Session*> live;
  };
  core::StringMap<std::unique_ptr<Session>> by_sid_;
  std::unordered_map<uint64_t, Session*> by_id_;
  core::StringMap<CallStreams> calls_;
  core::StringMap<std::vector<Session*>> all_by_call_;
  std::deque<std::string> stopped_;  // oldest first
  size_t stopped_heard_bytes_ = 0;
};

}  // namespace dialtone::core::stream
