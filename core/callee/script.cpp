#include "core/callee/script.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/media/clip.hpp"

namespace dialtone::core::callee {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

TwilioError bad(std::string message) { return TwilioError{400, 0, std::move(message), {}}; }

// "2.5s", "800ms", "3" (seconds): 0 to one day.
std::optional<Millis> parse_duration(std::string_view s) {
  s = trim(s);
  double scale = 1000;
  if (s.ends_with("ms")) {
    scale = 1;
    s.remove_suffix(2);
  } else if (s.ends_with("s")) {
    s.remove_suffix(1);
  }
  if (s.empty() || s.size() > 20) return std::nullopt;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  const std::string copy(s);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !(v >= 0) || v * scale > 86400000.0) {
    return std::nullopt;
  }
  return Millis{static_cast<int64_t>(std::llround(v * scale))};
}

std::string format_ms(Millis d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

bool valid_digits(std::string_view d) {
  return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '*' || c == '#' || c == 'w';
  });
}

// The "(...)" options of a say or interrupt turn: a duration and `confidence=X`.
Status parse_options(std::string_view opts, Turn& t, std::string_view turn) {
  int durations = 0;
  while (!opts.empty()) {
    const size_t comma = opts.find(',');
    const std::string_view item = trim(opts.substr(0, comma));
    opts = comma == std::string_view::npos ? std::string_view{} : opts.substr(comma + 1);
    if (item.starts_with("audio=")) {
      t.audio = std::string(trim(item.substr(6)));
      if (!media::valid_clip_name(t.audio)) {
        return bad("Script turn '" + std::string(turn) + "': audio=NAME needs a clip name (" +
                   "1-64 of A-Z a-z 0-9 _ - .)");
      }
      continue;
    }
    if (item.starts_with("confidence=")) {
      const std::string v(item.substr(11));
      char* end = nullptr;
      const double c = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size() || !(c >= 0 && c <= 1)) {
        return bad("Script turn '" + std::string(turn) + "': confidence must be 0..1");
      }
      t.confidence = c;
      continue;
    }
    auto d = parse_duration(item);
    if (!d) {
      return bad("Script turn '" + std::string(turn) + "': '" + std::string(item) +
                 "' is neither a duration (2.5s, 800ms) nor confidence=X");
    }
    if (++durations > 2 || (durations == 2 && t.kind != Turn::Kind::kInterrupt)) {
      return bad("Script turn '" + std::string(turn) + "': too many durations");
    }
    if (t.kind == Turn::Kind::kInterrupt && durations == 1) {
      t.after = *d;  // interrupt's first duration: how long the agent speaks first
    } else {
      t.duration = *d;
    }
  }
  if (!t.audio.empty() && t.duration) {
    return bad("Script turn '" + std::string(turn) +
               "': a turn that says an audio clip lasts as long as the clip; drop the duration");
  }
  return Ok{};
}

}  // namespace

size_t word_count(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    if (is_blank(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

Millis speaking_time(std::string_view text) {
  return kPerWord * static_cast<int64_t>(std::max<size_t>(1, word_count(text)));
}

Millis speaking_time(const Turn& t) { return t.duration ? *t.duration : speaking_time(t.text); }

Result<Turn> parse_turn(std::string_view text) {
  const std::string_view whole = trim(text);
  const size_t colon = whole.find(':');
  std::string_view head = trim(whole.substr(0, colon));
  const std::string_view arg = colon == std::string_view::npos ? std::string_view{}
                                                               : trim(whole.substr(colon + 1));
  std::string_view opts;
  if (const size_t paren = head.find('('); paren != std::string_view::npos) {
    if (!head.ends_with(")")) return bad("Script turn '" + std::string(whole) + "': missing ')'");
    opts = head.substr(paren + 1, head.size() - paren - 2);
    head = trim(head.substr(0, paren));
  }
  Turn t;
  if (arg.size() > kMaxTurnText) {
    return bad("Script turn '" + std::string(whole.substr(0, 40)) + "...' is longer than " +
               std::to_string(kMaxTurnText) + " characters");
  }
  if (head == "say" || head == "interrupt") {
    t.kind = head == "say" ? Turn::Kind::kSay : Turn::Kind::kInterrupt;
    if (arg.empty()) return bad("Script turn '" + std::string(whole) + "' has no text to say");
    t.text = std::string(arg);
    if (auto s = parse_options(opts, t, whole); !s) return s.error();
    return t;
  }
  if (!opts.empty()) {
    return bad("Script turn '" + std::string(whole) + "': only say and interrupt take options");
  }
  if (head == "press") {
    if (!valid_digits(arg)) {
      return bad("Script turn '" + std::string(whole) +
                 "': press needs digits (0-9, *, #, w)");
    }
    t.kind = Turn::Kind::kPress;
    t.text = std::string(arg);
    return t;
  }
  if (head == "silence" || head == "wait") {
    t.kind = head == "silence" ? Turn::Kind::kSilence : Turn::Kind::kWait;
    if (arg.empty()) {
      if (t.kind == Turn::Kind::kSilence) {
        return bad("Script turn '" + std::string(whole) + "': silence needs a duration (3s)");
      }
      return t;
    }
    t.duration = parse_duration(arg);
    if (!t.duration) {
      return bad("Script turn '" + std::string(whole) + "': '" + std::string(arg) +
                 "' is not a duration (3s, 800ms)");
    }
    return t;
  }
  if (head == "hangup" && arg.empty()) {
    t.kind = Turn::Kind::kHangup;
    return t;
  }
  return bad("Script turn '" + std::string(whole) +
             "' is none of say:TEXT, press:DIGITS, silence:N, wait[:N], "
             "interrupt(N):TEXT, hangup");
}

Result<std::vector<Turn>> parse_script(const std::vector<std::string>& turns) {
  if (turns.size() > kMaxTurns) {
    return bad("A script holds at most " + std::to_string(kMaxTurns) + " turns");
  }
  std::vector<Turn> out;
  out.reserve(turns.size());
  for (size_t i = 0; i < turns.size(); ++i) {
    auto t = parse_turn(turns[i]);
    if (!t) return bad("Script[" + std::to_string(i) + "]: " + t.error().message);
    out.push_back(std::move(*t));
  }
  return out;
}

std::string format_turn(const Turn& t) {
  auto options = [&](std::string first) {
    std::string o = std::move(first);
    if (t.duration) o += (o.empty() ? "" : ", ") + format_ms(*t.duration);
    if (!t.audio.empty()) o += (o.empty() ? "" : ", ") + std::string("audio=") + t.audio;
    if (t.confidence != kDefaultConfidence) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4g", t.confidence);
      o += (o.empty() ? "" : ", ") + std::string("confidence=") + buf;
    }
    return o.empty() ? std::string() : "(" + o + ")";
  };
  switch (t.kind) {
    case Turn::Kind::kSay: return "say" + options("") + ":" + t.text;
    case Turn::Kind::kInterrupt: return "interrupt" + options(format_ms(t.after)) + ":" + t.text;
    case Turn::Kind::kPress: return "press:" + t.text;
    case Turn::Kind::kSilence: return "silence:" + format_ms(t.duration.value_or(Millis{0}));
    case Turn::Kind::kWait: return t.duration ? "wait:" + format_ms(*t.duration) : "wait";
    case Turn::Kind::kHangup: return "hangup";
  }
  return "hangup";
}

std::vector<std::string> format_script(const std::vector<Turn>& turns) {
  std::vector<std::string> out;
  out.reserve(turns.size());
  for (const Turn& t : turns) out.push_back(format_turn(t));
  return out;
}

Result<std::shared_ptr<const std::vector<Turn>>> make_script(
    const std::vector<std::string>& turns) {
  if (turns.empty()) return std::shared_ptr<const std::vector<Turn>>{};
  auto parsed = parse_script(turns);
  if (!parsed) return parsed.error();
  return std::shared_ptr<const std::vector<Turn>>(
      std::make_shared<std::vector<Turn>>(std::move(*parsed)));
}

}  // namespace dialtone::core::callee
