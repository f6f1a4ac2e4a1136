// Time as dialtone sees it. core never reads the system clock directly: everything goes through
// a Clock, so tests and the manual mode of the control API move time by hand.
// Thread-safety: Clock implementations are safe to read from any thread; set/advance are
// called by the thread that owns the engine.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace dialtone::core {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Millis>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// Time that moves only when told to. Starts at a fixed, readable instant unless given one.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{Millis{1767225600000}})  // 2026-01-01 00:00Z
      : now_ms_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint{Millis{now_ms_.load()}}; }
  void set(TimePoint t) { now_ms_.store(t.time_since_epoch().count()); }
  void advance(Millis d) { now_ms_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_ms_;
};

// Formats as Twilio does: RFC 2822 in GMT, "Tue, 10 Aug 2010 08:02:17 +0000".
std::string format_rfc2822(TimePoint t);
// The same into `out` (at least kRfc2822Max bytes), without allocating: returns the length.
inline constexpr size_t kRfc2822Max = 48;
size_t format_rfc2822_to(TimePoint t, char* out);
// Parses the date filters Twilio accepts: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (and +00:00),
// "YYYY-MM-DD HH:MM:SS", RFC 2822. Returns false on anything else.
bool parse_date_filter(const std::string& text, TimePoint& out, bool& date_only);

}  // namespace dialtone::core
