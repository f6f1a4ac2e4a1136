// fuzz_stream: what a Media Streams app sends, on arbitrary bytes. The input is split at '\n'
// into messages fed to one bidirectional session (a line starting with '#' moves its clock by
// 20 ms per following byte, so playback and marks interleave with the app's messages).
// Properties: nothing the app sends makes the session hold more than its bounds; every message
// it answers is valid JSON with the next sequenceNumber; each accepted mark is echoed at most
// once, and all of them once a `clear` comes.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "core/stream/session.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

inline void run_stream(const uint8_t* data, size_t size) {
  using namespace dialtone::core;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  stream::Spec spec;
  spec.url = "wss://fuzz.test/";
  spec.bidirectional = true;
  const TimePoint t0{Millis{1767225600000}};
  stream::Session s(1, "MZ00000000000000000000000000000000",
                    "AC00000000000000000000000000000000", "CA00000000000000000000000000000000",
                    spec, t0);
  std::vector<std::string> out;
  s.open(t0, out);
  uint64_t seq = 1;  // start's
  size_t marks_in = 0, marks_out = 0;
  TimePoint now = t0;
  auto check_out = [&] {
    for (const std::string& m : out) {
      rapidjson::Document d;
      d.Parse(m.data(), m.size());
      FUZZ_CHECK(!d.HasParseError() && d.IsObject());
      if (d.HasParseError() || !d.IsObject()) continue;
      auto sn = d.FindMember("sequenceNumber");
      if (sn == d.MemberEnd()) continue;  // `connected` has none
      FUZZ_CHECK(sn->value.IsString());
      if (sn->value.IsString()) FUZZ_CHECK(std::stoull(sn->value.GetString()) == seq);
      ++seq;
      if (std::string_view(d["event"].GetString()) == "mark") ++marks_out;
    }
    out.clear();
  };
  check_out();  // connected (no sequenceNumber) and start ("1")
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line[0] == '#') {
      now += Millis{20 * static_cast<int64_t>(line.size())};
      s.advance(now, {}, out);
    } else {
      const stream::AppOutcome r = s.on_app_text(line, out);
      if (r.kind == stream::AppMessage::Kind::kMark) ++marks_in;
      FUZZ_CHECK(r.kind != stream::AppMessage::Kind::kInvalid || r.error_code != 0);
      if (r.kind == stream::AppMessage::Kind::kClear) FUZZ_CHECK(s.queued_bytes() == 0);
    }
    check_out();
    FUZZ_CHECK(s.queued_bytes() <= stream::kMaxPlaybackBytes);
    FUZZ_CHECK(s.heard().size() <= stream::kMaxHeardBytes);
    FUZZ_CHECK(marks_out <= marks_in);
  }
  s.on_app_text(R"({"event":"clear"})", out);
  check_out();
  FUZZ_CHECK(marks_out == marks_in);
}

}  // namespace dialtone::fuzz
