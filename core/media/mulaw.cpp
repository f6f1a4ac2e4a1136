#include "core/media/mulaw.hpp"

#include <cmath>
#include <numbers>

namespace dialtone::core::media {

// ITU-T G.711: bias 0x84, clip at 32635, segment = position of the top bit.
uint8_t mulaw_encode(int16_t sample) {
  constexpr int kBias = 0x84;
  constexpr int kClip = 32635;
  int s = sample;
  const int sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > kClip) s = kClip;
  s += kBias;
  int exponent = 7;
  for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  const int mantissa = (s >> (exponent + 3)) & 0x0F;
  return static_cast<uint8_t>(~(sign | (exponent << 4) | mantissa));
}

int16_t mulaw_decode(uint8_t byte) {
  const int u = ~byte & 0xFF;
  const int exponent = (u >> 4) & 0x07;
  const int mantissa = u & 0x0F;
  const int magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return static_cast<int16_t>((u & 0x80) ? -magnitude : magnitude);
}

std::string silence(int ms) {
  return std::string(static_cast<size_t>(ms > 0 ? ms * kBytesPerMs : 0),
                     static_cast<char>(kMulawSilence));
}

std::string tone(int hz, int ms, uint64_t offset) {
  const size_t n = static_cast<size_t>(ms > 0 ? ms * kBytesPerMs : 0);
  std::string out(n, '\0');
  constexpr double kAmplitude = 10000.0;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(offset + i) / kSampleRate;
    const double v = kAmplitude * std::sin(2.0 * std::numbers::pi * hz * t);
    out[i] = static_cast<char>(mulaw_encode(static_cast<int16_t>(std::lround(v))));
  }
  return out;
}

bool is_silent(std::string_view mulaw) {
  for (char c : mulaw) {
    const int v = mulaw_decode(static_cast<uint8_t>(c));
    if (v > 64 || v < -64) return false;
  }
  return true;
}

}  // namespace dialtone::core::media
