#include "core/stream/messages.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/media/base64.hpp"

namespace dialtone::core::stream {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}
void str(Writer& w, std::string_view v) {
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void kv(Writer& w, std::string_view k, std::string_view v) {
  key(w, k);
  str(w, v);
}
// Twilio writes the counters as JSON strings.
void kv_num(Writer& w, std::string_view k, int64_t v) { kv(w, k, std::to_string(v)); }

std::string take(rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

// Every message but `connected` opens with its event and its sequenceNumber.
void open_event(Writer& w, std::string_view event, uint64_t seq) {
  w.StartObject();
  kv(w, "event", event);
  kv_num(w, "sequenceNumber", static_cast<int64_t>(seq));
}

// ... and `start`, `media` and `stop` carry a payload object named after the event, then
// close with the streamSid.
void open_payload(Writer& w, std::string_view event, uint64_t seq) {
  open_event(w, event, seq);
  key(w, event);
  w.StartObject();
}
std::string close_payload(Writer& w, rapidjson::StringBuffer& b, std::string_view stream_sid) {
  w.EndObject();
  kv(w, "streamSid", stream_sid);
  w.EndObject();
  return take(b);
}

AppMessage invalid(int code, std::string why) {
  AppMessage m;
  m.error_code = code;
  m.error = std::move(why);
  return m;
}

}  // namespace

std::string connected_message() {
  return R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
}

std::string start_message(uint64_t seq, std::string_view account_sid,
                          std::string_view stream_sid, std::string_view call_sid,
                          const std::vector<std::string_view>& tracks,
                          const Parameters& custom_parameters) {
  rapidjson::StringBuffer b;
  Writer w(b);
  open_payload(w, "start", seq);
  kv(w, "accountSid", account_sid);
  kv(w, "streamSid", stream_sid);
  kv(w, "callSid", call_sid);
  key(w, "tracks");
  w.StartArray();
  for (auto t : tracks) str(w, t);
  w.EndArray();
  key(w, "mediaFormat");
  w.StartObject();
  kv(w, "encoding", "audio/x-mulaw");
  key(w, "sampleRate");
  w.Int(8000);
  key(w, "channels");
  w.Int(1);
  w.EndObject();
  key(w, "customParameters");
  w.StartObject();
  for (const auto& [k, v] : custom_parameters) kv(w, k, v);
  w.EndObject();
  return close_payload(w, b, stream_sid);
}

std::string media_message(uint64_t seq, std::string_view stream_sid, std::string_view track,
                          uint64_t chunk, int64_t timestamp_ms, std::string_view mulaw) {
  rapidjson::StringBuffer b;
  Writer w(b);
  open_payload(w, "media", seq);
  kv(w, "track", track);
  kv_num(w, "chunk", static_cast<int64_t>(chunk));
  kv_num(w, "timestamp", timestamp_ms);
  kv(w, "payload", media::base64_encode(mulaw));
  return close_payload(w, b, stream_sid);
}

std::string dtmf_message(uint64_t seq, std::string_view stream_sid, char digit) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  kv(w, "event", "dtmf");
  kv(w, "streamSid", stream_sid);
  kv_num(w, "sequenceNumber", static_cast<int64_t>(seq));
  key(w, "dtmf");
  w.StartObject();
  kv(w, "track", "inbound_track");  // with the suffix, unlike media.track (§6.7)
  kv(w, "digit", std::string_view(&digit, 1));
  w.EndObject();
  w.EndObject();
  return take(b);
}

std::string mark_message(uint64_t seq, std::string_view stream_sid, std::string_view name) {
  rapidjson::StringBuffer b;
  Writer w(b);
  open_event(w, "mark", seq);
  kv(w, "streamSid", stream_sid);
  key(w, "mark");
  w.StartObject();
  kv(w, "name", name);
  w.EndObject();
  w.EndObject();
  return take(b);
}

std::string stop_message(uint64_t seq, std::string_view stream_sid, std::string_view account_sid,
                         std::string_view call_sid) {
  rapidjson::StringBuffer b;
  Writer w(b);
  open_payload(w, "stop", seq);
  kv(w, "accountSid", account_sid);
  kv(w, "callSid", call_sid);
  return close_payload(w, b, stream_sid);
}

AppMessage parse_app_message(std::string_view text) {
  if (text.size() > kMaxAppMessageBytes) {
    return invalid(kErrInvalidMessage, "message of " + std::to_string(text.size()) +
                                           " bytes is over the " +
                                           std::to_string(kMaxAppMessageBytes) + " byte limit");
  }
  rapidjson::Document d;
  d.Parse<rapidjson::kParseStopWhenDoneFlag>(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) {
    return invalid(kErrMalformedMessage, "Malformed Message: not a JSON object");
  }
  auto ev = d.FindMember("event");
  if (ev == d.MemberEnd() || !ev->value.IsString()) {
    return invalid(kErrInvalidMessage, "message has no \"event\"");
  }
  const std::string_view event(ev->value.GetString(), ev->value.GetStringLength());
  if (event == "clear") {
    AppMessage m;
    m.kind = AppMessage::Kind::kClear;
    return m;
  }
  if (event == "media") {
    auto media = d.FindMember("media");
    if (media == d.MemberEnd() || !media->value.IsObject()) {
      return invalid(kErrInvalidMessage, "media message has no \"media\" object");
    }
    auto payload = media->value.FindMember("payload");
    if (payload == media->value.MemberEnd() || !payload->value.IsString()) {
      return invalid(kErrInvalidMessage, "media message has no \"media.payload\" string");
    }
    auto audio = media::base64_decode(
        std::string_view(payload->value.GetString(), payload->value.GetStringLength()));
    if (!audio) return invalid(kErrInvalidMessage, "media.payload is not base64");
    AppMessage m;
    m.kind = AppMessage::Kind::kMedia;
    m.audio = std::move(*audio);
    return m;
  }
  if (event == "mark") {
    auto mark = d.FindMember("mark");
    if (mark == d.MemberEnd() || !mark->value.IsObject()) {
      return invalid(kErrInvalidMessage, "mark message has no \"mark\" object");
    }
    auto name = mark->value.FindMember("name");
    if (name == mark->value.MemberEnd() || !name->value.IsString() ||
        name->value.GetStringLength() > kMaxMarkName) {
      return invalid(kErrInvalidMessage, "mark.name must be a string of at most " +
                                             std::to_string(kMaxMarkName) + " characters");
    }
    AppMessage m;
    m.kind = AppMessage::Kind::kMark;
    m.name.assign(name->value.GetString(), name->value.GetStringLength());
    return m;
  }
  std::string shown(event.substr(0, 64));
  return invalid(kErrProtocol, "Protocol Error: unknown event \"" + shown + "\"");
}

}  // namespace dialtone::core::stream
