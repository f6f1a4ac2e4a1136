// The engine's one clock, switchable at runtime between `real` (the system clock, optionally
// sped up) and `manual` (time moves only when advanced). Virtual time is continuous across a
// switch: it carries on from the instant it showed, so timers already armed stay in order.
// Thread-safety: every member may be called from any thread (one small mutex).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace dialtone::server {

class SwitchableClock final : public core::Clock {
 public:
  enum class Mode { kReal, kManual };

  // Real mode starts at the system time; manual mode at ManualClock's fixed, readable instant
  // (2026-01-01T00:00Z), so that manual-mode runs are reproducible.
  SwitchableClock(Mode mode, double speed);

  core::TimePoint now() const override;

  Mode mode() const;
  double speed() const;
  // Switches mode and/or speed; virtual time carries on from now().
  void set(Mode mode, double speed);
  // Starts afresh, as if just constructed: a new world's clock, set up before anything in the
  // world has read it (a manual one starts at the fixed instant, so runs are reproducible).
  void restart(Mode mode, double speed);
  // Reads `now` from here on, in `mode` at `speed`: an account's snapshot being restored. The
  // only way time goes back: the world's old journal and timers are gone with its old state.
  void restore(Mode mode, double speed, core::TimePoint now);
  // Manual mode: moves time to `t` if it is later than now(). Ignored in real mode.
  void set_manual(core::TimePoint t);

  // Real mode: how long to wait on the wall clock until virtual time `t` (zero when it has
  // passed, rounded up so that a timer never fires just before `t` is due). Manual mode: never.
  std::chrono::milliseconds wall_delay_until(core::TimePoint t) const;
  // Real mode: the steady-clock instant at which virtual time reads (or read) `t`, to the
  // microsecond (what a frame's lateness is measured against). Manual mode: nullopt.
  std::optional<std::chrono::steady_clock::time_point> wall_time_of(core::TimePoint t) const;

  static std::string_view to_string(Mode m) { return m == Mode::kReal ? "real" : "manual"; }

 private:
  core::TimePoint now_locked() const;

  mutable std::mutex mu_;
  Mode mode_;
  double speed_;
  core::TimePoint anchor_;                         // virtual time at anchor_steady_
  std::chrono::steady_clock::time_point anchor_steady_;
};

}  // namespace dialtone::server
