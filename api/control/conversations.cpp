#include "api/control/conversations.hpp"

#include "api/control_request.hpp"
#include "api/json_writer.hpp"

namespace dialtone::api {

namespace {

std::string_view speaker_name(core::callee::Entry::Speaker s) {
  return s == core::callee::Entry::Speaker::kAgent ? "agent" : "callee";
}

}  // namespace

core::Result<core::callee::Turn> parse_live_turn(std::string_view action, const FormFields& p) {
  // Written as a script turn, so that the control API and the scripts agree on every rule.
  std::string written;
  if (action == "press") {
    const std::string* digits = p.get("Digits");
    if (!digits || digits->empty()) return bad_control_param("Digits is required");
    written = "press:" + *digits;
  } else {
    const std::string* text = p.get("Text");
    if (!text || text->empty()) return bad_control_param("Text is required");
    std::string options;
    for (const char* key : {"Duration", "Confidence", "Audio"}) {
      const std::string* v = p.get(key);
      if (!v) continue;
      if (v->find_first_of("():,=") != std::string::npos) {
        return bad_control_param(std::string(key) + " '" + *v + "' is not a value");
      }
      const std::string prefix = key[0] == 'C' ? "confidence=" : key[0] == 'A' ? "audio=" : "";
      options += (options.empty() ? "" : ", ") + prefix + *v;
    }
    written = "say" + (options.empty() ? std::string() : "(" + options + ")") + ":" + *text;
  }
  auto turn = core::callee::parse_turn(written);
  if (!turn) return bad_control_param(turn.error().message);
  return turn;
}

std::string transcript_json(const core::callee::Conversation& c) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("call_sid", c.call_sid());
  w.member("started", core::format_rfc2822(c.started()));
  w.Key("ended");
  w.Bool(c.ended());
  w.Key("entries");
  w.StartArray();
  for (const auto& e : c.entries()) {
    w.StartObject();
    w.member("speaker", speaker_name(e.speaker));
    w.member("type", e.type);
    w.member("text", e.text);
    w.member_or_null("via", e.via);
    // Offsets from the answer, in the call's simulated time.
    w.member_int("start_ms", (e.start - c.started()).count());
    w.member_int("end_ms", (e.end - c.started()).count());
    if (e.speaker == core::callee::Entry::Speaker::kAgent) {
      w.Key("interrupted");
      w.Bool(e.interrupted);
    } else if (e.type == "speech") {
      w.Key("confidence");
      w.Double(e.confidence);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf;
}

Response transcript(const core::Engine& engine, const std::string& call_sid) {
  const core::callee::Conversation* c = engine.conversation(call_sid);
  if (!c) {
    return control_error(404, "Call " + call_sid +
                                  " has no conversation: its callee has no script and was not "
                                  "driven with say or press");
  }
  Response r = control_json(200, transcript_json(*c));
  r.call_sid = call_sid;
  return r;
}

}  // namespace dialtone::api
