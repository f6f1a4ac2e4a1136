#include "core/media/call_audio.hpp"

#include <algorithm>

#include "core/media/mulaw.hpp"

namespace dialtone::core::media {

void CallAudio::play_clip(TimePoint start, std::shared_ptr<const Clip> clip, TimePoint now) {
  // A frame is sent once its 20 ms have passed (later under load, with the real clock): keep
  // a clip a while after it ended, for the frames that still hold its last bytes.
  constexpr Millis kKeep{5000};
  std::erase_if(callee_clips, [&](const ClipPlay& p) { return p.end() + kKeep < now; });
  callee_clips.push_back(ClipPlay{start, std::move(clip)});
}

std::string inbound_audio(const CallAudio& a, TimePoint start, int ms, uint64_t offset) {
  std::string out = start < a.callee_speaks_until ? tone(kCalleeToneHz, ms, offset) : silence(ms);
  const TimePoint end = start + Millis{ms};
  for (const ClipPlay& p : a.callee_clips) {
    if (p.start >= end || p.end() <= start) continue;
    // Sample i of the frame is call time start + i/8 ms: the clip's sample (that - p.start)·8.
    const int64_t first = (start - p.start).count() * kBytesPerMs;
    for (size_t i = 0; i < out.size(); ++i) {
      const int64_t k = first + static_cast<int64_t>(i);
      if (k >= 0 && k < static_cast<int64_t>(p.clip->mulaw.size())) {
        out[i] = p.clip->mulaw[static_cast<size_t>(k)];
      } else if (k >= 0 && k < p.clip->length().count() * kBytesPerMs) {
        out[i] = static_cast<char>(kMulawSilence);  // the rounding after the clip's last sample
      }
    }
  }
  return out;
}

std::string outbound_audio(const CallAudio& a, TimePoint start, int ms, uint64_t offset) {
  return start < a.call_plays_until ? tone(kPromptToneHz, ms, offset) : silence(ms);
}

Millis speech_length(size_t chars) {
  return Millis{std::max<int64_t>(1000, (static_cast<int64_t>(chars) * 1000 + 14) / 15)};
}

}  // namespace dialtone::core::media
