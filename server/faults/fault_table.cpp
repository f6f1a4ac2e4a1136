#include "server/faults/fault_table.hpp"

#include <random>
#include <utility>

namespace dialtone::server::faults {

namespace {

std::vector<FaultRule> completed(std::vector<FaultRule> rules, const std::string& account) {
  for (auto& rule : rules) {
    if (rule.account_sid.empty()) rule.account_sid = account;
    core::faults::complete(rule);  // checked by config::validate; this fills the defaults
  }
  return rules;
}

bool fits(const FaultRule& rule, std::string_view account_sid, std::string_view method,
          std::string_view route) {
  return rule.account_sid == account_sid && (rule.method.empty() || rule.method == method) &&
         (rule.route.empty() || rule.route == route);
}

}  // namespace

FaultTable::FaultTable(std::vector<FaultRule> configured, std::string default_account)
    : configured_(completed(std::move(configured), default_account)) {
  reset();
}

void FaultTable::add_locked(FaultRule rule, std::string source) {
  if (rule.probability && !rule.seed) {
    std::random_device entropy;
    const uint64_t seed = (uint64_t{entropy()} << 32) | entropy();
    rule.seed = seed & core::faults::kMaxSeed;
  }
  rules_.push_back(RuleEntry{next_id_++, std::move(rule), std::move(source), 0, 0});
}

void FaultTable::refresh_flags_locked() {
  any_rules_.store(!rules_.empty(), std::memory_order_relaxed);
  any_signature_.store(!signature_.empty(), std::memory_order_relaxed);
}

RuleEntry FaultTable::add(FaultRule rule, std::string source) {
  std::lock_guard lock(mu_);
  add_locked(std::move(rule), std::move(source));
  refresh_flags_locked();
  return rules_.back();
}

std::vector<RuleEntry> FaultTable::rules() const {
  std::lock_guard lock(mu_);
  return rules_;
}

std::optional<RuleEntry> FaultTable::match(std::string_view account_sid, std::string_view method,
                                           std::string_view route) {
  if (!any_rules_.load(std::memory_order_relaxed)) return std::nullopt;
  std::lock_guard lock(mu_);
  for (auto& e : rules_) {
    if (!fits(e.rule, account_sid, method, route)) continue;
    if (e.rule.times && e.injected >= *e.rule.times) continue;  // used up
    const uint64_t n = e.matched++;
    if (e.rule.probability && !core::faults::draw(*e.rule.seed, n, *e.rule.probability)) continue;
    ++e.injected;
    return e;
  }
  return std::nullopt;
}

size_t FaultTable::clear() {
  std::lock_guard lock(mu_);
  const size_t n = rules_.size();
  rules_.clear();
  signature_.clear();
  refresh_flags_locked();
  return n;
}

size_t FaultTable::clear_account(const std::string& account_sid) {
  std::lock_guard lock(mu_);
  const size_t n =
      std::erase_if(rules_, [&](const RuleEntry& e) { return e.rule.account_sid == account_sid; });
  signature_.erase(account_sid);
  refresh_flags_locked();
  return n;
}

bool FaultTable::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  const size_t n = std::erase_if(rules_, [&](const RuleEntry& e) { return e.id == id; });
  refresh_flags_locked();
  return n > 0;
}

void FaultTable::reset() {
  std::lock_guard lock(mu_);
  rules_.clear();
  signature_.clear();
  for (const auto& rule : configured_) add_locked(rule, "config");
  refresh_flags_locked();
}

void FaultTable::reset_account(const std::string& account_sid) {
  std::lock_guard lock(mu_);
  std::erase_if(rules_, [&](const RuleEntry& e) { return e.rule.account_sid == account_sid; });
  signature_.erase(account_sid);
  for (const auto& rule : configured_) {
    if (rule.account_sid == account_sid) add_locked(rule, "config");
  }
  refresh_flags_locked();
}

void FaultTable::set_signature_fault(const std::string& account_sid, SignatureFault fault) {
  std::lock_guard lock(mu_);
  if (fault == SignatureFault::kNone) {
    signature_.erase(account_sid);
  } else {
    signature_[account_sid] = fault;
  }
  refresh_flags_locked();
}

SignatureFault FaultTable::signature_fault(const std::string& account_sid) const {
  if (!any_signature_.load(std::memory_order_relaxed)) return SignatureFault::kNone;
  std::lock_guard lock(mu_);
  auto it = signature_.find(account_sid);
  return it == signature_.end() ? SignatureFault::kNone : it->second;
}

std::vector<std::pair<std::string, SignatureFault>> FaultTable::signature_faults() const {
  std::lock_guard lock(mu_);
  return {signature_.begin(), signature_.end()};
}

}  // namespace dialtone::server::faults
