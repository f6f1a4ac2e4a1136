// fuzz_clip: an uploaded audio clip (PUT /_dialtone/audio/{Name}) on arbitrary bytes: the
// first byte picks how the upload says what it is (even: a WAV by its header; odd: raw μ-law),
// the rest is the body. Properties: parsing never reads outside the body; an accepted clip is
// not empty, has one PCM sample per μ-law byte, no more samples than the body has bytes, and a
// length of its samples over 8 rounded up; a refusal is a 400 with code 20001.
#pragma once

#include <string_view>

#include "core/media/clip.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

inline void run_clip(const uint8_t* data, size_t size) {
  using namespace dialtone::core;
  if (size == 0) return;
  const auto content = (data[0] & 1) ? media::ClipContent::kRawMulaw : media::ClipContent::kWav;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto c = media::parse_clip("fuzz", body, content);
  if (!c) {
    FUZZ_CHECK(c.error().http_status == 400 && c.error().code == 20001);
    return;
  }
  FUZZ_CHECK(c->samples() > 0);
  FUZZ_CHECK(c->pcm.size() == c->mulaw.size());
  FUZZ_CHECK(c->samples() <= body.size());
  FUZZ_CHECK(c->length().count() == static_cast<int64_t>((c->samples() + 7) / 8));
}

}  // namespace dialtone::fuzz
