// Emulation of Twilio's concurrency limit on API requests, per account (docs/accounts.md): above
// its limit of requests in flight, an account's next request gets 429 with code 20429, and no
// other account notices. Every account starts with the configuration's limit
// (limits.max_concurrent_api_requests; 0 = off) and can be given its own at runtime.
// Thread-safety: every member may be called from any thread. With no limit anywhere (the
// default) a request takes no lock.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/string_hash.hpp"

namespace dialtone::server {

class ApiLimiter {
 public:
  explicit ApiLimiter(int default_max = 0);

  // An account's own limit (0 = none for it), until forget() takes it back to the default.
  void set_max(const std::string& account_sid, int max);
  int max(const std::string& account_sid) const;
  void forget(const std::string& account_sid);  // its reset or deletion
  void forget_all();                            // a reset of everything

  // What a request holds while it runs: whether it may run, and whether it was counted (only
  // under a limit; leave() wants it back).
  struct Ticket {
    bool admitted = true;
    bool counted = false;
  };
  Ticket try_enter(std::string_view account_sid);
  void leave(std::string_view account_sid, const Ticket& ticket);
  int in_flight(std::string_view account_sid) const;

 private:
  int max_locked(std::string_view account_sid) const;
  void update_any_limit_locked();

  // Looked up by string_view without making a string.
  using BySid = core::StringMap<int>;

  mutable std::mutex mu_;
  const int default_max_;
  BySid own_max_;    // accounts with a limit of their own
  BySid in_flight_;  // counted requests, by account; only accounts with some
  std::atomic<bool> any_limit_;                     // false: try_enter admits without a lock
};

}  // namespace dialtone::server
