#include "server/api_limiter.hpp"

namespace dialtone::server {

ApiLimiter::ApiLimiter(int default_max)
    : default_max_(default_max < 0 ? 0 : default_max), any_limit_(default_max_ > 0) {}

void ApiLimiter::set_max(const std::string& account_sid, int max) {
  std::lock_guard lock(mu_);
  own_max_[account_sid] = max < 0 ? 0 : max;
  update_any_limit_locked();
}

int ApiLimiter::max(const std::string& account_sid) const {
  std::lock_guard lock(mu_);
  return max_locked(account_sid);
}

void ApiLimiter::forget(const std::string& account_sid) {
  std::lock_guard lock(mu_);
  own_max_.erase(account_sid);
  update_any_limit_locked();
}

void ApiLimiter::forget_all() {
  std::lock_guard lock(mu_);
  own_max_.clear();
  update_any_limit_locked();
}

ApiLimiter::Ticket ApiLimiter::try_enter(std::string_view account_sid) {
  if (!any_limit_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(mu_);
  const int max = max_locked(account_sid);
  if (max == 0) return {};
  auto it = in_flight_.find(account_sid);
  if (it == in_flight_.end()) {
    in_flight_.emplace(std::string(account_sid), 1);
  } else if (it->second >= max) {
    return {false, false};
  } else {
    ++it->second;
  }
  return {true, true};
}

void ApiLimiter::leave(std::string_view account_sid, const Ticket& ticket) {
  if (!ticket.counted) return;
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(account_sid);
  if (it == in_flight_.end()) return;
  if (--it->second <= 0) in_flight_.erase(it);  // the map holds busy accounts only
}

int ApiLimiter::in_flight(std::string_view account_sid) const {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(account_sid);
  return it == in_flight_.end() ? 0 : it->second;
}

int ApiLimiter::max_locked(std::string_view account_sid) const {
  auto it = own_max_.find(account_sid);
  return it == own_max_.end() ? default_max_ : it->second;
}

void ApiLimiter::update_any_limit_locked() {
  bool any = default_max_ > 0;
  for (const auto& [sid, max] : own_max_) any = any || max > 0;
  any_limit_.store(any, std::memory_order_release);
}

}  // namespace dialtone::server
