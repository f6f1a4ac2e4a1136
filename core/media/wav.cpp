#include "core/media/wav.hpp"

#include <cstdint>

#include "core/media/mulaw.hpp"

namespace dialtone::core::media {
namespace {

void put_le(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

std::string wav_from_mulaw(std::string_view mulaw) {
  const auto data_len = static_cast<uint32_t>(mulaw.size() * 2);
  std::string out;
  out.reserve(44 + data_len);
  out += "RIFF";
  put_le(out, 36 + data_len, 4);
  out += "WAVEfmt ";
  put_le(out, 16, 4);                // fmt chunk size
  put_le(out, 1, 2);                 // PCM
  put_le(out, 1, 2);                 // mono
  put_le(out, kSampleRate, 4);
  put_le(out, kSampleRate * 2, 4);   // byte rate
  put_le(out, 2, 2);                 // block align
  put_le(out, 16, 2);                // bits per sample
  out += "data";
  put_le(out, data_len, 4);
  for (char c : mulaw) {
    put_le(out, static_cast<uint16_t>(mulaw_decode(static_cast<uint8_t>(c))), 2);
  }
  return out;
}

}  // namespace dialtone::core::media
