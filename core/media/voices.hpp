// When each side of a call makes a sound: the timeline recordings sample. dialtone has no real
// audio, so a call's sound is a list of spans per party (the callee speaking, the call playing
// a <Say>/<Play>), in the call's clock. This is the whole interface between what happens on a
// call and a recording's audio: whatever adds spans here (today the control API's speech, the
// <Record> callee, the interpreter's prompts; tomorrow a scripted callee) is heard in
// recordings (docs/recordings.md).
// Thread-safety: plain data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "core/media/clip.hpp"

namespace dialtone::core::media {

// [from_ms, to_ms) of the call's clock (milliseconds since the epoch).
struct Span {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// A call keeps at most this many spans per party; later ones are dropped (a one-hour call that
// speaks in one-second bursts needs 3600).
inline constexpr size_t kMaxSpans = 20000;

// Spans of one party, sorted and without overlap (add() merges).
class Spans {
 public:
  // False when the span was dropped (empty, or the list is full).
  bool add(int64_t from_ms, int64_t to_ms);
  // Nothing sounds from `t` on: a prompt that was interrupted.
  void cut_at(int64_t t);
  // The spans within [from_ms, to_ms), clipped to it.
  std::vector<Span> between(int64_t from_ms, int64_t to_ms) const;
  const std::vector<Span>& list() const { return spans_; }

 private:
  std::vector<Span> spans_;
};

// An uploaded clip the party says from `from_ms` (its sample 0) for the clip's length: within
// its span the recording holds the clip's samples instead of the party's tone.
struct ClipSpan {
  int64_t from_ms = 0;
  std::shared_ptr<const Clip> clip;
  int64_t to_ms() const { return from_ms + clip->length().count(); }
};

// The clips among `clips` (in time order) that sound within [from_ms, to_ms).
std::vector<ClipSpan> clips_between(const std::vector<ClipSpan>& clips, int64_t from_ms,
                                    int64_t to_ms);

// The two sides of one call: `callee` is the far party (the inbound track, what Twilio
// receives), `call` what the call plays to it (the outbound track, what Twilio generates).
struct CallVoices {
  Spans callee;
  Spans call;
  std::vector<ClipSpan> callee_clips;  // each also a span of `callee` (at most kMaxSpans)
};

// What a conference hears: each participant's spans apart (by Call sid), so that one muted,
// held or gone mid-sentence is cut alone; a recording of the conference hears them mixed.
struct ConferenceVoices {
  std::map<std::string, Spans, std::less<>> participants;
  // Everyone's spans as one party (overlaps merged).
  Spans mixed() const;
};

}  // namespace dialtone::core::media
