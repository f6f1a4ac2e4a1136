// What a test hears in a recording's audio: whether a channel sounds (a tone, not silence)
// anywhere in a stretch of its time. Shared by the recording tests of calls and conferences.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/media/recording_audio.hpp"

namespace dialtone::core::testing {

// Whether channel `channel` of a recording's audio sounds anywhere in [from_s, to_s) of its time.
inline bool loud(const media::RecordingAudio& a, int channel, double from_s, double to_s) {
  std::string pcm;
  const auto first = static_cast<uint64_t>(from_s * 8000);
  media::render_pcm(a, first, static_cast<uint64_t>(to_s * 8000) - first, a.channels, pcm);
  const size_t frames = pcm.size() / (2 * static_cast<size_t>(a.channels));
  for (size_t f = 0; f < frames; ++f) {
    const size_t i = (f * static_cast<size_t>(a.channels) + static_cast<size_t>(channel)) * 2;
    const auto v = static_cast<int16_t>(static_cast<uint8_t>(pcm[i]) |
                                        (static_cast<uint8_t>(pcm[i + 1]) << 8));
    if (std::abs(static_cast<int>(v)) > 1000) return true;
  }
  return false;
}

}  // namespace dialtone::core::testing
