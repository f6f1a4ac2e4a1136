#include "api/params.hpp"

#include <optional>

#include "api/twilio/recordings.hpp"
#include "core/call_status.hpp"
#include "core/endpoint.hpp"
#include "core/sid.hpp"
#include "core/time.hpp"

namespace dialtone::api {

namespace {

using core::TwilioError;
using core::bad_request;

// Twilio treats an empty value like an absent one (To= is "No 'To' number is specified").
const std::string* given(const FormFields& form, std::string_view key) {
  const std::string* v = form.get(key);
  return v && !v->empty() ? v : nullptr;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool valid_ipv4(std::string_view h) {
  int parts = 0;
  size_t pos = 0;
  while (pos <= h.size()) {
    size_t dot = h.find('.', pos);
    if (dot == std::string_view::npos) dot = h.size();
    const std::string_view p = h.substr(pos, dot - pos);
    if (p.empty() || p.size() > 3) return false;
    for (char c : p) {
      if (!is_digit(c)) return false;
    }
    if (*parse_int(p) > 255) return false;
    ++parts;
    pos = dot + 1;
  }
  return parts == 4;
}

bool valid_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  if (h.back() == '.') h.remove_suffix(1);  // a fully qualified name may end in a dot
  bool all_numeric = true;
  size_t pos = 0;
  while (pos <= h.size()) {
    size_t dot = h.find('.', pos);
    if (dot == std::string_view::npos) dot = h.size();
    const std::string_view label = h.substr(pos, dot - pos);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const bool alnum = is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z');
      if (!alnum && c != '-') return false;
      if (!is_digit(c)) all_numeric = false;
    }
    pos = dot + 1;
  }
  // "1.2.3.999" is neither a name nor an address.
  return !all_numeric || valid_ipv4(h);
}

bool valid_ipv6_literal(std::string_view h) {
  if (h.size() < 2) return false;
  for (char c : h) {
    const bool hex = is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
    if (!hex && c != ':' && c != '.') return false;
  }
  return h.find(':') != std::string_view::npos;
}

std::optional<TwilioError> check_twiml(const std::string& twiml) {
  const size_t n = utf8_length(twiml);
  if (n <= kMaxTwimlChars) return std::nullopt;
  return bad_request(21205, "Twiml is too long: " + std::to_string(n) +
                                " characters, the maximum is " +
                                std::to_string(kMaxTwimlChars));
}

core::Result<std::optional<int64_t>> parse_time_limit(const FormFields& form) {
  const std::string* v = given(form, "TimeLimit");
  if (!v) return std::optional<int64_t>{};
  const auto n = parse_int(*v);
  if (!n || *n < 1) {
    return bad_request(20001, "Invalid TimeLimit: '" + *v + "' is not a positive integer");
  }
  return std::optional<int64_t>{*n};
}

// Repeated keys (what the SDKs send) and, leniently, one value split on spaces or commas.
core::Result<uint8_t> parse_callback_events(const FormFields& form) {
  const auto values = form.get_all("StatusCallbackEvent");
  uint8_t events = 0;
  bool any = false;
  for (std::string_view value : values) {
    size_t pos = 0;
    while (pos < value.size()) {
      const size_t end = value.find_first_of(" ,", pos);
      const std::string_view token =
          value.substr(pos, end == std::string_view::npos ? value.npos : end - pos);
      pos = end == std::string_view::npos ? value.size() : end + 1;
      if (token.empty()) continue;
      any = true;
      if (token == "initiated") {
        events |= core::kEventInitiated;
      } else if (token == "ringing") {
        events |= core::kEventRinging;
      } else if (token == "answered") {
        events |= core::kEventAnswered;
      } else if (token == "completed") {
        events |= core::kEventCompleted;
      } else {
        return bad_request(21626, "Invalid 'StatusCallbackEvent': " + std::string(token));
      }
    }
  }
  return any ? events : static_cast<uint8_t>(core::kEventCompleted);
}

}  // namespace

core::Result<core::HttpMethod> parse_method(const FormFields& form, std::string_view key) {
  const std::string* v = given(form, key);
  if (!v || iequals(*v, "POST")) return core::HttpMethod::kPost;
  if (iequals(*v, "GET")) return core::HttpMethod::kGet;
  return bad_request(21209, "Invalid Method: " + std::string(key) +
                                " must be GET or POST, not '" + *v + "'");
}

std::optional<TwilioError> check_url(const std::string& url, std::string_view key) {
  if (is_valid_webhook_url(url)) return std::nullopt;
  if (key == "StatusCallback") {
    return bad_request(21609, "Invalid 'StatusCallback': not a valid URL: " + url);
  }
  return bad_request(21205, std::string(key) + " is not a valid URL: " + url);
}

bool is_valid_webhook_url(std::string_view url) {
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
  }
  size_t scheme_len = 0;
  if (url.size() > 7 && iequals(url.substr(0, 7), "http://")) {
    scheme_len = 7;
  } else if (url.size() > 8 && iequals(url.substr(0, 8), "https://")) {
    scheme_len = 8;
  } else {
    return false;
  }
  std::string_view rest = url.substr(scheme_len);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);

  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
    if (!valid_ipv6_literal(host)) return false;
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (!valid_hostname(host)) return false;
  }
  if (!port.empty()) {
    for (char c : port) {
      if (!is_digit(c)) return false;
    }
    const auto p = parse_int(port);
    if (!p || *p < 1 || *p > 65535) return false;
  }
  return true;
}

core::Result<core::CreateCall> parse_create(const FormFields& form, std::string_view account_sid,
                                            bool instructions) {
  core::CreateCall cc;
  cc.account_sid = std::string(account_sid);

  const std::string* to = given(form, "To");
  if (!to) return bad_request(21201, "No 'To' number is specified");
  const std::string* from = given(form, "From");
  if (!from) return bad_request(21213, "No 'From' number is specified");
  const auto to_ep = core::parse_endpoint(*to);
  if (!to_ep) {
    return bad_request(21211, "The 'To' number " + *to + " is not a valid phone number.");
  }
  const auto from_ep = core::parse_endpoint(*from);
  // A phone call needs a phone caller ID: client:/sip: From with a phone To is 21212.
  if (!from_ep ||
      (to_ep->kind == core::EndpointKind::kPhone && from_ep->kind != core::EndpointKind::kPhone)) {
    return bad_request(21212, "From is not a valid phone number: " + *from);
  }
  cc.to = to_ep->value;
  cc.to_formatted = to_ep->formatted;
  cc.from = from_ep->value;
  cc.from_formatted = from_ep->formatted;

  // The instruction source: Url wins over Twiml (spec text), and both over ApplicationSid.
  const std::string* url = instructions ? given(form, "Url") : nullptr;
  const std::string* twiml = instructions ? given(form, "Twiml") : nullptr;
  const std::string* app = instructions ? given(form, "ApplicationSid") : nullptr;
  if (app && !core::is_sid(*app, "AP")) return bad_request(21218, "Invalid ApplicationSid");
  const bool uses_application = !url && !twiml && app;
  if (url) {
    if (auto e = check_url(*url, "Url")) return *e;
    cc.url.url = *url;
  } else if (twiml) {
    if (auto e = check_twiml(*twiml)) return *e;
    cc.twiml = *twiml;
  } else if (app) {
    cc.application_sid = *app;
  } else if (instructions) {
    return bad_request(
        21205,
        "Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml");
  }

  // With an ApplicationSid these are ignored: the Application's settings apply (spec).
  if (!uses_application) {
    auto method = parse_method(form, "Method");
    if (!method) return method.error();
    cc.url.method = *method;
    if (const std::string* v = given(form, "FallbackUrl")) {
      if (auto e = check_url(*v, "FallbackUrl")) return *e;
      cc.fallback.url = *v;
    }
    auto fallback_method = parse_method(form, "FallbackMethod");
    if (!fallback_method) return fallback_method.error();
    cc.fallback.method = *fallback_method;
    if (const std::string* v = given(form, "StatusCallback")) {
      if (auto e = check_url(*v, "StatusCallback")) return *e;
      cc.status_callback.url = *v;
    }
    auto callback_method = parse_method(form, "StatusCallbackMethod");
    if (!callback_method) return callback_method.error();
    cc.status_callback.method = *callback_method;
    auto events = parse_callback_events(form);
    if (!events) return events.error();
    cc.status_callback_events = *events;
  }

  if (const std::string* v = given(form, "Timeout")) {
    const auto n = parse_int(*v);
    // Twilio documents 1..600 seconds; outside that range is error 21208, as the issue and
    // Twilio's error page for 21208 ("Invalid timeout") describe.
    if (!n || *n < 1 || *n > kMaxTimeoutS) {
      return bad_request(21208, "Invalid Timeout: " + *v + " (must be 1 to 600 seconds)");
    }
    cc.timeout_s = static_cast<int>(*n);
  }
  auto time_limit = parse_time_limit(form);
  if (!time_limit) return time_limit.error();
  cc.time_limit_s = *time_limit;

  if (const std::string* v = given(form, "Record")) {
    if (iequals(*v, "true")) {
      cc.record = true;
    } else if (!iequals(*v, "false")) {
      return bad_request(20001, "Invalid Record: '" + *v + "' is not true or false");
    }
  }
  // Read whether or not Record is true (Twilio checks them alike); Trim: trim-silence here.
  auto recording = parse_recording_options(form, true);
  if (!recording) return recording.error();
  cc.recording = std::move(*recording);
  if (const std::string* v = given(form, "SendDigits")) {
    bool ok = v->size() <= 32;
    for (char c : *v) {
      const char l = lower(c);
      if (!is_digit(c) && !(l >= 'a' && l <= 'd') && c != '#' && c != '*' && l != 'w') {
        ok = false;
      }
    }
    if (!ok) {
      return bad_request(20001, "Invalid SendDigits: '" + *v +
                                    "' (up to 32 of 0-9, A-D, #, *, w, W)");
    }
    cc.send_digits = *v;
  }
  if (const std::string* v = given(form, "MachineDetection")) {
    if (iequals(*v, "Enable")) {
      cc.machine_detection = "Enable";
    } else if (iequals(*v, "DetectMessageEnd")) {
      cc.machine_detection = "DetectMessageEnd";
    } else {
      return bad_request(20001, "Invalid MachineDetection: '" + *v +
                                    "' (Enable or DetectMessageEnd)");
    }
    // Spec: "If `SendDigits` is provided, this parameter is ignored."
    if (!cc.send_digits.empty()) cc.machine_detection.clear();
  }
  if (const std::string* v = given(form, "CallerId")) cc.caller_id = *v;
  return cc;
}

core::Result<core::UpdateCall> parse_update(const FormFields& form) {
  core::UpdateCall uc;
  const std::string* url = given(form, "Url");
  const std::string* twiml = given(form, "Twiml");
  if (url && twiml) {
    return bad_request(20001, "Twiml and Url parameters are mutually exclusive");
  }
  if (url) {
    if (auto e = check_url(*url, "Url")) return *e;
    auto method = parse_method(form, "Method");
    if (!method) return method.error();
    uc.url = core::Webhook{*url, *method};
  } else if (given(form, "Method")) {
    // Method without Url changes nothing, but a bad value is still an error.
    auto method = parse_method(form, "Method");
    if (!method) return method.error();
  }
  if (twiml) {
    if (auto e = check_twiml(*twiml)) return *e;
    uc.twiml = *twiml;
  }
  if (const std::string* v = given(form, "Status")) {
    const auto status = core::status_from_wire(*v);
    if (!status || (*status != core::CallStatus::kCanceled &&
                    *status != core::CallStatus::kCompleted)) {
      return bad_request(20001, "Invalid Status: '" + *v + "' (must be canceled or completed)");
    }
    uc.status = *status;
  }
  auto fallback_method = parse_method(form, "FallbackMethod");
  if (!fallback_method) return fallback_method.error();
  if (const std::string* v = given(form, "FallbackUrl")) {
    if (auto e = check_url(*v, "FallbackUrl")) return *e;
    uc.fallback = core::Webhook{*v, *fallback_method};
  }
  auto callback_method = parse_method(form, "StatusCallbackMethod");
  if (!callback_method) return callback_method.error();
  if (const std::string* v = given(form, "StatusCallback")) {
    if (auto e = check_url(*v, "StatusCallback")) return *e;
    uc.status_callback = core::Webhook{*v, *callback_method};
  }
  auto time_limit = parse_time_limit(form);
  if (!time_limit) return time_limit.error();
  uc.time_limit_s = *time_limit;
  return uc;
}

// StartTime=day is that UTC day; StartTime>=t on or after; StartTime<=t before.
std::optional<TwilioError> date_filter(const FormFields& q, std::string_view name,
                                       std::optional<core::TimePoint>& from,
                                       std::optional<core::TimePoint>& before) {
  const std::string base(name);
  const std::string* on = given(q, base);
  const std::string* gt = given(q, base + ">");
  const std::string* lt = given(q, base + "<");
  core::TimePoint t{};
  bool date_only = false;
  auto bad = [&](const std::string& key, const std::string& v) {
    return bad_request(20001, "Invalid " + key + ": '" + v +
                                  "' (use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)");
  };
  if (on) {
    if (!core::parse_date_filter(*on, t, date_only)) return bad(base, *on);
    from = t;
    // A bare date is the whole UTC day; a full timestamp matches that instant's second.
    before = t + (date_only ? core::Millis{86'400'000} : core::Millis{1000});
  }
  if (gt) {
    if (!core::parse_date_filter(*gt, t, date_only)) return bad(base + ">", *gt);
    if (!from || t > *from) from = t;
  }
  if (lt) {
    if (!core::parse_date_filter(*lt, t, date_only)) return bad(base + "<", *lt);
    if (!before || t < *before) before = t;
  }
  return std::nullopt;
}

namespace {

std::string normalise_endpoint(const std::string& text) {
  const auto ep = core::parse_endpoint(text);
  return ep ? ep->value : text;
}

}  // namespace

core::Result<core::CallFilter> parse_call_filter(const FormFields& query) {
  core::CallFilter f;
  if (const std::string* v = given(query, "To")) f.to = normalise_endpoint(*v);
  if (const std::string* v = given(query, "From")) f.from = normalise_endpoint(*v);
  if (const std::string* v = given(query, "ParentCallSid")) {
    if (!core::is_sid(*v, "CA")) return bad_request(20001, "Invalid ParentCallSid: " + *v);
    f.parent_call_sid = *v;
  }
  if (const std::string* v = given(query, "Status")) {
    const auto status = core::status_from_wire(*v);
    if (!status) return bad_request(20001, "Invalid Status: " + *v);
    f.status = *status;
  }
  if (auto e = date_filter(query, "StartTime", f.start_from, f.start_before)) return *e;
  if (auto e = date_filter(query, "EndTime", f.end_from, f.end_before)) return *e;
  return f;
}

}  // namespace dialtone::api
