// Audio a test supplies for the emulated callee to say (docs/conversations.md, "Audio clips"):
// a clip uploaded through the control API under a name, in the two forms Media Streams and
// recordings use. A script's `say(audio=NAME):…` turn (or the live say's `Audio`) speaks it:
// a Media Stream's inbound frames carry its μ-law bytes, a recording its PCM, and the turn's
// speaking time is its length. Clips belong to an account's world, like its behaviours.
// Thread-safety: plain data and pure functions; a Clip never changes once made (calls that are
// saying it share it while a new upload replaces the name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace dialtone::core::media {

// Bounds (docs/conversations.md): one upload's body (the server's default body limit too),
// the clips of one world and their total size.
inline constexpr size_t kMaxClipUploadBytes = size_t{1} << 20;
inline constexpr size_t kMaxClipsPerWorld = 100;
inline constexpr size_t kMaxClipBytesPerWorld = size_t{16} << 20;
inline constexpr size_t kMaxClipNameLength = 64;

struct Clip {
  std::string name;
  std::string format;        // as uploaded: "wav-pcm16", "wav-mulaw" or "mulaw"
  std::string mulaw;         // 8 kHz μ-law: what Media Stream frames carry
  std::vector<int16_t> pcm;  // 8 kHz 16-bit: what recordings hold (a PCM upload's own samples)
  size_t samples() const { return mulaw.size(); }
  // Whole milliseconds, rounded up: the last partial millisecond is silence after the clip.
  Millis length() const { return Millis{static_cast<int64_t>((samples() + 7) / 8)}; }
  size_t bytes() const { return mulaw.size() + pcm.size() * 2; }
};

// How an upload says what it is: WAV by its RIFF header, raw μ-law by its Content-Type.
enum class ClipContent : uint8_t { kWav, kRawMulaw };

// 1 to 64 of A-Z a-z 0-9 _ - . (a URL path segment as written).
bool valid_clip_name(std::string_view name);
// A WAV (8000 Hz mono, 16-bit PCM or μ-law) or raw μ-law upload. The error (a 400) says what is
// wrong with it; an empty clip is an error too.
Result<Clip> parse_clip(std::string name, std::string_view body, ClipContent content);

// The clips of one world, by name.
class ClipBook {
 public:
  // Adds or replaces; a 413 beyond the world's bounds (the replaced clip's room counts free).
  Status put(std::shared_ptr<const Clip> clip);
  std::shared_ptr<const Clip> find(std::string_view name) const;
  bool erase(std::string_view name);
  void clear();
  const std::map<std::string, std::shared_ptr<const Clip>, std::less<>>& all() const {
    return clips_;
  }

 private:
  std::map<std::string, std::shared_ptr<const Clip>, std::less<>> clips_;
  size_t bytes_ = 0;
};

}  // namespace dialtone::core::media
