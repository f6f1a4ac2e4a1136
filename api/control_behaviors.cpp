#include "api/control_behaviors.hpp"

#include <array>
#include <regex>

#include "api/control_request.hpp"
#include "api/json_writer.hpp"

namespace dialtone::api {

namespace {

constexpr std::array<std::pair<std::string_view, core::Outcome>, 4> kOutcomes{{
    {"answer", core::Outcome::kAnswer},
    {"busy", core::Outcome::kBusy},
    {"no-answer", core::Outcome::kNoAnswer},
    {"fail", core::Outcome::kFail},
}};

constexpr std::array<std::string_view, 7> kAnsweredBy{
    "human", "machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other",
    "fax",   "unknown"};

std::string_view outcome_name(core::Outcome o) {
  for (const auto& [name, value] : kOutcomes) {
    if (value == o) return name;
  }
  return "answer";
}

bool whole_seconds(const FormFields& p, std::string_view key, int& out, std::string& error) {
  const std::string* v = p.get(key);
  if (!v) return true;
  int64_t ms = 0;
  if (!parse_seconds(*v, 86400, ms) || ms % 1000 != 0) {
    error = std::string(key) + " must be whole seconds 0..86400, got '" + *v + "'";
    return false;
  }
  out = static_cast<int>(ms / 1000);
  return true;
}

void write_behavior(JsonWriter& w, const core::Behavior& b) {
  w.member("outcome", outcome_name(b.outcome));
  w.member_int("answer_after", b.answer_after_s);
  w.member_or_null("answered_by", b.answered_by);
  w.Key("gather");
  w.StartArray();
  for (const auto& g : b.gather_inputs) w.String(g);
  w.EndArray();
  w.Key("hangup_after");
  if (b.hangup_after_s)
    w.Int(*b.hangup_after_s);
  else
    w.Null();
  w.member_int("record_seconds", b.record_seconds);
  w.Key("script");
  w.StartArray();
  if (b.script) {
    for (const auto& t : core::callee::format_script(*b.script)) w.String(t);
  }
  w.EndArray();
}

std::string rule_json(const std::string& number, bool is_default, const core::Behavior& b) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member_or_null("number", number);
  w.Key("default");
  w.Bool(is_default);
  write_behavior(w, b);
  w.EndObject();
  return buf;
}

}  // namespace

core::Result<core::Behavior> parse_behavior(const FormFields& p) {
  core::Behavior b;
  std::string error;
  if (const std::string* o = p.get("Outcome")) {
    bool found = false;
    for (const auto& [name, value] : kOutcomes) {
      if (*o == name) {
        b.outcome = value;
        found = true;
      }
    }
    if (!found)
      return bad_control_param("Outcome must be answer, busy, no-answer or fail, got '" + *o + "'");
  }
  if (!whole_seconds(p, "AnswerAfter", b.answer_after_s, error) ||
      !whole_seconds(p, "RecordSeconds", b.record_seconds, error)) {
    return bad_control_param(error);
  }
  if (p.has("HangupAfter")) {
    int h = 0;
    if (!whole_seconds(p, "HangupAfter", h, error)) return bad_control_param(error);
    b.hangup_after_s = h;
  }
  if (const std::string* a = p.get("AnsweredBy")) {
    bool found = false;
    for (auto name : kAnsweredBy) found = found || *a == name;
    if (!found) {
      return bad_control_param(
          "AnsweredBy must be human, machine_start, machine_end_beep, "
          "machine_end_silence, machine_end_other, fax or unknown, got '" +
          *a + "'");
    }
    b.answered_by = *a;
  }
  for (auto g : p.get_all("Gather")) {
    const bool speech = g.starts_with("speech:");
    if (!speech) {
      for (char c : g) {
        if (!((c >= '0' && c <= '9') || c == '*' || c == '#' || c == 'w')) {
          return bad_control_param("Gather input '" + std::string(g) +
                                   "' is neither digits (0-9, *, #, w) nor speech:TEXT");
        }
      }
    }
    b.gather_inputs.emplace_back(g);
  }
  // Script: the callee's conversation, one turn per value (core/callee/script.hpp).
  std::vector<std::string> turns;
  for (auto t : p.get_all("Script")) turns.emplace_back(t);
  auto script = core::callee::make_script(turns);
  if (!script) return bad_control_param(script.error().message);
  b.script = std::move(*script);
  return b;
}

Response add_behavior(core::BehaviorTable& table, const FormFields& params) {
  bool is_default = false;
  if (const std::string* d = params.get("Default"); d && !parse_bool_param(*d, is_default)) {
    return control_error(400, "Default must be true or false, got '" + *d + "'");
  }
  const std::string* number = params.get("Number");
  if (is_default == (number != nullptr)) {
    return control_error(400,
                         "Give either Number (E.164 or a regex starting with ^) or "
                         "Default=true");
  }
  if (number && (number->size() < 2 || ((*number)[0] != '+' && (*number)[0] != '^'))) {
    return control_error(
        400, "Number '" + *number + "' is neither E.164 (+...) nor a regex (starting with ^)");
  }
  auto behavior = parse_behavior(params);
  if (!behavior) return control_error(behavior.error());
  if (is_default) {
    table.set_default(*behavior);
    return control_json(201, rule_json("", true, *behavior));
  }
  try {
    table.add(*number, *behavior);
  } catch (const std::regex_error& e) {
    return control_error(400, "Number '" + *number + "' is not a valid regex: " + e.what());
  }
  return control_json(201, rule_json(*number, false, *behavior));
}

Response list_behaviors(const core::BehaviorTable& table) {
  std::string body =
      "{\"default\": " + rule_json("", true, table.default_behavior()) + ", \"behaviors\": [";
  bool first = true;
  for (const auto& rule : table.rules()) {
    if (!first) body += ", ";
    first = false;
    body += rule_json(rule.pattern, false, rule.behavior);
  }
  body += "]}";
  return control_json(200, std::move(body));
}

Response clear_behaviors(core::BehaviorTable& table, int ring_seconds) {
  table.clear();
  core::Behavior b;
  b.answer_after_s = ring_seconds;
  table.set_default(b);
  return list_behaviors(table);
}

}  // namespace dialtone::api
