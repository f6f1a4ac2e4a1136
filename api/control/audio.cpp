#include "api/control/audio.hpp"

#include <array>
#include <memory>

#include "api/control_request.hpp"
#include "api/json_writer.hpp"
#include "api/route.hpp"

namespace dialtone::api {
namespace {

using core::media::Clip;

// The media type, lower-cased, without its parameters.
std::string media_type(std::string_view ct) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  std::string out(ct);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_raw_mulaw(std::string_view type) {
  constexpr std::array<std::string_view, 4> kTypes{"audio/basic", "audio/x-mulaw", "audio/mulaw",
                                                   "audio/pcmu"};
  for (auto t : kTypes) {
    if (type == t) return true;
  }
  return false;
}

void write_clip(JsonWriter& w, const Clip& c) {
  w.StartObject();
  w.member("name", c.name);
  w.member("format", c.format);
  w.member_int("samples", static_cast<int64_t>(c.samples()));
  w.member_int("duration_ms", c.length().count());
  w.EndObject();
}

Response clip_json(int status, const Clip& c) {
  std::string buf;
  JsonWriter w(buf);
  write_clip(w, c);
  return control_json(status, std::move(buf));
}

Response put_clip(core::media::ClipBook& book, const Request& req, const std::string& name) {
  if (req.body.size() > core::media::kMaxClipUploadBytes) {
    return control_error(413,
                         "Audio clips are at most " +
                             std::to_string(core::media::kMaxClipUploadBytes) + " bytes; this one is " +
                             std::to_string(req.body.size()),
                         20001);
  }
  const std::string type = media_type(req.content_type);
  core::media::ClipContent content;
  if (req.body.starts_with("RIFF")) {
    content = core::media::ClipContent::kWav;
  } else if (is_raw_mulaw(type)) {
    content = core::media::ClipContent::kRawMulaw;
  } else {
    return control_error(400,
                         "Unsupported audio" + (type.empty() ? std::string() : " (" + type + ")") +
                             ": send a WAV file (8000 Hz mono, 16-bit PCM or mu-law) or raw "
                             "mu-law with Content-Type audio/basic",
                         20001);
  }
  auto clip = core::media::parse_clip(name, req.body, content);
  if (!clip) return control_error(clip.error());
  const bool replaced = book.find(name) != nullptr;
  auto shared = std::make_shared<const Clip>(std::move(*clip));
  if (auto put = book.put(shared); !put) return control_error(put.error());
  return clip_json(replaced ? 200 : 201, *shared);
}

}  // namespace

Response audio_clips(core::Engine& engine, const Request& req, const std::string& name,
                     const std::string& default_account) {
  std::string reason;
  auto query = decode_form(split_target(req.target).query, &reason);
  if (!query) return control_error(400, "Invalid query string: " + reason);
  const std::string* named = query->get("AccountSid");
  if (named && !engine.accounts().find(*named)) return control_error(404, "No account " + *named);
  core::media::ClipBook& book = engine.clips(named ? *named : default_account);
  if (name.empty()) {
    std::string buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("audio");
    w.StartArray();
    for (const auto& [n, c] : book.all()) write_clip(w, *c);
    w.EndArray();
    w.EndObject();
    return control_json(200, std::move(buf));
  }
  if (!core::media::valid_clip_name(name)) {
    return control_error(400, "Invalid clip name '" + name + "': 1-64 of A-Z a-z 0-9 _ - .",
                         20001);
  }
  if (req.method == "PUT" || req.method == "POST") return put_clip(book, req, name);
  auto clip = book.find(name);
  if (!clip) return control_error(404, "No audio clip " + name, 20404);
  if (req.method == "DELETE") {
    book.erase(name);
    return control_json(200, "{\"deleted\": \"" + name + "\"}");
  }
  return clip_json(200, *clip);
}

}  // namespace dialtone::api
