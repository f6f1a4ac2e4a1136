// A Prometheus histogram of durations with fixed bucket bounds: counts are atomics, so any
// thread observes without a lock; render() writes the `_bucket`, `_sum` and `_count` lines.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string_view>

namespace dialtone::server {

template <size_t N>
class DurationHistogram {
 public:
  // Upper bounds, ascending, in microseconds; a last bucket (+Inf) takes the rest.
  explicit constexpr DurationHistogram(std::array<int64_t, N> bounds_us) : bounds_(bounds_us) {}

  void observe(std::chrono::microseconds d) {
    const int64_t us = d.count() < 0 ? 0 : d.count();
    size_t bucket = N;
    for (size_t i = 0; i < N; ++i) {
      if (us <= bounds_[i]) {
        bucket = i;
        break;
      }
    }
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
  }

  void render(std::ostream& out, std::string_view name, std::string_view help) const {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < N; ++i) {
      cumulative += counts_[i].load(std::memory_order_relaxed);
      out << name << "_bucket{le=\"" << static_cast<double>(bounds_[i]) / 1e6 << "\"} "
          << cumulative << "\n";
    }
    cumulative += counts_[N].load(std::memory_order_relaxed);
    out << name << "_bucket{le=\"+Inf\"} " << cumulative << "\n"
        << name << "_sum " << static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6
        << "\n"
        << name << "_count " << cumulative << "\n";
  }

 private:
  std::array<int64_t, N> bounds_;
  std::array<std::atomic<uint64_t>, N + 1> counts_{};
  std::atomic<uint64_t> sum_us_{0};
};

}  // namespace dialtone::server
