// A recording's audio, as pure functions of the call's timeline (voices.hpp): which stretches
// of call time it kept, in order (a pause with PauseBehavior=skip leaves a gap; with silence a
// silent piece), and which parties it hears on which channel. Rendered as 16-bit PCM at
// 8000 Hz, any range of it at a time, so that a download is generated chunk by chunk and a
// one-hour recording never sits in memory.
// Thread-safety: plain data and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/media/voices.hpp"

namespace dialtone::core::media {

inline constexpr int kLegToneHz = 550;  // the dialed leg's side of a <Dial record> recording

// A stretch of call time in the recording. `silent`: paused with PauseBehavior=silence (or the
// padding to whole seconds): it lasts, but nothing sounds in it.
struct Piece {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  bool silent = false;
  int64_t length() const { return to_ms - from_ms; }
};

// One party heard by the recording: a tone of `tone_hz` during its spans, on `channel` (0 or 1)
// of a dual-channel file; a mono file mixes every source.
struct Source {
  std::vector<Span> spans;
  int tone_hz = 0;
  int channel = 0;
};

struct RecordingAudio {
  std::vector<Piece> pieces;
  std::vector<Source> sources;
  int channels = 1;  // as recorded: 1 or 2
  // clips[i]: where sources[i] says an uploaded clip (in time order, each within one of its
  // spans): the clip's samples there instead of the tone. Shorter than `sources` when the
  // others say none. Not journalled: a restored recording has the tone there.
  std::vector<std::vector<ClipSpan>> clips;

  int64_t length_ms() const;
  uint64_t frames() const { return static_cast<uint64_t>(length_ms()) * 8; }  // 8 kHz
};

// trim-silence: drops the time before anyone first sounds and after anyone last does. A
// recording in which nobody sounds becomes empty.
void trim_silence(RecordingAudio& a);
// Twilio's durations are whole seconds: the audio is made exactly that long (half a second or
// more rounds up, with silence at the end; less is cut off). Returns the seconds.
int64_t fit_to_seconds(RecordingAudio& a);

// A RIFF/WAVE header of 16-bit PCM at 8000 Hz with `frames` frames of `channels` channels.
std::string wav_header(uint64_t frames, int channels);
inline uint64_t wav_size(uint64_t frames, int channels) {
  return 44 + frames * 2 * static_cast<uint64_t>(channels);
}
// Appends frames [first, first + count) as little-endian 16-bit PCM with `channels` channels
// (1 on a dual recording: both mixed into one).
void render_pcm(const RecordingAudio& a, uint64_t first, uint64_t count, int channels,
                std::string& out);

// A WAV file of a recording, produced in chunks of at most `chunk_bytes` (the header first).
class WavChunks {
 public:
  WavChunks(RecordingAudio audio, int channels, size_t chunk_bytes = 64 * 1024);
  uint64_t size() const { return wav_size(audio_.frames(), channels_); }
  // False once everything was produced; `out` is replaced by the next chunk.
  bool next(std::string& out);

 private:
  RecordingAudio audio_;
  int channels_;
  size_t chunk_frames_;
  uint64_t next_frame_ = 0;
  bool header_sent_ = false;
};

}  // namespace dialtone::core::media
