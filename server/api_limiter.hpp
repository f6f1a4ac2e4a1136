// Emulation of Twilio's concurrency limit on API requests: above `max` requests in flight, the
// next one gets 429 with code 20429. Off (0) by default; settable at runtime.
// Thread-safety: lock-free; every member may be called from any thread.
#pragma once

#include <atomic>

namespace dialtone::server {

class ApiLimiter {
 public:
  explicit ApiLimiter(int max = 0) : max_(max) {}
  void set_max(int max) { max_.store(max < 0 ? 0 : max); }
  int max() const { return max_.load(); }

  // True (and counted) when the request may run; false when it must get a 429.
  bool try_enter() {
    const int n = in_flight_.fetch_add(1) + 1;
    const int m = max_.load();
    if (m > 0 && n > m) {
      in_flight_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void leave() { in_flight_.fetch_sub(1); }
  int in_flight() const { return in_flight_.load(); }

 private:
  std::atomic<int> max_;
  std::atomic<int> in_flight_{0};
};

}  // namespace dialtone::server
