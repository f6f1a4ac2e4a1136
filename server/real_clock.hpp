// The system clock as a core::Clock, optionally sped up for demos: with speed 2, one wall
// second is two virtual seconds. At speed 1 it is exactly the system clock.
// Thread-safety: immutable after construction; now() is safe from any thread.
#pragma once

#include <chrono>

#include "core/time.hpp"

namespace dialtone::server {

class RealClock final : public core::Clock {
 public:
  explicit RealClock(double speed = 1.0)
      : speed_(speed),
        origin_(now_system()),
        origin_steady_(std::chrono::steady_clock::now()) {}

  core::TimePoint now() const override {
    if (speed_ == 1.0) return now_system();
    auto elapsed = std::chrono::steady_clock::now() - origin_steady_;
    auto virtual_elapsed = std::chrono::duration_cast<core::Millis>(
        std::chrono::duration<double, std::milli>(elapsed) * speed_);
    return origin_ + virtual_elapsed;
  }

  // How long to wait on the wall clock until virtual time `t`; zero when it has passed.
  std::chrono::milliseconds wall_delay_until(core::TimePoint t) const {
    auto ahead = t - now();
    if (ahead.count() <= 0) return std::chrono::milliseconds(0);
    // Round up so that the timer never fires just before the engine considers `t` due.
    return std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(ahead.count()) / speed_) + 1);
  }

  double speed() const { return speed_; }

 private:
  static core::TimePoint now_system() {
    return std::chrono::floor<core::Millis>(std::chrono::system_clock::now());
  }

  double speed_;
  core::TimePoint origin_;
  std::chrono::steady_clock::time_point origin_steady_;
};

}  // namespace dialtone::server
