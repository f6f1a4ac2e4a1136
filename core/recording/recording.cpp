#include "core/recording/recording.hpp"

#include <charconv>
#include <utility>

#include "core/media/call_audio.hpp"

namespace dialtone::core::recording {
namespace {

int64_t ms_of(TimePoint t) { return t.time_since_epoch().count(); }

void keep(Recording& r, TimePoint now, bool silent) {
  if (now > r.since) r.pieces.push_back(media::Piece{ms_of(r.since), ms_of(now), silent});
}

std::vector<media::Span> spans_of(const media::Spans* s, int64_t from, int64_t to) {
  return s ? s->between(from, to) : std::vector<media::Span>{};
}

}  // namespace

std::string_view to_wire(Status s) {
  switch (s) {
    case Status::kInProgress:
      return "in-progress";
    case Status::kPaused:
      return "paused";
    case Status::kStopped:
      return "stopped";
    case Status::kProcessing:
      return "processing";
    case Status::kCompleted:
      return "completed";
    case Status::kAbsent:
      return "absent";
  }
  return "completed";
}

std::string_view to_wire(Source s) {
  switch (s) {
    case Source::kDialVerb:
      return "DialVerb";
    case Source::kConference:
      return "Conference";
    case Source::kOutboundApi:
      return "OutboundAPI";
    case Source::kTrunking:
      return "Trunking";
    case Source::kRecordVerb:
      return "RecordVerb";
    case Source::kStartCallRecordingApi:
      return "StartCallRecordingAPI";
    case Source::kStartConferenceRecordingApi:
      return "StartConferenceRecordingAPI";
  }
  return "StartCallRecordingAPI";
}

std::string_view to_wire(Track t) {
  switch (t) {
    case Track::kInbound:
      return "inbound";
    case Track::kOutbound:
      return "outbound";
    case Track::kBoth:
      return "both";
  }
  return "both";
}

std::optional<Track> track_from(std::string_view s) {
  if (s == "inbound") return Track::kInbound;
  if (s == "outbound") return Track::kOutbound;
  if (s == "both") return Track::kBoth;
  return std::nullopt;
}

std::optional<uint8_t> parse_events(const std::vector<std::string_view>& values) {
  uint8_t events = 0;
  for (std::string_view v : values) {
    size_t i = 0;
    while (i < v.size()) {
      const size_t j = v.find_first_of(" ,", i);
      const std::string_view word = v.substr(i, j == std::string_view::npos ? v.npos : j - i);
      if (word == "in-progress")
        events |= kEventInProgress;
      else if (word == "completed")
        events |= kEventCompleted;
      else if (word == "absent")
        events |= kEventAbsent;
      else if (!word.empty())
        return std::nullopt;
      if (j == std::string_view::npos) break;
      i = j + 1;
    }
  }
  return events;
}

std::string events_text(uint8_t events) {
  std::string out;
  for (auto [bit, word] : {std::pair<uint8_t, const char*>{kEventInProgress, "in-progress"},
                           {kEventCompleted, "completed"},
                           {kEventAbsent, "absent"}}) {
    if (!(events & bit)) continue;
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

bool pause(Recording& r, TimePoint now, bool skip) {
  if (r.status != Status::kInProgress) return false;
  keep(r, now, false);
  r.status = Status::kPaused;
  r.pause_skips = skip;
  r.since = now;
  return true;
}

bool resume(Recording& r, TimePoint now) {
  if (r.status != Status::kPaused) return false;
  if (!r.pause_skips) keep(r, now, true);
  r.status = Status::kInProgress;
  r.since = now;
  return true;
}

bool stop(Recording& r, TimePoint now) {
  if (r.status == Status::kInProgress)
    keep(r, now, false);
  else if (r.status == Status::kPaused && !r.pause_skips)
    keep(r, now, true);
  else
    return false;
  r.status = Status::kStopped;
  r.since = now;
  return true;
}

void finish(Recording& r, const media::CallVoices* first, const media::CallVoices* second,
            TimePoint now) {
  media::RecordingAudio a;
  a.pieces = r.pieces;
  const int64_t from = a.pieces.empty() ? 0 : a.pieces.front().from_ms;
  const int64_t to = a.pieces.empty() ? 0 : a.pieces.back().to_ms;
  // The inbound side is the far party; the outbound side what the call plays, or for a
  // <Dial> the dialed leg's party (its own tone, so that the two can be told apart).
  const bool dial = !r.leg_sid.empty();
  media::Source in{spans_of(first ? &first->callee : nullptr, from, to), media::kCalleeToneHz, 0};
  media::Source out{dial ? spans_of(second ? &second->callee : nullptr, from, to)
                         : spans_of(first ? &first->call : nullptr, from, to),
                    dial ? media::kLegToneHz : media::kPromptToneHz, 1};
  const Track track = r.options.track;
  a.channels = channels_of(r);
  if (track != Track::kOutbound) a.sources.push_back(std::move(in));
  if (track != Track::kOutbound && first) {  // the callee's uploaded clips (sources[0])
    a.clips = {media::clips_between(first->callee_clips, from, to)};
  }
  if (track != Track::kInbound) {
    if (a.channels == 1) out.channel = 0;
    a.sources.push_back(std::move(out));
  }
  if (r.options.trim) media::trim_silence(a);
  const int64_t seconds = media::fit_to_seconds(a);
  r.duration_s = seconds;
  r.status = seconds < kMinSeconds ? Status::kAbsent : Status::kCompleted;
  r.error_code = seconds < kMinSeconds ? kErrorTooShort : 0;
  r.audio = std::move(a);
  r.pieces.clear();
  r.date_updated = now;
}

// "C2 P<from>-<to>[s]... S<hz>/<channel> <from>-<to>...": enough to render the file again.
std::string encode_audio(const media::RecordingAudio& a) {
  // Each piece appended (GCC 12 at -O3 reports a false -Wrestrict overlap for a literal
  // prepended to a temporary string).
  std::string out;
  const auto put = [&out](std::string_view before, auto number) {
    out.append(before).append(std::to_string(number));
  };
  put("C", a.channels);
  for (const media::Piece& p : a.pieces) {
    put(" P", p.from_ms);
    put("-", p.to_ms);
    if (p.silent) out += 's';
  }
  for (const media::Source& s : a.sources) {
    put(" S", s.tone_hz);
    put("/", s.channel);
    for (const media::Span& sp : s.spans) {
      put(" ", sp.from_ms);
      put("-", sp.to_ms);
    }
  }
  return out;
}

std::optional<media::RecordingAudio> decode_audio(std::string_view text) {
  media::RecordingAudio a;
  auto number = [](std::string_view& s, int64_t& n) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc()) return false;
    s.remove_prefix(static_cast<size_t>(end - s.data()));
    return true;
  };
  auto pair = [&](std::string_view& s, int64_t& x, int64_t& y, char sep) {
    if (!number(s, x) || s.empty() || s.front() != sep) return false;
    s.remove_prefix(1);
    return number(s, y);
  };
  while (!text.empty()) {
    const size_t sp = text.find(' ');
    std::string_view tok = text.substr(0, sp);
    text = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
    if (tok.empty()) continue;
    const char kind = tok.front();
    int64_t x = 0, y = 0;
    if (kind == 'C' || kind == 'P' || kind == 'S') tok.remove_prefix(1);
    if (kind == 'C') {
      if (!number(tok, x) || (x != 1 && x != 2)) return std::nullopt;
      a.channels = static_cast<int>(x);
    } else if (kind == 'P') {
      if (!pair(tok, x, y, '-') || y < x) return std::nullopt;
      a.pieces.push_back(media::Piece{x, y, tok == "s"});
    } else if (kind == 'S') {
      if (!pair(tok, x, y, '/') || x <= 0 || x > 4000 || y < 0 || y > 1) return std::nullopt;
      a.sources.push_back(media::Source{{}, static_cast<int>(x), static_cast<int>(y)});
    } else {
      if (a.sources.empty() || !pair(tok, x, y, '-') || y < x) return std::nullopt;
      a.sources.back().spans.push_back(media::Span{x, y});
    }
  }
  return a;
}

}  // namespace dialtone::core::recording
