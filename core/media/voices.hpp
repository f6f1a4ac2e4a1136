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
#include <map>
#include <string>
#include <vector>

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

// The two sides of one call: `callee` is the far party (the inbound track, what Twilio
// receives), `call` what the call plays to it (the outbound track, what Twilio generates).
struct CallVoices {
  Spans callee;
  Spans call;
};

// What a conference hears: each participant's spans apart (by Call sid), so that one muted,
// held or gone mid-sentence is cut alone; a recording of the conference hears them mixed.
struct ConferenceVoices {
  std::map<std::string, Spans, std::less<>> participants;
  // Everyone's spans as one party (overlaps merged).
  Spans mixed() const;
};

}  // namespace dialtone::core::media
