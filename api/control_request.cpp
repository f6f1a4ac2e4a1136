#include "api/control_request.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "api/errors.hpp"
#include "api/json_writer.hpp"
#include "api/route.hpp"

namespace dialtone::api {

namespace {

struct FixedRoute {
  std::string_view path;
  ControlKind kind;
};

constexpr std::array<FixedRoute, 14> kFixed{{
    {"health", ControlKind::kHealth},
    {"metrics", ControlKind::kMetrics},
    {"clock", ControlKind::kClock},
    {"clock/advance", ControlKind::kClockAdvance},
    {"behaviors", ControlKind::kBehaviors},
    {"numbers", ControlKind::kNumbers},
    {"calls", ControlKind::kCalls},
    {"events", ControlKind::kEvents},
    {"reset", ControlKind::kReset},
    {"accounts", ControlKind::kAccounts},
    {"limits", ControlKind::kLimits},
    {"stream", ControlKind::kStream},
    {"faults", ControlKind::kFaults},
    {"audio", ControlKind::kAudio},
}};

constexpr std::array<FixedRoute, 4> kAccountActions{{
    {"secondary-token", ControlKind::kAccountSecondaryToken},
    {"promote", ControlKind::kAccountPromote},
    {"signature", ControlKind::kAccountSignature},
    {"snapshot", ControlKind::kAccountSnapshot},
}};

constexpr std::array<std::string_view, 9> kActions{"answer", "busy",   "no-answer",
                                                   "fail",   "hangup", "digits",
                                                   "speech", "say",    "press"};

bool is_json_content_type(std::string_view ct) {
  constexpr std::string_view kJson = "application/json";
  if (ct.size() < kJson.size()) return false;
  for (size_t i = 0; i < kJson.size(); ++i) {
    char c = ct[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kJson[i]) return false;
  }
  return ct.size() == kJson.size() || ct[kJson.size()] == ';' || ct[kJson.size()] == ' ';
}

bool scalar_text(const rapidjson::Value& v, std::string& out) {
  if (v.IsString()) {
    out.assign(v.GetString(), v.GetStringLength());
  } else if (v.IsBool()) {
    out = v.GetBool() ? "true" : "false";
  } else if (v.IsInt64()) {
    out = std::to_string(v.GetInt64());
  } else if (v.IsUint64()) {
    out = std::to_string(v.GetUint64());
  } else if (v.IsNumber()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v.GetDouble());
    out = buf;
  } else {
    return false;
  }
  return true;
}

core::Result<FormFields> json_params(std::string_view body, FormFields fields) {
  rapidjson::Document doc;
  // Iterative: RapidJSON's default parser recurses once per level, and a body of nothing but
  // '[' (1 MiB of them) overflowed the stack and took the process down.
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return core::TwilioError{400, 0,
                             "Invalid JSON body at offset " +
                                 std::to_string(doc.GetErrorOffset()) + ": " +
                                 rapidjson::GetParseError_En(doc.GetParseError()),
                             {}};
  }
  if (!doc.IsObject()) return core::TwilioError{400, 0, "The JSON body must be an object", {}};
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    std::string key(m->name.GetString(), m->name.GetStringLength());
    std::string text;
    if (m->value.IsNull()) continue;
    if (m->value.IsArray()) {
      for (const auto& item : m->value.GetArray()) {
        if (!scalar_text(item, text)) {
          return core::TwilioError{400, 0, "Invalid JSON body: " + key + " must hold scalars",
                                   {}};
        }
        fields.add(key, text);
      }
      continue;
    }
    if (!scalar_text(m->value, text)) {
      return core::TwilioError{400, 0, "Invalid JSON body: " + key + " must not be an object",
                               {}};
    }
    fields.add(std::move(key), std::move(text));
  }
  return fields;
}

}  // namespace

std::optional<ControlRoute> match_control(std::string_view path) {
  if (!path.starts_with(kControlPrefix)) return std::nullopt;
  std::string_view rest = path.substr(kControlPrefix.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  for (const auto& f : kFixed) {
    if (rest == f.path) return ControlRoute{f.kind, {}, {}, {}};
  }
  if (rest.empty()) return ControlRoute{ControlKind::kConsole, {}, {}, "index.html"};
  if (rest.starts_with("console/") && rest.size() > 8) {
    return ControlRoute{ControlKind::kConsole, {}, {}, std::string(rest.substr(8))};
  }
  if (rest.starts_with("accounts/")) {
    // /accounts/{AccountSid} and
    // /accounts/{AccountSid}/{secondary-token|promote|signature|snapshot}
    rest.remove_prefix(9);
    const size_t slash = rest.find('/');
    if (slash == 0 || rest.empty()) return std::nullopt;
    const std::string sid(rest.substr(0, slash));
    if (slash == std::string_view::npos) return ControlRoute{ControlKind::kAccount, {}, sid, {}};
    const std::string_view action = rest.substr(slash + 1);
    for (const auto& a : kAccountActions) {
      if (action == a.path) return ControlRoute{a.kind, {}, sid, {}};
    }
    return std::nullopt;
  }
  if (rest.starts_with("streams/") && rest.ends_with("/heard")) {
    const std::string_view sid = rest.substr(8, rest.size() - 8 - 6);
    if (sid.empty() || sid.find('/') != std::string_view::npos) return std::nullopt;
    return ControlRoute{ControlKind::kStreamHeard, {}, {}, std::string(sid)};
  }
  if (rest.starts_with("audio/")) {
    const std::string_view name = rest.substr(6);
    if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
    return ControlRoute{ControlKind::kAudioClip, {}, {}, std::string(name)};
  }
  if (!rest.starts_with("calls/")) return std::nullopt;
  rest.remove_prefix(6);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view sid = rest.substr(0, slash);
  std::string_view action = rest.substr(slash + 1);
  if (sid.empty() || sid.find('/') != std::string_view::npos) return std::nullopt;
  if (action == "events") {
    return ControlRoute{ControlKind::kCallEvents, std::string(sid), {}, {}};
  }
  if (action == "transcript") {
    return ControlRoute{ControlKind::kCallTranscript, std::string(sid), {}, {}};
  }
  for (auto a : kActions) {
    if (action == a) {
      return ControlRoute{ControlKind::kCallAction, std::string(sid), {}, std::string(a)};
    }
  }
  return std::nullopt;
}

std::string_view control_allowed_methods(ControlKind kind) {
  switch (kind) {
    case ControlKind::kHealth:
    case ControlKind::kMetrics:
    case ControlKind::kEvents:
    case ControlKind::kCallEvents:
    case ControlKind::kCallTranscript:
    case ControlKind::kConsole:
    case ControlKind::kStream:
    case ControlKind::kStreamHeard:
    case ControlKind::kAudio:
      return "GET";
    case ControlKind::kAudioClip:
      return "GET, PUT, POST, DELETE";
    case ControlKind::kClockAdvance:
    case ControlKind::kCalls:
    case ControlKind::kCallAction:
    case ControlKind::kReset:
    case ControlKind::kAccountPromote:
      return "POST";
    case ControlKind::kBehaviors:
    case ControlKind::kFaults:
      return "GET, POST, DELETE";
    case ControlKind::kAccount:
      return "GET, DELETE";
    case ControlKind::kAccountSecondaryToken:
      return "POST, DELETE";
    case ControlKind::kAccountSignature:
    case ControlKind::kAccountSnapshot:
    case ControlKind::kClock:
    case ControlKind::kNumbers:
    case ControlKind::kAccounts:
    case ControlKind::kLimits:
      return "GET, POST";
  }
  return "GET";
}

bool control_method_allowed(ControlKind kind, std::string_view method) {
  std::string_view allowed = control_allowed_methods(kind);
  if (method == "HEAD") method = "GET";
  size_t pos = 0;
  while (pos < allowed.size()) {
    size_t end = allowed.find(", ", pos);
    if (end == std::string_view::npos) end = allowed.size();
    if (allowed.substr(pos, end - pos) == method) return true;
    pos = end + 2;
  }
  return false;
}

core::Result<FormFields> control_params(const Request& req) {
  const Target target = split_target(req.target);
  std::string reason;
  auto query = decode_form(target.query, &reason);
  if (!query) return core::TwilioError{400, 0, "Invalid query string: " + reason, {}};
  if (req.body.empty()) return std::move(*query);
  if (is_json_content_type(req.content_type)) return json_params(req.body, std::move(*query));
  auto body = decode_form(req.body, &reason);
  if (!body) return core::TwilioError{400, 0, "Invalid form body: " + reason, {}};
  for (const auto& [k, v] : body->entries()) query->add(k, v);
  return std::move(*query);
}

Response control_json(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::string(kJsonContentType);
  r.body = std::move(body);
  return r;
}

Response control_error(int status, std::string message, int code) {
  return control_error(core::TwilioError{status, code, std::move(message), {}});
}

Response control_error(const core::TwilioError& error) {
  return control_json(error.http_status, error_json(error));
}

Response control_not_found(std::string_view path) {
  return control_error(404, "No control route " + std::string(path));
}

Response control_method_not_allowed(ControlKind kind) {
  Response r = control_error(405, "Method not allowed; use " +
                                      std::string(control_allowed_methods(kind)));
  r.headers.emplace_back("Allow", std::string(control_allowed_methods(kind)));
  return r;
}

std::string format_iso_ms(core::TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<core::Millis> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()),
                static_cast<long>(hms.subseconds().count()));
  return buf;
}

bool parse_bool_param(std::string_view text, bool& out) {
  if (text == "true" || text == "True" || text == "1") {
    out = true;
    return true;
  }
  if (text == "false" || text == "False" || text == "0") {
    out = false;
    return true;
  }
  return false;
}

bool parse_seconds(std::string_view text, double max_s, int64_t& out_ms) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;  // no sign, exponent or spaces
  }
  std::string copy(text);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v) || v < 0 || v > max_s) return false;
  out_ms = static_cast<int64_t>(std::llround(v * 1000.0));
  return true;
}

}  // namespace dialtone::api
