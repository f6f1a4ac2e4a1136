#include "server/switchable_clock.hpp"

namespace dialtone::server {

namespace {

core::TimePoint system_now() {
  return std::chrono::floor<core::Millis>(std::chrono::system_clock::now());
}

using SteadyTicks = std::chrono::steady_clock::duration;

}  // namespace

SwitchableClock::SwitchableClock(Mode mode, double speed) {
  std::lock_guard lock(write_mu_);
  store_locked({mode, speed > 0 ? speed : 1.0,
                mode == Mode::kManual ? core::ManualClock().now() : system_now(),
                std::chrono::steady_clock::now()});
}

core::TimePoint SwitchableClock::State::now() const {
  if (mode == Mode::kManual) return anchor;
  auto elapsed = std::chrono::steady_clock::now() - anchor_steady;
  return anchor + std::chrono::duration_cast<core::Millis>(
                      std::chrono::duration<double, std::milli>(elapsed) * speed);
}

// Without fences (tsan does not model them): the state's loads are acquires and its stores
// releases, free on x86. A reader whose load saw a writer's store is then ordered after the
// writer's odd sequence number, so its second read of the number differs and it retries; the
// acquires also keep that second read after the state's loads.
SwitchableClock::State SwitchableClock::load() const {
  constexpr auto acq = std::memory_order_acquire;
  for (;;) {
    const uint64_t before = seq_.load(acq);
    State s{mode_.load(acq), speed_.load(acq),
            core::TimePoint{core::Millis{anchor_ms_.load(acq)}},
            std::chrono::steady_clock::time_point{SteadyTicks{anchor_steady_ticks_.load(acq)}}};
    if ((before & 1) == 0 && seq_.load(std::memory_order_relaxed) == before) return s;
  }
}

void SwitchableClock::store_locked(const State& s) {
  constexpr auto rel = std::memory_order_release;
  const uint64_t seq = seq_.load(std::memory_order_relaxed);
  seq_.store(seq + 1, std::memory_order_relaxed);
  mode_.store(s.mode, rel);
  speed_.store(s.speed, rel);
  anchor_ms_.store(s.anchor.time_since_epoch().count(), rel);
  anchor_steady_ticks_.store(s.anchor_steady.time_since_epoch().count(), rel);
  seq_.store(seq + 2, rel);
}

core::TimePoint SwitchableClock::now() const { return load().now(); }

SwitchableClock::Mode SwitchableClock::mode() const { return load().mode; }

double SwitchableClock::speed() const { return load().speed; }

template <class Change>
void SwitchableClock::update(Change change) {
  std::lock_guard lock(write_mu_);
  State s = load();
  if (change(s)) store_locked(s);
}

void SwitchableClock::start_at(Mode mode, double speed, core::TimePoint anchor) {
  update([&](State& s) {
    s.mode = mode;
    if (speed > 0) s.speed = speed;
    s.anchor = anchor;
    s.anchor_steady = std::chrono::steady_clock::now();
    return true;
  });
}

void SwitchableClock::set(Mode mode, double speed) {
  update([&](State& s) {
    s.anchor = s.now();  // virtual time carries on from what it showed
    s.anchor_steady = std::chrono::steady_clock::now();
    s.mode = mode;
    if (speed > 0) s.speed = speed;
    return true;
  });
}

void SwitchableClock::restart(Mode mode, double speed) {
  start_at(mode, speed, mode == Mode::kManual ? core::ManualClock().now() : system_now());
}

void SwitchableClock::restore(Mode mode, double speed, core::TimePoint now) {
  start_at(mode, speed, now);
}

void SwitchableClock::set_manual(core::TimePoint t) {
  update([&](State& s) {
    if (s.mode != Mode::kManual || t <= s.anchor) return false;
    s.anchor = t;
    return true;
  });
}

std::optional<std::chrono::steady_clock::time_point> SwitchableClock::wall_time_of(
    core::TimePoint t) const {
  const State s = load();
  if (s.mode == Mode::kManual) return std::nullopt;
  const std::chrono::duration<double, std::micro> virtual_since = t - s.anchor;
  return s.anchor_steady + std::chrono::duration_cast<SteadyTicks>(virtual_since / s.speed);
}

std::chrono::milliseconds SwitchableClock::wall_delay_until(core::TimePoint t) const {
  const State s = load();
  if (s.mode == Mode::kManual) return std::chrono::milliseconds::max();
  auto ahead = t - s.now();
  if (ahead.count() <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(ahead.count()) / s.speed) + 1);
}

}  // namespace dialtone::server
