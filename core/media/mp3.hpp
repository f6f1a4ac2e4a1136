// A recording's MP3, made in pieces (Twilio's ".mp3" is "a 32kbps MP3 file"): 32 kbit/s CBR at
// 8000 Hz, the recording's channels (joint stereo when dual), encoded by LAME from the same PCM
// the WAV holds (recording_audio.hpp). Built only when LAME is installed (libmp3lame-dev);
// without it mp3_available() is false and dialtone answers .mp3 with 415.
// Thread-safety: an Mp3Chunks is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "core/media/recording_audio.hpp"

namespace dialtone::core::media {

inline constexpr int kMp3Kbps = 32;

bool mp3_available();

class Mp3Chunks {
 public:
  Mp3Chunks(RecordingAudio audio, int channels);
  ~Mp3Chunks();
  Mp3Chunks(const Mp3Chunks&) = delete;
  Mp3Chunks& operator=(const Mp3Chunks&) = delete;
  // False once everything was produced; `out` is replaced by the next piece (never empty).
  bool next(std::string& out);

 private:
  struct Encoder;
  RecordingAudio audio_;
  int channels_;
  uint64_t next_frame_ = 0;
  bool flushed_ = false;
  std::unique_ptr<Encoder> encoder_;
};

}  // namespace dialtone::core::media
