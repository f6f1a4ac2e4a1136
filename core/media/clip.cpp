#include "core/media/clip.hpp"

#include <optional>

#include "core/media/mulaw.hpp"

namespace dialtone::core::media {
namespace {

TwilioError bad(std::string message) { return TwilioError{400, 20001, std::move(message), {}}; }

uint32_t le(std::string_view s, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<uint8_t>(s[at + static_cast<size_t>(i)]);
  }
  return v;
}

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatMulaw = 7;
constexpr uint16_t kFormatExtensible = 0xFFFE;

Result<Clip> parse_wav(std::string name, std::string_view body) {
  if (body.size() < 12 || body.substr(0, 4) != "RIFF" || body.substr(8, 4) != "WAVE") {
    return bad("Not a WAV file: no RIFF/WAVE header");
  }
  std::optional<uint16_t> format;
  std::optional<std::string_view> data;
  size_t at = 12;
  while (at + 8 <= body.size() && !data) {
    const std::string_view id = body.substr(at, 4);
    const uint32_t size = le(body, at + 4, 4);
    at += 8;
    if (size > body.size() - at) {
      return bad("WAV chunk '" + std::string(id) + "' says " + std::to_string(size) +
                 " bytes; the file is truncated");
    }
    const std::string_view chunk = body.substr(at, size);
    at += size + (size & 1);  // chunks are padded to an even length
    if (id == "fmt ") {
      if (chunk.size() < 16) return bad("WAV fmt chunk too short");
      uint16_t tag = static_cast<uint16_t>(le(chunk, 0, 2));
      // WAVE_FORMAT_EXTENSIBLE names the real format in its sub-format GUID's first two bytes.
      if (tag == kFormatExtensible && chunk.size() >= 26) tag = static_cast<uint16_t>(le(chunk, 24, 2));
      const uint32_t channels = le(chunk, 2, 2), rate = le(chunk, 4, 4), bits = le(chunk, 14, 2);
      if (channels != 1 || rate != 8000) {
        return bad("WAV must be 8000 Hz mono; this one is " + std::to_string(rate) + " Hz, " +
                   std::to_string(channels) + " channel(s)");
      }
      if (!((tag == kFormatPcm && bits == 16) || (tag == kFormatMulaw && bits == 8))) {
        return bad("WAV must be 16-bit PCM or 8-bit mu-law; this one is format " +
                   std::to_string(tag) + ", " + std::to_string(bits) + " bits");
      }
      format = tag;
    } else if (id == "data") {
      if (!format) return bad("WAV data chunk before its fmt chunk");
      data = chunk;
    }
  }
  if (!format) return bad("WAV has no fmt chunk");
  if (!data) return bad("WAV has no data chunk");
  Clip c;
  c.name = std::move(name);
  if (*format == kFormatMulaw) {
    c.format = "wav-mulaw";
    c.mulaw = std::string(*data);
    c.pcm.reserve(c.mulaw.size());
    for (char b : c.mulaw) c.pcm.push_back(mulaw_decode(static_cast<uint8_t>(b)));
    return c;
  }
  if (data->size() % 2 != 0) return bad("WAV 16-bit data has an odd number of bytes");
  c.format = "wav-pcm16";
  c.pcm.reserve(data->size() / 2);
  c.mulaw.reserve(data->size() / 2);
  for (size_t i = 0; i + 1 < data->size(); i += 2) {
    const auto s = static_cast<int16_t>(static_cast<uint16_t>(le(*data, i, 2)));
    c.pcm.push_back(s);
    c.mulaw.push_back(static_cast<char>(mulaw_encode(s)));
  }
  return c;
}

}  // namespace

bool valid_clip_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxClipNameLength) return false;
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
    if (!ok) return false;
  }
  return true;
}

Result<Clip> parse_clip(std::string name, std::string_view body, ClipContent content) {
  Result<Clip> c = bad("unreachable");
  if (content == ClipContent::kWav) {
    c = parse_wav(std::move(name), body);
  } else {
    Clip raw;
    raw.name = std::move(name);
    raw.format = "mulaw";
    raw.mulaw = std::string(body);
    raw.pcm.reserve(body.size());
    for (char b : body) raw.pcm.push_back(mulaw_decode(static_cast<uint8_t>(b)));
    c = std::move(raw);
  }
  if (c && c->samples() == 0) return bad("The audio is empty");
  return c;
}

Status ClipBook::put(std::shared_ptr<const Clip> clip) {
  auto it = clips_.find(clip->name);
  const size_t freed = it == clips_.end() ? 0 : it->second->bytes();
  if (it == clips_.end() && clips_.size() >= kMaxClipsPerWorld) {
    return TwilioError{413, 20001,
                       "An account holds at most " + std::to_string(kMaxClipsPerWorld) +
                           " audio clips; delete one first",
                       {}};
  }
  if (bytes_ - freed + clip->bytes() > kMaxClipBytesPerWorld) {
    return TwilioError{413, 20001,
                       "An account's audio clips hold at most " +
                           std::to_string(kMaxClipBytesPerWorld >> 20) + " MiB; delete some first",
                       {}};
  }
  bytes_ = bytes_ - freed + clip->bytes();
  const std::string key = clip->name;
  clips_[key] = std::move(clip);
  return Ok{};
}

std::shared_ptr<const Clip> ClipBook::find(std::string_view name) const {
  auto it = clips_.find(name);
  return it == clips_.end() ? nullptr : it->second;
}

bool ClipBook::erase(std::string_view name) {
  auto it = clips_.find(name);
  if (it == clips_.end()) return false;
  bytes_ -= it->second->bytes();
  clips_.erase(it);
  return true;
}

void ClipBook::clear() {
  clips_.clear();
  bytes_ = 0;
}

}  // namespace dialtone::core::media
