// What the parties of one call "say", on the two tracks a Media Stream can carry: dialtone has
// no real audio, so the inbound track (the callee) is a 440 Hz tone while the callee speaks
// (the control API's speech action) and silence otherwise; the outbound track (what the call
// plays) is a 660 Hz tone while a <Say>/<Play> runs. Kept apart from streams so that recordings
// can sample the same timeline (docs/streams.md).
// Thread-safety: plain data and pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/media/clip.hpp"

#include "core/time.hpp"

namespace dialtone::core::media {

inline constexpr int kCalleeToneHz = 440;
inline constexpr int kPromptToneHz = 660;

// The callee saying an uploaded clip from `start` (docs/conversations.md, "Audio clips").
struct ClipPlay {
  TimePoint start{};
  std::shared_ptr<const Clip> clip;
  TimePoint end() const { return start + clip->length(); }
};

struct CallAudio {
  TimePoint callee_speaks_until{};  // inbound: a tone before this instant
  TimePoint call_plays_until{};     // outbound: a tone before this instant
  std::vector<ClipPlay> callee_clips;  // inbound: these bytes where they play, in time order

  // The callee says `clip` from `start`; clips over well before `now` are forgotten (their
  // frames were sent already).
  void play_clip(TimePoint start, std::shared_ptr<const Clip> clip, TimePoint now);
};

// The `ms` of μ-law audio of one track starting at `start` (sample `offset` of the stream, so
// a tone is continuous from frame to frame). Whole frames: a frame that starts before the
// speaking ends carries the tone throughout. A clip's bytes replace the tone or silence sample
// for sample where it plays, so a stream carries the clip exactly, in order.
std::string inbound_audio(const CallAudio& a, TimePoint start, int ms, uint64_t offset);
std::string outbound_audio(const CallAudio& a, TimePoint start, int ms, uint64_t offset);

// How long the callee takes to say `text`: about 15 characters a second, at least 1 s (the
// rate the interpreter gives <Say>).
Millis speech_length(size_t chars);

}  // namespace dialtone::core::media
