// server/faults/fault_table: which rule fires on which request, Times, the seeded draw that
// replays, concurrent matching, clearing and resetting to the configured rules, and the
// signature faults.
#include "server/faults/fault_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace dialtone::server::faults {
namespace {

using core::faults::FaultKind;

constexpr const char* kAc = "AC0123456789abcdef0123456789abcdef";
constexpr const char* kOther = "AC11111111111111111111111111111111";

FaultRule rule(std::string method, std::string route, int status = 500) {
  FaultRule r;
  r.account_sid = kAc;
  r.method = std::move(method);
  r.route = std::move(route);
  r.kind = FaultKind::kStatus;
  r.status = status;
  EXPECT_FALSE(core::faults::complete(r));
  return r;
}

TEST(FaultTable, MatchesAccountMethodAndRoute) {
  FaultTable table({}, kAc);
  EXPECT_FALSE(table.has_rules());
  EXPECT_FALSE(table.match(kAc, "POST", "Calls"));
  const auto added = table.add(rule("POST", "Calls"));
  EXPECT_EQ(added.id, 1u);
  EXPECT_TRUE(table.has_rules());

  EXPECT_FALSE(table.match(kAc, "GET", "Calls"));
  EXPECT_FALSE(table.match(kAc, "POST", "Calls/{Sid}"));
  EXPECT_FALSE(table.match(kOther, "POST", "Calls"));
  auto hit = table.match(kAc, "POST", "Calls");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->id, 1u);
  EXPECT_EQ(hit->matched, 1u);
  EXPECT_EQ(hit->injected, 1u);

  // Any method, any route.
  table.add(rule("", "", 503));
  auto any = table.match(kAc, "DELETE", "Calls/{Sid}");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->rule.status, 503);
}

TEST(FaultTable, FirstFiringRuleWinsAndTimesRunOut) {
  FaultTable table({}, kAc);
  auto first = rule("POST", "Calls", 429);
  first.times = 2;
  table.add(first);
  table.add(rule("POST", "Calls", 503));
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) statuses.push_back(table.match(kAc, "POST", "Calls")->rule.status);
  EXPECT_EQ(statuses, (std::vector<int>{429, 429, 503, 503}));
  const auto rules = table.rules();
  EXPECT_EQ(rules[0].matched, 2u);  // not consulted once used up
  EXPECT_EQ(rules[0].injected, 2u);
  EXPECT_EQ(rules[1].matched, 2u);  // not consulted while the first one fired
  EXPECT_EQ(rules[1].injected, 2u);
}

std::vector<bool> run_seeded(uint64_t seed, int requests) {
  FaultTable table({}, kAc);
  auto r = rule("GET", "Calls/{Sid}");
  r.probability = 0.5;
  r.seed = seed;
  table.add(r);
  std::vector<bool> fired;
  for (int i = 0; i < requests; ++i) {
    fired.push_back(table.match(kAc, "GET", "Calls/{Sid}").has_value());
    table.match(kAc, "POST", "Calls");  // other requests do not move the sequence
  }
  return fired;
}

TEST(FaultTable, SeededProbabilityReplays) {
  const auto a = run_seeded(1234, 64);
  EXPECT_EQ(a, run_seeded(1234, 64));
  EXPECT_NE(a, run_seeded(1235, 64));
  const auto fired = std::count(a.begin(), a.end(), true);
  EXPECT_GT(fired, 16);
  EXPECT_LT(fired, 48);
  // The sequence is core/faults' draw, numbered by the rule's own consultations.
  for (size_t n = 0; n < a.size(); ++n) EXPECT_EQ(a[n], core::faults::draw(1234, n, 0.5)) << n;
}

TEST(FaultTable, AProbabilisticRuleWithoutSeedGetsOneToReplay) {
  FaultTable table({}, kAc);
  auto r = rule("", "");
  r.probability = 0.5;
  const auto added = table.add(r);
  ASSERT_TRUE(added.rule.seed);
  EXPECT_LE(*added.rule.seed, core::faults::kMaxSeed);
  EXPECT_EQ(table.rules()[0].rule.seed, added.rule.seed);
}

TEST(FaultTable, ConcurrentMatchesInjectExactlyTimes) {
  FaultTable table({}, kAc);
  auto r = rule("POST", "Calls");
  r.times = 1000;
  table.add(r);
  std::atomic<int> fired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (table.match(kAc, "POST", "Calls")) fired.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fired.load(), 1000);
  EXPECT_EQ(table.rules()[0].injected, 1000u);
}

TEST(FaultTable, ClearRemoveAndResetToTheConfiguredRules) {
  FaultRule configured = rule("POST", "Calls", 503);
  configured.account_sid = "";  // as the config file has it: the default account
  FaultRule other = rule("GET", "Calls", 500);
  other.account_sid = kOther;
  FaultTable table({configured, other}, kAc);
  auto rules = table.rules();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].rule.account_sid, kAc);
  EXPECT_EQ(rules[0].source, "config");

  const auto added = table.add(rule("GET", ""));
  table.match(kAc, "POST", "Calls");
  table.set_signature_fault(kAc, SignatureFault::kWrongKey);
  table.set_signature_fault(kOther, SignatureFault::kWrongKey);

  EXPECT_TRUE(table.remove(added.id));
  EXPECT_FALSE(table.remove(added.id));
  EXPECT_EQ(table.clear_account(kOther), 1u);
  EXPECT_EQ(table.signature_fault(kOther), SignatureFault::kNone);
  EXPECT_EQ(table.signature_fault(kAc), SignatureFault::kWrongKey);

  table.reset();
  rules = table.rules();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].matched, 0u);   // fresh counters
  EXPECT_GT(rules[0].id, added.id);  // ids are never reused
  EXPECT_EQ(table.signature_fault(kAc), SignatureFault::kNone);

  table.add(rule("GET", ""));
  table.reset_account(kAc);
  rules = table.rules();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].rule.account_sid, kOther);
  EXPECT_EQ(rules[1].rule.account_sid, kAc);
  EXPECT_EQ(rules[1].source, "config");

  EXPECT_EQ(table.clear(), 2u);
  EXPECT_FALSE(table.has_rules());
  EXPECT_FALSE(table.match(kAc, "POST", "Calls"));
}

TEST(FaultTable, SignatureFaults) {
  FaultTable table({}, kAc);
  EXPECT_EQ(table.signature_fault(kAc), SignatureFault::kNone);
  table.set_signature_fault(kAc, SignatureFault::kWrongKey);
  EXPECT_EQ(table.signature_fault(kAc), SignatureFault::kWrongKey);
  EXPECT_EQ(table.signature_fault(kOther), SignatureFault::kNone);
  ASSERT_EQ(table.signature_faults().size(), 1u);
  table.set_signature_fault(kAc, SignatureFault::kNone);
  EXPECT_TRUE(table.signature_faults().empty());
}

}  // namespace
}  // namespace dialtone::server::faults
