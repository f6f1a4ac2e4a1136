// The engine's one clock, switchable at runtime between `real` (the system clock, optionally
// sped up) and `manual` (time moves only when advanced). Virtual time is continuous across a
// switch: it carries on from the instant it showed, so timers already armed stay in order.
// Thread-safety: every member may be called from any thread. Reads take no lock: every
// request reads the clock several times, and a mutex there cost ~1.5% of a fetch's CPU
// (fifteenth session). The state is a seqlock: writers (a mode switch, an advance) hold a
// mutex and bump a sequence number around their change; a reader copies the state and tries
// again if the number moved meanwhile.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
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
  struct State {
    Mode mode;
    double speed;
    core::TimePoint anchor;                         // virtual time at anchor_steady
    std::chrono::steady_clock::time_point anchor_steady;
    core::TimePoint now() const;
  };
  // A consistent copy of the state, without the mutex.
  State load() const;
  // With write_mu_ held: publishes `s` (readers retry while it is being written).
  void store_locked(const State& s);
  // Under write_mu_: `change` edits a copy of the state, published when it returns true.
  template <class Change>
  void update(Change change);
  // Mode and speed (kept if speed <= 0) set, virtual time read `anchor` as of now.
  void start_at(Mode mode, double speed, core::TimePoint anchor);

  std::mutex write_mu_;  // one writer at a time
  std::atomic<uint64_t> seq_{0};  // odd while a writer is changing the state
  // The state, as atomics so that a reader racing a writer reads no torn value (it retries).
  std::atomic<Mode> mode_;
  std::atomic<double> speed_;
  std::atomic<int64_t> anchor_ms_;
  std::atomic<int64_t> anchor_steady_ticks_;
};

}  // namespace dialtone::server
