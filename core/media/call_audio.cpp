#include "core/media/call_audio.hpp"

#include <algorithm>

#include "core/media/mulaw.hpp"

namespace dialtone::core::media {

std::string inbound_audio(const CallAudio& a, TimePoint start, int ms, uint64_t offset) {
  return start < a.callee_speaks_until ? tone(kCalleeToneHz, ms, offset) : silence(ms);
}

std::string outbound_audio(const CallAudio& a, TimePoint start, int ms, uint64_t offset) {
  return start < a.call_plays_until ? tone(kPromptToneHz, ms, offset) : silence(ms);
}

Millis speech_length(size_t chars) {
  return Millis{std::max<int64_t>(1000, (static_cast<int64_t>(chars) * 1000 + 14) / 15)};
}

}  // namespace dialtone::core::media
