#include "server/switchable_clock.hpp"

namespace dialtone::server {

namespace {

core::TimePoint system_now() {
  return std::chrono::floor<core::Millis>(std::chrono::system_clock::now());
}

}  // namespace

SwitchableClock::SwitchableClock(Mode mode, double speed)
    : mode_(mode),
      speed_(speed > 0 ? speed : 1.0),
      anchor_(mode == Mode::kManual ? core::ManualClock().now() : system_now()),
      anchor_steady_(std::chrono::steady_clock::now()) {}

core::TimePoint SwitchableClock::now_locked() const {
  if (mode_ == Mode::kManual) return anchor_;
  auto elapsed = std::chrono::steady_clock::now() - anchor_steady_;
  return anchor_ + std::chrono::duration_cast<core::Millis>(
                       std::chrono::duration<double, std::milli>(elapsed) * speed_);
}

core::TimePoint SwitchableClock::now() const {
  std::lock_guard lock(mu_);
  return now_locked();
}

SwitchableClock::Mode SwitchableClock::mode() const {
  std::lock_guard lock(mu_);
  return mode_;
}

double SwitchableClock::speed() const {
  std::lock_guard lock(mu_);
  return speed_;
}

void SwitchableClock::set(Mode mode, double speed) {
  std::lock_guard lock(mu_);
  anchor_ = now_locked();
  anchor_steady_ = std::chrono::steady_clock::now();
  mode_ = mode;
  if (speed > 0) speed_ = speed;
}

void SwitchableClock::restart(Mode mode, double speed) {
  std::lock_guard lock(mu_);
  mode_ = mode;
  if (speed > 0) speed_ = speed;
  anchor_ = mode == Mode::kManual ? core::ManualClock().now() : system_now();
  anchor_steady_ = std::chrono::steady_clock::now();
}

void SwitchableClock::restore(Mode mode, double speed, core::TimePoint now) {
  std::lock_guard lock(mu_);
  mode_ = mode;
  if (speed > 0) speed_ = speed;
  anchor_ = now;
  anchor_steady_ = std::chrono::steady_clock::now();
}

void SwitchableClock::set_manual(core::TimePoint t) {
  std::lock_guard lock(mu_);
  if (mode_ == Mode::kManual && t > anchor_) anchor_ = t;
}

std::optional<std::chrono::steady_clock::time_point> SwitchableClock::wall_time_of(
    core::TimePoint t) const {
  std::lock_guard lock(mu_);
  if (mode_ == Mode::kManual) return std::nullopt;
  const std::chrono::duration<double, std::micro> virtual_since = t - anchor_;
  return anchor_steady_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              virtual_since / speed_);
}

std::chrono::milliseconds SwitchableClock::wall_delay_until(core::TimePoint t) const {
  std::lock_guard lock(mu_);
  if (mode_ == Mode::kManual) return std::chrono::milliseconds::max();
  auto ahead = t - now_locked();
  if (ahead.count() <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(ahead.count()) / speed_) + 1);
}

}  // namespace dialtone::server
