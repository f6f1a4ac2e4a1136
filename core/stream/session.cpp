#include "core/stream/session.hpp"

#include <algorithm>

#include "core/media/mulaw.hpp"

namespace dialtone::core::stream {

std::optional<Track> track_from(std::string_view wire) {
  if (wire == "inbound_track") return Track::kInbound;
  if (wire == "outbound_track") return Track::kOutbound;
  if (wire == "both_tracks") return Track::kBoth;
  return std::nullopt;
}

std::string_view to_wire(Track t) {
  switch (t) {
    case Track::kInbound: return "inbound_track";
    case Track::kOutbound: return "outbound_track";
    case Track::kBoth: return "both_tracks";
  }
  return "inbound_track";
}

Session::Session(uint64_t id, std::string sid, std::string account_sid, std::string call_sid,
                 Spec spec, TimePoint created)
    : id_(id),
      sid_(std::move(sid)),
      account_sid_(std::move(account_sid)),
      call_sid_(std::move(call_sid)),
      spec_(std::move(spec)),
      updated_(created) {}

void Session::open(TimePoint now, std::vector<std::string>& out) {
  if (state_ != State::kConnecting) return;
  state_ = State::kOpen;
  opened_ = now;
  out.push_back(connected_message());
  std::vector<std::string_view> tracks;
  if (spec_.bidirectional || spec_.track != Track::kOutbound) tracks.push_back("inbound");
  if (!spec_.bidirectional && spec_.track != Track::kInbound) tracks.push_back("outbound");
  out.push_back(start_message(next_seq(), account_sid_, sid_, call_sid_, tracks,
                              spec_.parameters));
}

TimePoint Session::next_frame_due() const {
  return opened_ + Millis{static_cast<int64_t>(frames_ + 1) * kFrameMs};
}

void Session::advance(TimePoint now, const media::CallAudio& audio,
                      std::vector<std::string>& out) {
  if (state_ != State::kOpen) return;
  const bool inbound = spec_.bidirectional || spec_.track != Track::kOutbound;
  const bool outbound = !spec_.bidirectional && spec_.track != Track::kInbound;
  while (next_frame_due() <= now) {
    const TimePoint start = opened_ + Millis{static_cast<int64_t>(frames_) * kFrameMs};
    const uint64_t offset = frames_ * kFrameBytes;
    const uint64_t chunk = frames_ + 1;  // per track; each track has one frame per 20 ms
    const auto timestamp = static_cast<int64_t>(frames_) * kFrameMs;
    if (inbound) {
      out.push_back(media_message(next_seq(), sid_, "inbound", chunk, timestamp,
                                  media::inbound_audio(audio, start, kFrameMs, offset)));
    }
    if (outbound) {
      out.push_back(media_message(next_seq(), sid_, "outbound", chunk, timestamp,
                                  media::outbound_audio(audio, start, kFrameMs, offset)));
    }
    if (spec_.bidirectional) {
      play_frame();
      echo_reached_marks(out);
    }
    ++frames_;
  }
}

void Session::play_frame() {
  const size_t n = std::min(kFrameBytes, queued_bytes());
  if (heard_.size() + kFrameBytes <= kMaxHeardBytes) {
    heard_.append(playback_, played_offset_, n);
    heard_.append(kFrameBytes - n, static_cast<char>(media::kMulawSilence));
  }
  played_offset_ += n;
  played_total_ += n;
  // Compact once the played part outweighs what is left: amortised O(1) per byte.
  if (played_offset_ > 4096 && played_offset_ * 2 > playback_.size()) {
    playback_.erase(0, played_offset_);
    played_offset_ = 0;
  }
}

void Session::echo_reached_marks(std::vector<std::string>& out) {
  while (!marks_.empty() && marks_.front().at <= played_total_) {
    out.push_back(mark_message(next_seq(), sid_, marks_.front().name));
    marks_.pop_front();
  }
}

AppOutcome Session::on_app_text(std::string_view text, std::vector<std::string>& out) {
  AppMessage m = parse_app_message(text);
  AppOutcome r;
  r.kind = m.kind;
  if (m.kind == AppMessage::Kind::kInvalid) {
    r.error_code = m.error_code;
    r.error = std::move(m.error);
    return r;
  }
  if (!spec_.bidirectional) {
    r.kind = AppMessage::Kind::kInvalid;
    r.error_code = kErrProtocol;
    r.error = "Protocol Error: the app may not send messages on a unidirectional stream";
    return r;
  }
  if (state_ != State::kOpen) return r;  // late: the stream stopped meanwhile
  switch (m.kind) {
    case AppMessage::Kind::kMedia: {
      const size_t room = kMaxPlaybackBytes - std::min(kMaxPlaybackBytes, queued_bytes());
      const size_t take = std::min(room, m.audio.size());
      playback_.append(m.audio, 0, take);
      queued_total_ += take;
      r.bytes = take;
      if (take < m.audio.size()) {
        r.error_code = kErrInvalidMessage;
        r.error = "playback buffer full (" + std::to_string(kMaxPlaybackBytes / 8000) +
                  " s of audio queued): " + std::to_string(m.audio.size() - take) +
                  " bytes dropped";
      }
      return r;
    }
    case AppMessage::Kind::kMark:
      if (marks_.size() >= kMaxPendingMarks) {
        r.kind = AppMessage::Kind::kInvalid;
        r.error_code = kErrInvalidMessage;
        r.error = "more than " + std::to_string(kMaxPendingMarks) + " marks pending: dropped";
        return r;
      }
      marks_.push_back({queued_total_, std::move(m.name)});
      echo_reached_marks(out);  // nothing buffered: echoed at once
      return r;
    case AppMessage::Kind::kClear:
      played_total_ += queued_bytes();  // what was queued is dropped, not heard
      playback_.clear();
      played_offset_ = 0;
      echo_reached_marks(out);
      return r;
    case AppMessage::Kind::kInvalid:
      break;
  }
  return r;
}

bool Session::first_report(int code) {
  if (std::find(reported_.begin(), reported_.end(), code) != reported_.end()) return false;
  reported_.push_back(code);
  return true;
}

void Session::dtmf(char digit, std::vector<std::string>& out) {
  if (state_ != State::kOpen || !spec_.bidirectional) return;
  out.push_back(dtmf_message(next_seq(), sid_, digit));
}

void Session::stop(TimePoint now, std::vector<std::string>& out) {
  if (state_ == State::kOpen) out.push_back(stop_message(next_seq(), sid_, account_sid_, call_sid_));
  state_ = State::kStopped;
  updated_ = now;
  playback_.clear();
  playback_.shrink_to_fit();
  played_offset_ = 0;
  marks_.clear();
}

}  // namespace dialtone::core::stream
