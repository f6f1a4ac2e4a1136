#include "api/control_settings.hpp"

#include <cmath>
#include <cstdlib>

#include "api/control_request.hpp"
#include "api/json_writer.hpp"

namespace dialtone::api {

namespace {

bool parse_int(const std::string& text, int min, int max, int& out) {
  int v = 0;
  if (!parse_integer(text, v) || v < min || v > max) return false;
  out = v;
  return true;
}

}  // namespace

std::string clock_json(const ClockView& c, std::optional<size_t> timers_fired) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("mode", c.mode);
  w.Key("speed");
  w.Double(c.speed);
  w.member("now", core::format_rfc2822(c.now));
  w.member_int("now_ms", c.now.time_since_epoch().count());
  w.member("iso", format_iso_ms(c.now));
  if (timers_fired) w.member_int("timers_fired", static_cast<int64_t>(*timers_fired));
  w.EndObject();
  return buf;
}

core::Result<ClockUpdate> parse_clock_update(const FormFields& p) {
  ClockUpdate u;
  if (const std::string* m = p.get("Mode")) {
    if (*m != "real" && *m != "manual") {
      return bad_control_param("Mode must be real or manual, got '" + *m + "'");
    }
    u.mode = *m;
  }
  if (const std::string* s = p.get("Speed")) {
    char* end = nullptr;
    const double v = std::strtod(s->c_str(), &end);
    if (s->empty() || end != s->c_str() + s->size() || !std::isfinite(v) || v < kMinSpeed ||
        v > kMaxSpeed) {
      return bad_control_param("Speed must be a number 0.001..1000, got '" + *s + "'");
    }
    u.speed = v;
  }
  if (!u.mode && !u.speed) return bad_control_param("Give Mode (real | manual) and/or Speed");
  return u;
}

core::Result<int64_t> parse_advance(const FormFields& p) {
  const std::string* s = p.get("Seconds");
  if (!s) return bad_control_param("Seconds is required");
  int64_t ms = 0;
  if (!parse_seconds(*s, kMaxAdvanceSeconds, ms)) {
    return bad_control_param("Seconds must be a decimal number of seconds 0..31622400, got '" + *s +
                             "'");
  }
  return ms;
}

std::string limits_json(const LimitsView& l) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member_int("calls_per_second", l.calls_per_second);
  w.member_int("max_concurrent_api_requests", l.max_concurrent_api_requests);
  w.EndObject();
  return buf;
}

core::Result<LimitsView> parse_limits(const FormFields& p, const LimitsView& current) {
  LimitsView l = current;
  if (const std::string* c = p.get("CallsPerSecond")) {
    if (!parse_int(*c, 0, 1000, l.calls_per_second)) {
      return bad_control_param("CallsPerSecond must be an integer 0..1000, got '" + *c + "'");
    }
  }
  if (const std::string* m = p.get("MaxConcurrentApiRequests")) {
    if (!parse_int(*m, 0, 1 << 20, l.max_concurrent_api_requests)) {
      return bad_control_param("MaxConcurrentApiRequests must be an integer 0..1048576, got '" +
                               *m + "'");
    }
  }
  return l;
}

}  // namespace dialtone::api
