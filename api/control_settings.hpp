// The parameters and answers of the clock and limits routes: POST /_dialtone/clock (Mode,
// Speed), POST /_dialtone/clock/advance (Seconds), POST /_dialtone/limits. The state they
// change lives in server/ (the clock, the request limiter); only the parsing and the JSON are
// here.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/form.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace dialtone::api {

struct ClockView {
  std::string mode;  // "real" | "manual"
  double speed = 1.0;
  core::TimePoint now{};
};
// {"mode", "speed", "now" (RFC 2822), "now_ms", "iso"} (+ "timers_fired" after an advance).
std::string clock_json(const ClockView& clock, std::optional<size_t> timers_fired = {});

struct ClockUpdate {
  std::optional<std::string> mode;
  std::optional<double> speed;
};
inline constexpr double kMinSpeed = 0.001, kMaxSpeed = 1000.0;
core::Result<ClockUpdate> parse_clock_update(const FormFields& params);

// Seconds (decimal, 0 .. one year) -> milliseconds.
inline constexpr double kMaxAdvanceSeconds = 366.0 * 86400.0;
core::Result<int64_t> parse_advance(const FormFields& params);

struct LimitsView {
  int calls_per_second = 0;
  int max_concurrent_api_requests = 0;
};
std::string limits_json(const LimitsView& limits);
// CallsPerSecond, MaxConcurrentApiRequests (0 = off); what is not given keeps `current`.
core::Result<LimitsView> parse_limits(const FormFields& params, const LimitsView& current);

}  // namespace dialtone::api
