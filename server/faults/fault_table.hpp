// The fault rules in force and the accounts' signature faults (docs/faults.md): rules are
// added, listed and cleared over the control API and loaded from the config file; every
// Twilio API request is matched against them.
//
// Matching: the rules of the request's account are consulted in the order they were added.
// A rule fits when its method and route do (empty: any) and it has injections left (Times);
// it is then "consulted" (matched += 1) and fires when its draw says so (always without a
// Probability; else the seeded draw of core/faults, numbered by its own matched count, so the
// same requests in the same order replay the same faults). The first rule that fires wins; the
// rules after it are not consulted for that request.
// Thread-safety: every member may be called from any thread (one mutex; an atomic flag keeps
// requests lock-free while there are no rules at all).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/faults/fault_rule.hpp"

namespace dialtone::server::faults {

using core::faults::FaultRule;
using core::faults::RuleEntry;
using core::faults::SignatureFault;

class FaultTable {
 public:
  // `configured`: the config file's rules, checked by config::validate (an empty account_sid
  // means `default_account`); they are loaded now and again by every reset.
  FaultTable(std::vector<FaultRule> configured, std::string default_account);

  // Adds a checked rule (core::faults::complete) and returns it as listed. A probabilistic
  // rule without a seed gets one here, shown in the listing so that its run can be replayed.
  RuleEntry add(FaultRule rule, std::string source = "api");
  std::vector<RuleEntry> rules() const;
  bool has_rules() const { return any_rules_.load(std::memory_order_relaxed); }

  // The rule that fires for this request, as it stands after counting it (nullopt: none).
  // `route` is the request's route template ("Calls/{Sid}").
  std::optional<RuleEntry> match(std::string_view account_sid, std::string_view method,
                                 std::string_view route);

  // Removing rules; each returns how many went. Signature faults go with clear() and
  // clear_account().
  size_t clear();
  size_t clear_account(const std::string& account_sid);
  bool remove(uint64_t id);
  // Back to the configured rules with fresh counters (POST /_dialtone/reset), for everything
  // or one account; signature faults are cleared.
  void reset();
  void reset_account(const std::string& account_sid);

  void set_signature_fault(const std::string& account_sid, SignatureFault fault);
  SignatureFault signature_fault(const std::string& account_sid) const;
  std::vector<std::pair<std::string, SignatureFault>> signature_faults() const;

 private:
  void add_locked(FaultRule rule, std::string source);
  void refresh_flags_locked();

  const std::vector<FaultRule> configured_;
  mutable std::mutex mu_;
  std::vector<RuleEntry> rules_;                     // mu_; in id order
  std::map<std::string, SignatureFault> signature_;  // mu_; only accounts with a fault
  uint64_t next_id_ = 1;                             // mu_; never reused
  std::atomic<bool> any_rules_{false};
  std::atomic<bool> any_signature_{false};
};

}  // namespace dialtone::server::faults
