// WAV files of μ-law audio, as pure functions: what a test downloads ("what the caller heard";
// recordings are rendered in chunks by recording_audio.hpp). 16-bit linear PCM, 8000 Hz, mono:
// every player and every test library reads it, which μ-law WAV (format 7) is not sure to be.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace dialtone::core::media {

// A RIFF/WAVE file holding `mulaw` decoded to 16-bit PCM at 8000 Hz, mono. The data chunk's
// length is exactly 2 bytes per μ-law byte.
std::string wav_from_mulaw(std::string_view mulaw);

}  // namespace dialtone::core::media
