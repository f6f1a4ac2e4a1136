#include "core/media/wav.hpp"

#include <cstdint>

#include "core/media/mulaw.hpp"
#include "core/media/recording_audio.hpp"

namespace dialtone::core::media {

std::string wav_from_mulaw(std::string_view mulaw) {
  std::string out = wav_header(mulaw.size(), 1);
  out.reserve(44 + mulaw.size() * 2);
  for (char c : mulaw) {
    const auto v = static_cast<uint16_t>(mulaw_decode(static_cast<uint8_t>(c)));
    out.push_back(static_cast<char>(v & 0xFF));
    out.push_back(static_cast<char>(v >> 8));
  }
  return out;
}

}  // namespace dialtone::core::media
