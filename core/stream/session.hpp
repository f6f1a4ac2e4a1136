// One Media Stream of a call: its settings, its place in the protocol (connecting, open,
// stopped) and its audio in both directions. Sans-I/O: it is told the time and what the app
// sent, and hands back the text frames to send; the engine carries them out
// (core/stream/engine_stream.cpp) and the server's WebSocket client moves the bytes.
// Frames are 20 ms of 8 kHz μ-law, paced by the clock it is given (docs/streams.md).
// Thread-safety: none (owned by the Engine, through the World's StreamBook).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call.hpp"
#include "core/media/call_audio.hpp"
#include "core/stream/messages.hpp"
#include "core/time.hpp"

namespace dialtone::core::stream {

enum class Track : uint8_t { kInbound, kOutbound, kBoth };
std::optional<Track> track_from(std::string_view wire);  // "inbound_track", ...
std::string_view to_wire(Track t);

inline constexpr int kFrameMs = 20;
inline constexpr size_t kFrameBytes = 160;
// Bounds on what one app can make dialtone hold (docs/streams.md).
inline constexpr size_t kMaxPlaybackBytes = 8000 * 300;  // 5 min of audio queued to play
inline constexpr size_t kMaxHeardBytes = 8000 * 300;     // 5 min of "what the caller heard"
inline constexpr size_t kMaxPendingMarks = 1000;
inline constexpr size_t kMaxParameters = 99;
inline constexpr size_t kMaxParameterLength = 500;

struct Spec {
  std::string url;  // ws:// or wss://, without a query
  std::string name;
  Track track = Track::kInbound;
  bool bidirectional = false;  // <Connect><Stream>
  Webhook status_callback;
  Parameters parameters;
};

enum class State : uint8_t { kConnecting, kOpen, kStopped };

// What handling one message from the app came to: for the journal, and an error to report.
struct AppOutcome {
  AppMessage::Kind kind = AppMessage::Kind::kInvalid;
  size_t bytes = 0;     // kMedia: μ-law bytes taken
  int error_code = 0;   // non-zero: report it (the stream stays open)
  std::string error;
};

class Session {
 public:
  Session(uint64_t id, std::string sid, std::string account_sid, std::string call_sid, Spec spec,
          TimePoint created);

  // The socket is open at `now`: the `connected` and `start` messages; media starts now.
  void open(TimePoint now, std::vector<std::string>& out);
  // Every frame whose 20 ms ended by `now`, in order: `media` messages of the stream's tracks
  // and, on a bidirectional stream, 20 ms of the app's audio played (its marks echoed as
  // playback passes them). The first frame is due 20 ms after open().
  void advance(TimePoint now, const media::CallAudio& audio, std::vector<std::string>& out);
  TimePoint next_frame_due() const;
  // The start of the frame not yet sent: audio the app queues now is heard from here on.
  TimePoint current_frame_start() const { return opened_ + Millis{static_cast<int64_t>(frames_) * kFrameMs}; }

  AppOutcome on_app_text(std::string_view text, std::vector<std::string>& out);
  // A binary frame (31950, as malformed JSON is): true the first time, Twilio warns once.
  bool on_app_binary() { return first_report(kErrMalformedMessage); }
  // True the first time this error code is reported on this stream: a hostile app gets one
  // Notification per kind of fault, not one per message.
  bool first_report(int code);
  // The callee pressed `digit`: a `dtmf` message on a bidirectional stream only (Twilio sends
  // none on unidirectional ones).
  void dtmf(char digit, std::vector<std::string>& out);
  // The `stop` message if the stream was open; either way it is stopped now.
  void stop(TimePoint now, std::vector<std::string>& out);

  uint64_t id() const { return id_; }
  const std::string& sid() const { return sid_; }
  const std::string& account_sid() const { return account_sid_; }
  const std::string& call_sid() const { return call_sid_; }
  const Spec& spec() const { return spec_; }
  // StreamName: the name, or the sid when it has none.
  const std::string& display_name() const { return spec_.name.empty() ? sid_ : spec_.name; }
  State state() const { return state_; }
  bool live() const { return state_ != State::kStopped; }
  TimePoint date_updated() const { return updated_; }
  uint64_t frames() const { return frames_; }
  // What the caller heard of the app on a bidirectional stream: 20 ms per frame since open,
  // the app's audio or silence (capped at kMaxHeardBytes).
  const std::string& heard() const { return heard_; }
  size_t queued_bytes() const { return playback_.size() - played_offset_; }

 private:
  uint64_t next_seq() { return seq_++; }
  void echo_reached_marks(std::vector<std::string>& out);
  void play_frame();

  uint64_t id_;
  std::string sid_, account_sid_, call_sid_;
  Spec spec_;
  State state_ = State::kConnecting;
  TimePoint opened_{};
  TimePoint updated_{};
  uint64_t seq_ = 1;     // sequenceNumber of the next message (start is 1)
  uint64_t frames_ = 0;  // 20 ms frames sent
  std::vector<int> reported_;  // error codes reported (a handful at most)
  // Playback of a bidirectional stream: bytes queued by the app, read from played_offset_.
  std::string playback_;
  size_t played_offset_ = 0;
  uint64_t played_total_ = 0;  // bytes ever played
  uint64_t queued_total_ = 0;  // bytes ever queued (kept, cleared or played)
  struct Mark {
    uint64_t at;  // queued_total_ when it came: echoed once played_total_ reaches it
    std::string name;
  };
  std::deque<Mark> marks_;
  std::string heard_;
};

}  // namespace dialtone::core::stream
