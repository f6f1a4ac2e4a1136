// G.711 μ-law, the only encoding Media Streams speak (audio/x-mulaw, 8000 Hz, mono), as pure
// functions: one byte per 8 kHz sample.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dialtone::core::media {

inline constexpr int kSampleRate = 8000;
inline constexpr int kBytesPerMs = kSampleRate / 1000;  // μ-law: one byte a sample
inline constexpr uint8_t kMulawSilence = 0xFF;           // encodes linear 0

uint8_t mulaw_encode(int16_t sample);
int16_t mulaw_decode(uint8_t byte);

// `ms` of silence / of a sine tone at `hz`, starting `offset` samples into the tone (so that
// consecutive 20 ms frames join without a click). Amplitude about -10 dBFS.
std::string silence(int ms);
std::string tone(int hz, int ms, uint64_t offset = 0);

// True when every byte decodes to (near) zero: the frame carries no sound.
bool is_silent(std::string_view mulaw);

}  // namespace dialtone::core::media
