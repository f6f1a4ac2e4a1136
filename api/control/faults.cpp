#include "api/control/faults.hpp"

#include <cmath>
#include <cstdlib>

#include "api/control_request.hpp"
#include "api/errors.hpp"
#include "api/json_writer.hpp"

namespace dialtone::api {

namespace {

using core::faults::FaultField;
using core::faults::FaultRule;

core::TwilioError bad(FaultField field, std::string_view reason) {
  return core::TwilioError{
      400, 0, std::string(core::faults::control_name(field)) + " " + std::string(reason), {}};
}

bool parse_fraction(std::string_view text, double& out) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;  // no sign, exponent or spaces
  }
  const std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isfinite(out);
}

// Fills one field of `rule` from its text; an error names the field.
std::optional<core::TwilioError> set_field(FaultRule& rule, FaultField field,
                                           const std::string& text) {
  auto integer = [&](int& out) -> std::optional<core::TwilioError> {
    if (!parse_integer(text, out)) return bad(field, "must be an integer, not '" + text + "'");
    return std::nullopt;
  };
  auto count = [&](std::optional<uint64_t>& out) -> std::optional<core::TwilioError> {
    uint64_t v = 0;
    if (!parse_integer(text, v)) return bad(field, "must be a whole number, not '" + text + "'");
    out = v;
    return std::nullopt;
  };
  switch (field) {
    case FaultField::kAccountSid:
      rule.account_sid = text;
      break;
    case FaultField::kMethod:
      rule.method = text;
      break;
    case FaultField::kRoute:
      rule.route = text;
      break;
    case FaultField::kKind: {
      auto kind = core::faults::parse_fault_kind(text);
      if (!kind) return bad(field, "'" + text + "' is not status, latency, reset or hang");
      rule.kind = *kind;
      break;
    }
    case FaultField::kStatus:
      return integer(rule.status);
    case FaultField::kCode:
      return integer(rule.code);
    case FaultField::kMessage:
      rule.message = text;
      break;
    case FaultField::kRetryAfter: {
      int v = 0;
      if (auto e = integer(v)) return e;
      rule.retry_after_s = v;
      break;
    }
    case FaultField::kLatencyMs:
      return integer(rule.latency_ms);
    case FaultField::kTimes:
      return count(rule.times);
    case FaultField::kSeed:
      return count(rule.seed);
    case FaultField::kProbability: {
      double p = 0;
      if (!parse_fraction(text, p)) {
        return bad(field, "must be a decimal number, not '" + text + "'");
      }
      rule.probability = p;
      break;
    }
    case FaultField::kApplied:
      if (!parse_bool_param(text, rule.applied)) return bad(field, "must be true or false");
      break;
  }
  return std::nullopt;
}

std::optional<FaultField> field_of(std::string_view name) {
  for (size_t i = 0; i < core::faults::kFaultFieldCount; ++i) {
    const auto field = static_cast<FaultField>(i);
    if (core::faults::control_name(field) == name) return field;
  }
  return std::nullopt;
}

std::string field_list() {
  std::string out;
  for (size_t i = 0; i < core::faults::kFaultFieldCount; ++i) {
    if (!out.empty()) out += ", ";
    out += core::faults::control_name(static_cast<FaultField>(i));
  }
  return out;
}

void member_optional(JsonWriter& w, std::string_view key, const std::optional<uint64_t>& v) {
  w.Key(key);
  if (v) {
    w.Uint64(*v);
  } else {
    w.Null();
  }
}

}  // namespace

core::Result<FaultRule> parse_fault_rule(const FormFields& params,
                                         const std::string& default_account) {
  FaultRule rule;
  rule.account_sid = default_account;
  if (!params.has("Kind")) {
    return bad(FaultField::kKind, "is required: status, latency, reset or hang");
  }
  for (const auto& [name, value] : params.entries()) {
    const auto field = field_of(name);
    if (!field) {
      return core::TwilioError{
          400, 0, "Unknown parameter '" + name + "'; a fault rule has " + field_list(), {}};
    }
  }
  // In the order of FaultField, so that a rule with several problems names the same one first
  // whichever order its parameters came in.
  for (size_t i = 0; i < core::faults::kFaultFieldCount; ++i) {
    const auto field = static_cast<FaultField>(i);
    if (const std::string* text = params.get(core::faults::control_name(field))) {
      if (auto error = set_field(rule, field, *text)) return *error;
    }
  }
  if (rule.account_sid.empty()) rule.account_sid = default_account;
  if (auto p = core::faults::complete(rule)) return bad(p->field, p->reason);
  return rule;
}

std::string fault_rule_json(const core::faults::RuleEntry& e) {
  const FaultRule& r = e.rule;
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("id");
  w.Uint64(e.id);
  w.member("account_sid", r.account_sid);
  w.member("method", r.method.empty() ? "*" : r.method);
  w.member("route", r.route.empty() ? "*" : r.route);
  w.member("kind", core::faults::to_string(r.kind));
  w.member_int("status", r.status);
  w.member_int("code", r.code);
  w.member("message", r.message);
  w.Key("retry_after");
  if (r.retry_after_s) {
    w.Int(*r.retry_after_s);
  } else {
    w.Null();
  }
  w.member_int("latency_ms", r.latency_ms);
  member_optional(w, "times", r.times);
  w.Key("probability");
  if (r.probability) {
    w.Double(*r.probability);
  } else {
    w.Null();
  }
  member_optional(w, "seed", r.seed);
  w.Key("applied");
  w.Bool(r.applied);
  w.member("source", e.source);
  w.Key("matched");
  w.Uint64(e.matched);
  w.Key("injected");
  w.Uint64(e.injected);
  member_optional(
      w, "remaining",
      r.times ? std::optional<uint64_t>(*r.times - std::min(*r.times, e.injected)) : std::nullopt);
  w.EndObject();
  return buf;
}

std::string signature_fault_json(const SignatureFaultView& view) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("account_sid", view.account_sid);
  w.member("fault", core::faults::to_string(view.fault));
  w.EndObject();
  return buf;
}

std::string faults_json(const std::vector<core::faults::RuleEntry>& rules,
                        const std::vector<SignatureFaultView>& signature_faults) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("rules");
  w.StartArray();
  for (const auto& e : rules) {
    w.raw_value([&](std::string& out) { out += fault_rule_json(e); });
  }
  w.EndArray();
  w.Key("signature_faults");
  w.StartArray();
  for (const auto& s : signature_faults) {
    w.raw_value([&](std::string& out) { out += signature_fault_json(s); });
  }
  w.EndArray();
  w.EndObject();
  return buf;
}

core::Result<FaultSelection> parse_fault_selection(const FormFields& params) {
  FaultSelection selection;
  for (const auto& [name, value] : params.entries()) {
    if (name != "Id" && name != "AccountSid") {
      return core::TwilioError{
          400,
          0,
          "Unknown parameter '" + name + "'; DELETE /_dialtone/faults takes Id or AccountSid",
          {}};
    }
  }
  const std::string* id = params.get("Id");
  const std::string* account = params.get("AccountSid");
  if (id && account) return core::TwilioError{400, 0, "Give Id or AccountSid, not both", {}};
  if (id) {
    uint64_t v = 0;
    if (!parse_integer(std::string_view(*id), v)) {
      return core::TwilioError{
          400, 0, "Id must be a rule id (a whole number), not '" + *id + "'", {}};
    }
    selection.id = v;
  }
  if (account) selection.account_sid = *account;
  return selection;
}

core::Result<core::faults::SignatureFault> parse_signature_fault_param(const FormFields& params) {
  const std::string* text = params.get("Fault");
  if (!text) return core::TwilioError{400, 0, "Fault is required: wrong-key or none", {}};
  auto fault = core::faults::parse_signature_fault(*text);
  if (!fault) {
    return core::TwilioError{400, 0, "Fault '" + *text + "' is not wrong-key or none", {}};
  }
  return *fault;
}

Response fault_status_response(const FaultRule& rule, Format format) {
  Response r = render_error(core::TwilioError{rule.status, rule.code, rule.message, {}}, format);
  if (rule.retry_after_s)
    r.headers.emplace_back("Retry-After", std::to_string(*rule.retry_after_s));
  return r;
}

}  // namespace dialtone::api
