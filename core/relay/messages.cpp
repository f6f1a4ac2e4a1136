#include "core/relay/messages.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dialtone::core::relay {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}
void kv(Writer& w, std::string_view k, std::string_view v) {
  key(w, k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
std::string take(rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

AppMessage invalid(int code, std::string why) {
  AppMessage m;
  m.error_code = code;
  m.error = std::move(why);
  return m;
}

// An optional member: absent is fine, the wrong type is an error (the whole message is).
const rapidjson::Value* member(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it == o.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}
bool read_string(const rapidjson::Value& o, const char* name, std::string& out,
                 std::string& error) {
  const rapidjson::Value* v = member(o, name);
  if (!v) return true;
  if (!v->IsString()) {
    error = std::string("\"") + name + "\" must be a string";
    return false;
  }
  out.assign(v->GetString(), v->GetStringLength());
  return true;
}
bool read_bool(const rapidjson::Value& o, const char* name, std::optional<bool>& out,
               std::string& error) {
  const rapidjson::Value* v = member(o, name);
  if (!v) return true;
  if (!v->IsBool()) {
    error = std::string("\"") + name + "\" must be true or false";
    return false;
  }
  out = v->GetBool();
  return true;
}

}  // namespace

std::string setup_message(const Setup& s) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  kv(w, "type", "setup");
  kv(w, "sessionId", s.session_id);
  kv(w, "accountSid", s.account_sid);
  kv(w, "parentCallSid", s.parent_call_sid);
  kv(w, "callSid", s.call_sid);
  kv(w, "from", s.from);
  kv(w, "to", s.to);
  kv(w, "forwardedFrom", s.forwarded_from);
  kv(w, "callType", "PSTN");
  kv(w, "callerName", s.caller_name);
  kv(w, "direction", s.direction);
  kv(w, "callStatus", s.call_status);
  key(w, "customParameters");
  w.StartObject();
  for (const auto& [k, v] : s.custom_parameters) kv(w, k, v);
  w.EndObject();
  w.EndObject();
  return take(b);
}

std::string prompt_message(std::string_view voice_prompt, std::string_view lang, bool last) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  kv(w, "type", "prompt");
  kv(w, "voicePrompt", voice_prompt);
  kv(w, "lang", lang);
  key(w, "last");
  w.Bool(last);
  w.EndObject();
  return take(b);
}

std::string dtmf_message(char digit) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  kv(w, "type", "dtmf");
  kv(w, "digit", std::string_view(&digit, 1));
  w.EndObject();
  return take(b);
}

std::string interrupt_message(std::string_view utterance_until_interrupt, int64_t duration_ms) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  kv(w, "type", "interrupt");
  kv(w, "utteranceUntilInterrupt", utterance_until_interrupt);
  key(w, "durationUntilInterruptMs");
  w.Int64(duration_ms);
  w.EndObject();
  return take(b);
}

std::string error_message(std::string_view description) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  kv(w, "type", "error");
  kv(w, "description", description);
  w.EndObject();
  return take(b);
}

AppMessage parse_app_message(std::string_view text) {
  if (text.size() > kMaxAppMessageBytes) {
    return invalid(stream::kErrInvalidMessage,
                   "message of " + std::to_string(text.size()) + " bytes is over the " +
                       std::to_string(kMaxAppMessageBytes) + " byte limit");
  }
  rapidjson::Document d;
  d.Parse<rapidjson::kParseStopWhenDoneFlag>(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) {
    return invalid(stream::kErrMalformedMessage, "Malformed message: not a JSON object");
  }
  std::string type;
  std::string error;
  if (!read_string(d, "type", type, error) || type.empty()) {
    return invalid(stream::kErrInvalidMessage, "message has no \"type\" string");
  }
  AppMessage m;
  bool ok = true;
  if (type == "text") {
    m.kind = AppMessage::Kind::kText;
    const rapidjson::Value* token = member(d, "token");
    if (!token || !token->IsString()) {
      return invalid(stream::kErrInvalidMessage, "text message has no \"token\" string");
    }
    m.token.assign(token->GetString(), token->GetStringLength());
    std::optional<bool> last;
    ok = read_bool(d, "last", last, error) && read_bool(d, "interruptible", m.interruptible, error) &&
         read_string(d, "lang", m.lang, error);
    m.last = last.value_or(false);
  } else if (type == "play") {
    m.kind = AppMessage::Kind::kPlay;
    ok = read_string(d, "source", m.source, error) &&
         read_bool(d, "interruptible", m.interruptible, error);
    if (ok && m.source.empty()) {
      ok = false;
      error = "play message has no \"source\"";
    }
    if (const rapidjson::Value* loop = member(d, "loop"); ok && loop) {
      if (!loop->IsInt() || loop->GetInt() < 0 || loop->GetInt() > 1000) {
        ok = false;
        error = "\"loop\" must be an integer 0..1000";
      } else {
        m.loop = loop->GetInt() == 0 ? 1000 : loop->GetInt();
      }
    }
  } else if (type == "sendDigits") {
    m.kind = AppMessage::Kind::kSendDigits;
    ok = read_string(d, "digits", m.digits, error);
    for (char c : m.digits) {
      if (!((c >= '0' && c <= '9') || c == '*' || c == '#' || c == 'w' || c == 'W')) ok = false;
    }
    if (!ok || m.digits.empty()) {
      return invalid(stream::kErrInvalidMessage,
                     "sendDigits needs \"digits\" of 0-9, *, #, w and W");
    }
  } else if (type == "language") {
    m.kind = AppMessage::Kind::kLanguage;
    ok = read_string(d, "ttsLanguage", m.tts_language, error) &&
         read_string(d, "transcriptionLanguage", m.transcription_language, error);
  } else if (type == "end") {
    m.kind = AppMessage::Kind::kEnd;
    ok = read_string(d, "handoffData", m.handoff_data, error);
    if (ok && m.handoff_data.size() > kMaxHandoffData) {
      ok = false;
      error = "\"handoffData\" is over " + std::to_string(kMaxHandoffData) + " bytes";
    }
  } else {
    return invalid(stream::kErrInvalidMessage,
                   "unknown message type \"" + type.substr(0, 64) + "\"");
  }
  if (!ok) return invalid(stream::kErrInvalidMessage, type + " message: " + error);
  return m;
}

}  // namespace dialtone::core::relay
