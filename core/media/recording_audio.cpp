#include "core/media/recording_audio.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "core/media/mulaw.hpp"

namespace dialtone::core::media {
namespace {

constexpr int64_t kFramesPerMs = kSampleRate / 1000;
constexpr double kAmplitude = 10000.0;  // as the streams' tones (mulaw.cpp), about -10 dBFS

// An integer frequency repeats every second: one second of it, computed once per tone.
struct ToneTable {
  int hz = 0;
  std::array<int16_t, kSampleRate> samples{};
};

const ToneTable& table_for(int hz) {
  static const std::array<ToneTable, 3> kTables = [] {
    std::array<ToneTable, 3> t;
    const int tones[3] = {440, 550, 660};
    for (size_t k = 0; k < t.size(); ++k) {
      t[k].hz = tones[k];
      for (int i = 0; i < kSampleRate; ++i) {
        t[k].samples[static_cast<size_t>(i)] = static_cast<int16_t>(std::lround(
            kAmplitude * std::sin(2.0 * std::numbers::pi * tones[k] * i / kSampleRate)));
      }
    }
    return t;
  }();
  for (const ToneTable& t : kTables) {
    if (t.hz == hz) return t;
  }
  return kTables[0];
}

int16_t tone_sample(int hz, int64_t frame) {
  const auto i = static_cast<size_t>(((frame % kSampleRate) + kSampleRate) % kSampleRate);
  if (hz == 440 || hz == 550 || hz == 660) return table_for(hz).samples[i];
  return static_cast<int16_t>(std::lround(
      kAmplitude * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(i) / kSampleRate)));
}

// The sample of `s` at call frame `f` (inside one of its spans): its clip's where one plays
// (silence in the clip's rounding to whole ms), else its tone. `k` walks s.clips forward.
int16_t source_sample(const Source& s, const std::vector<ClipSpan>& clips, int64_t f, size_t& k) {
  while (k < clips.size() && clips[k].to_ms() * kFramesPerMs <= f) ++k;
  if (k < clips.size() && clips[k].from_ms * kFramesPerMs <= f) {
    const auto i = static_cast<size_t>(f - clips[k].from_ms * kFramesPerMs);
    const std::vector<int16_t>& pcm = clips[k].clip->pcm;
    return i < pcm.size() ? pcm[i] : int16_t{0};
  }
  return tone_sample(s.tone_hz, f);
}

// Keeps the recording time [from_ms, to_ms) of `a`.
void cut(RecordingAudio& a, int64_t from_ms, int64_t to_ms) {
  std::vector<Piece> kept;
  int64_t at = 0;
  for (const Piece& p : a.pieces) {
    const int64_t begin = std::max(at, from_ms);
    const int64_t end = std::min(at + p.length(), to_ms);
    if (begin < end) {
      kept.push_back(Piece{p.from_ms + (begin - at), p.from_ms + (end - at), p.silent});
    }
    at += p.length();
  }
  a.pieces = std::move(kept);
}

}  // namespace

int64_t RecordingAudio::length_ms() const {
  int64_t n = 0;
  for (const Piece& p : pieces) n += p.length();
  return n;
}

void trim_silence(RecordingAudio& a) {
  int64_t first = -1, last = -1, at = 0;
  for (const Piece& p : a.pieces) {
    if (!p.silent) {
      for (const Source& s : a.sources) {
        for (const Span& sp : s.spans) {
          const int64_t begin = std::max(sp.from_ms, p.from_ms);
          const int64_t end = std::min(sp.to_ms, p.to_ms);
          if (begin >= end) continue;
          if (first < 0 || at + (begin - p.from_ms) < first) first = at + (begin - p.from_ms);
          last = std::max(last, at + (end - p.from_ms));
        }
      }
    }
    at += p.length();
  }
  if (first < 0) {
    a.pieces.clear();
    return;
  }
  cut(a, first, last);
}

int64_t fit_to_seconds(RecordingAudio& a) {
  const int64_t ms = a.length_ms();
  const int64_t seconds = (ms + 500) / 1000;
  if (seconds * 1000 > ms) {
    const int64_t end = a.pieces.empty() ? 0 : a.pieces.back().to_ms;
    a.pieces.push_back(Piece{end, end + seconds * 1000 - ms, true});
  } else if (seconds * 1000 < ms) {
    cut(a, 0, seconds * 1000);
  }
  return seconds;
}

std::string wav_header(uint64_t frames, int channels) {
  auto put_le = [](std::string& out, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  const uint64_t data = frames * 2 * static_cast<uint64_t>(channels);
  // RIFF sizes are 32-bit: beyond 4 GiB (about 37 hours of dual audio) they saturate.
  const uint64_t data32 = std::min<uint64_t>(data, 0xFFFFFFFFull - 36);
  std::string out;
  out.reserve(44);
  out += "RIFF";
  put_le(out, 36 + data32, 4);
  out += "WAVEfmt ";
  put_le(out, 16, 4);  // fmt chunk size
  put_le(out, 1, 2);   // PCM
  put_le(out, static_cast<uint64_t>(channels), 2);
  put_le(out, kSampleRate, 4);
  put_le(out, static_cast<uint64_t>(kSampleRate * 2 * channels), 4);  // byte rate
  put_le(out, static_cast<uint64_t>(2 * channels), 2);                // block align
  put_le(out, 16, 2);                                                 // bits per sample
  out += "data";
  put_le(out, data32, 4);
  return out;
}

void render_pcm(const RecordingAudio& a, uint64_t first, uint64_t count, int channels,
                std::string& out) {
  const uint64_t end = first + count;
  std::vector<int32_t> mix(static_cast<size_t>(count) * static_cast<size_t>(channels), 0);
  uint64_t at = 0;  // first frame of the piece
  for (const Piece& p : a.pieces) {
    const uint64_t len = static_cast<uint64_t>(p.length()) * kFramesPerMs;
    const uint64_t begin = std::max(at, first);
    const uint64_t stop = std::min(at + len, end);
    if (!p.silent && begin < stop) {
      // Call time of the frames [begin, stop), in frames since the epoch (the tone's phase).
      const int64_t call_begin = p.from_ms * kFramesPerMs + static_cast<int64_t>(begin - at);
      const int64_t call_end = call_begin + static_cast<int64_t>(stop - begin);
      for (size_t si = 0; si < a.sources.size(); ++si) {
        const Source& s = a.sources[si];
        const int ch = channels == 1 ? 0 : std::min(s.channel, channels - 1);
        static const std::vector<ClipSpan> kNone;
        const std::vector<ClipSpan>& clips = si < a.clips.size() ? a.clips[si] : kNone;
        size_t clip = 0;  // the first of `clips` that may still sound (frames only increase)
        auto it =
            std::upper_bound(s.spans.begin(), s.spans.end(), call_begin,
                             [](int64_t t, const Span& sp) { return t < sp.to_ms * kFramesPerMs; });
        for (; it != s.spans.end() && it->from_ms * kFramesPerMs < call_end; ++it) {
          const int64_t f0 = std::max(it->from_ms * kFramesPerMs, call_begin);
          const int64_t f1 = std::min(it->to_ms * kFramesPerMs, call_end);
          for (int64_t f = f0; f < f1; ++f) {
            const auto idx =
                static_cast<size_t>(f - call_begin + static_cast<int64_t>(begin - first));
            mix[idx * static_cast<size_t>(channels) + static_cast<size_t>(ch)] +=
                clips.empty() ? tone_sample(s.tone_hz, f) : source_sample(s, clips, f, clip);
          }
        }
      }
    }
    at += len;
    if (at >= end) break;
  }
  const size_t base = out.size();
  out.resize(base + mix.size() * 2);
  for (size_t i = 0; i < mix.size(); ++i) {
    const auto v = static_cast<uint16_t>(static_cast<int16_t>(std::clamp(mix[i], -32768, 32767)));
    out[base + 2 * i] = static_cast<char>(v & 0xFF);
    out[base + 2 * i + 1] = static_cast<char>(v >> 8);
  }
}

WavChunks::WavChunks(RecordingAudio audio, int channels, size_t chunk_bytes)
    : audio_(std::move(audio)),
      channels_(channels),
      chunk_frames_(std::max<size_t>(1, chunk_bytes / (2 * static_cast<size_t>(channels)))) {}

bool WavChunks::next(std::string& out) {
  out.clear();
  if (!header_sent_) {
    header_sent_ = true;
    out = wav_header(audio_.frames(), channels_);
    return true;
  }
  const uint64_t total = audio_.frames();
  if (next_frame_ >= total) return false;
  const uint64_t n = std::min<uint64_t>(chunk_frames_, total - next_frame_);
  render_pcm(audio_, next_frame_, n, channels_, out);
  next_frame_ += n;
  return true;
}

}  // namespace dialtone::core::media
