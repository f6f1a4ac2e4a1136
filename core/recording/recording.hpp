// One recording of a call (Twilio's Recording resource, RE...): how it was started and with
// what options, its status (in-progress, paused, stopped, completed or absent), the stretches
// of call time it kept, and once finished its audio (media/recording_audio.hpp) and duration.
// The transitions are pure functions of (recording, now); the engine (engine_recording.cpp)
// coordinates them with the call. docs/recordings.md has the choices where Twilio is silent.
// Thread-safety: plain data and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call.hpp"
#include "core/media/recording_audio.hpp"
#include "core/media/voices.hpp"
#include "core/time.hpp"

namespace dialtone::core::recording {

enum class Status : uint8_t { kInProgress, kPaused, kStopped, kProcessing, kCompleted, kAbsent };
// The spec's call_recording_enum_source, in its order.
enum class Source : uint8_t {
  kDialVerb,
  kConference,
  kOutboundApi,
  kTrunking,
  kRecordVerb,
  kStartCallRecordingApi,
  kStartConferenceRecordingApi,
};
enum class Track : uint8_t { kInbound, kOutbound, kBoth };

std::string_view to_wire(Status s);
std::string_view to_wire(Source s);
std::string_view to_wire(Track t);
std::optional<Track> track_from(std::string_view s);

// RecordingStatusCallbackEvent values.
inline constexpr uint8_t kEventInProgress = 1;
inline constexpr uint8_t kEventCompleted = 2;
inline constexpr uint8_t kEventAbsent = 4;
// Space- or comma-separated values (the SDK repeats the key; the spec's example joins them);
// nullopt for a value that is none of in-progress, completed, absent.
std::optional<uint8_t> parse_events(const std::vector<std::string_view>& values);
// The events of these bits, space-separated (parse_events' inverse; snapshots keep them so).
std::string events_text(uint8_t events);

// Below this many seconds (after trimming) a recording is `absent`, error 16101.
inline constexpr int64_t kMinSeconds = 1;
inline constexpr int kErrorTooShort = 16101;

// How a recording is made: each entry point has its own defaults (docs/recordings.md).
struct Options {
  int channels = 1;  // 2: one channel per side (only with Track both)
  Track track = Track::kBoth;
  bool trim = false;  // trim-silence
  Webhook callback;   // RecordingStatusCallback (+ Method)
  uint8_t events = kEventCompleted;
};

struct Recording {
  std::string sid;
  std::string account_sid;
  std::string call_sid;
  // A conference's recording: its CF sid. It hears the conference (not `call_sid`'s call, the
  // participant that was first in the conference when it started) and lives with it.
  std::string conference_sid;
  std::string leg_sid;  // <Dial record>: the dialed leg, heard on the second side
  std::string name;     // <Start><Recording>: its name, or its sid (<Stop><Recording> finds it)
  Source source = Source::kStartCallRecordingApi;
  Options options;
  Status status = Status::kInProgress;
  TimePoint date_created{};
  TimePoint date_updated{};
  TimePoint start_time{};
  std::optional<int64_t> duration_s;  // set once completed or absent
  int error_code = 0;                 // absent: why
  bool deleted = false;               // DELETE: kept, shown with IncludeSoftDeleted
  // While it records: the call time kept so far, and since when the current stretch runs
  // (in progress) or the pause lasts (paused).
  std::vector<media::Piece> pieces;
  TimePoint since{};
  bool pause_skips = false;  // the current pause is PauseBehavior=skip
  // Once finished: what a download renders.
  media::RecordingAudio audio;

  bool live() const { return status == Status::kInProgress || status == Status::kPaused; }
  bool finished() const { return status == Status::kCompleted || status == Status::kAbsent; }
  // What it belongs to: its conference, or its call (RecordingBook::on_call lists by this).
  const std::string& owner() const { return conference_sid.empty() ? call_sid : conference_sid; }
};

// 1 or 2: a single track is always mono.
inline int channels_of(const Recording& r) {
  return r.options.track == Track::kBoth ? r.options.channels : 1;
}

// In progress -> paused (`skip`: the pause is left out of the file, else it is silence).
// False when nothing changed (not in progress).
bool pause(Recording& r, TimePoint now, bool skip);
// Paused -> in progress. False when nothing changed.
bool resume(Recording& r, TimePoint now);
// In progress or paused -> stopped. False when nothing changed.
bool stop(Recording& r, TimePoint now);
// Stopped -> completed (or absent, too short): the audio from the spans of the sides it hears
// (`first`: the callee, or for a <Dial> the caller's side; `second`: what the call plays, or
// the dialed leg), trimmed if asked and made whole seconds long.
void finish(Recording& r, const media::CallVoices* first, const media::CallVoices* second,
            TimePoint now);

// The pieces and sources of a finished recording as text (for the journal, and back).
std::string encode_audio(const media::RecordingAudio& a);
std::optional<media::RecordingAudio> decode_audio(std::string_view text);

}  // namespace dialtone::core::recording
