// core/faults: what a fault rule is, the checks every rule passes (and the field each failure
// names), the defaults of a status fault, and the seeded draw that replays.
#include "core/faults/fault_rule.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace dialtone::core::faults {
namespace {

constexpr const char* kAccount = "AC0123456789abcdef0123456789abcdef";

FaultRule status_rule(int status) {
  FaultRule r;
  r.account_sid = kAccount;
  r.kind = FaultKind::kStatus;
  r.status = status;
  return r;
}

TEST(FaultRule, StatusFaultsGetTwiliosCodesAndA429ARetryAfter) {
  FaultRule r = status_rule(429);
  ASSERT_FALSE(complete(r));
  EXPECT_EQ(r.code, 20429);
  EXPECT_EQ(r.message, "Too Many Requests");
  EXPECT_EQ(r.retry_after_s, 1);

  r = status_rule(500);
  ASSERT_FALSE(complete(r));
  EXPECT_EQ(r.code, 20500);
  EXPECT_EQ(r.message, "Internal Server Error");
  EXPECT_FALSE(r.retry_after_s);

  r = status_rule(503);
  r.retry_after_s = 30;
  ASSERT_FALSE(complete(r));
  EXPECT_EQ(r.code, 20503);
  EXPECT_EQ(r.message, "Service Unavailable");
  EXPECT_EQ(r.retry_after_s, 30);

  r = status_rule(502);  // no Twilio code of its own: none unless given
  ASSERT_FALSE(complete(r));
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.message, "Bad Gateway");

  r = status_rule(429);
  r.code = 20001;
  r.message = "slow down";
  r.retry_after_s = 0;
  ASSERT_FALSE(complete(r));
  EXPECT_EQ(r.code, 20001);
  EXPECT_EQ(r.message, "slow down");
  EXPECT_EQ(r.retry_after_s, 0);
}

TEST(FaultRule, MethodAndRouteAreNormalised) {
  FaultRule r = status_rule(500);
  r.method = "post";
  r.route = "Calls/{Sid}";
  ASSERT_FALSE(complete(r));
  EXPECT_EQ(r.method, "POST");
  r.method = "*";
  r.route = "*";
  ASSERT_FALSE(complete(r));
  EXPECT_EQ(r.method, "");
  EXPECT_EQ(r.route, "");
}

struct BadCase {
  const char* what;
  void (*edit)(FaultRule&);
  FaultField field;
};

TEST(FaultRule, EachProblemNamesItsField) {
  const std::vector<BadCase> cases = {
      {"account", [](FaultRule& r) { r.account_sid = "ACnope"; }, FaultField::kAccountSid},
      {"method", [](FaultRule& r) { r.method = "PUT"; }, FaultField::kMethod},
      {"route", [](FaultRule& r) { r.route = "Calls/{CallSid}"; }, FaultField::kRoute},
      {"method not served on the route",
       [](FaultRule& r) {
         r.method = "DELETE";
         r.route = "Calls";
       },
       FaultField::kMethod},
      {"no status", [](FaultRule& r) { r.status = 0; }, FaultField::kStatus},
      {"status 302", [](FaultRule& r) { r.status = 302; }, FaultField::kStatus},
      {"status 600", [](FaultRule& r) { r.status = 600; }, FaultField::kStatus},
      {"code", [](FaultRule& r) { r.code = 100000; }, FaultField::kCode},
      {"message", [](FaultRule& r) { r.message.assign(2000, 'x'); }, FaultField::kMessage},
      {"retry after", [](FaultRule& r) { r.retry_after_s = -1; }, FaultField::kRetryAfter},
      {"latency", [](FaultRule& r) { r.latency_ms = kMaxLatencyMs + 1; }, FaultField::kLatencyMs},
      {"times 0", [](FaultRule& r) { r.times = 0; }, FaultField::kTimes},
      {"probability 0", [](FaultRule& r) { r.probability = 0.0; }, FaultField::kProbability},
      {"probability 1.5", [](FaultRule& r) { r.probability = 1.5; }, FaultField::kProbability},
      {"seed alone", [](FaultRule& r) { r.seed = 7; }, FaultField::kSeed},
      {"seed too big",
       [](FaultRule& r) {
         r.probability = 0.5;
         r.seed = kMaxSeed + 1;
       },
       FaultField::kSeed},
      {"status on a reset",
       [](FaultRule& r) { r.kind = FaultKind::kReset; },  // status 500 stays set
       FaultField::kStatus},
      {"latency without LatencyMs",
       [](FaultRule& r) {
         r.kind = FaultKind::kLatency;
         r.status = 0;
       },
       FaultField::kLatencyMs},
      {"hang with LatencyMs",
       [](FaultRule& r) {
         r.kind = FaultKind::kHang;
         r.status = 0;
         r.latency_ms = 10;
       },
       FaultField::kLatencyMs},
  };
  for (const auto& c : cases) {
    FaultRule r = status_rule(500);
    c.edit(r);
    auto p = complete(r);
    ASSERT_TRUE(p) << c.what;
    EXPECT_EQ(p->field, c.field) << c.what << ": " << p->reason;
    EXPECT_FALSE(p->reason.empty()) << c.what;
  }
}

TEST(FaultRule, EveryKindHasItsShape) {
  FaultRule latency;
  latency.account_sid = kAccount;
  latency.kind = FaultKind::kLatency;
  latency.latency_ms = 250;
  EXPECT_FALSE(complete(latency));
  FaultRule reset = latency;
  reset.kind = FaultKind::kReset;  // LatencyMs: a wait before the reset
  EXPECT_FALSE(complete(reset));
  FaultRule hang = latency;
  hang.kind = FaultKind::kHang;
  hang.latency_ms = 0;
  hang.applied = true;
  EXPECT_FALSE(complete(hang));
}

TEST(FaultRule, NamesRoundTrip) {
  for (auto kind : {FaultKind::kStatus, FaultKind::kLatency, FaultKind::kReset, FaultKind::kHang}) {
    EXPECT_EQ(parse_fault_kind(to_string(kind)), kind);
  }
  EXPECT_FALSE(parse_fault_kind("Status"));
  EXPECT_EQ(parse_signature_fault("wrong-key"), SignatureFault::kWrongKey);
  EXPECT_EQ(parse_signature_fault("none"), SignatureFault::kNone);
  EXPECT_FALSE(parse_signature_fault("wrong_key"));
  EXPECT_EQ(control_name(FaultField::kRetryAfter), "RetryAfter");
  EXPECT_EQ(config_name(FaultField::kRetryAfter), "retry_after");
  EXPECT_EQ(control_name(FaultField::kApplied), "Applied");
  EXPECT_EQ(wrong_signing_key("tok"), "tok-wrong-key");
}

TEST(FaultDraw, IsSplitMix64) {
  // The reference sequence of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
  EXPECT_EQ(splitmix64_at(0, 0), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(splitmix64_at(0, 1), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(splitmix64_at(0, 2), 0x06C45D188009454FULL);
}

TEST(FaultDraw, SameSeedSameSequenceAndAboutTheProbability) {
  std::vector<bool> a, b, c;
  int fired = 0;
  for (uint64_t n = 0; n < 10000; ++n) {
    a.push_back(draw(42, n, 0.3));
    b.push_back(draw(42, n, 0.3));
    c.push_back(draw(43, n, 0.3));
    fired += a.back() ? 1 : 0;
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NEAR(fired, 3000, 200);
  for (uint64_t n = 0; n < 1000; ++n) EXPECT_TRUE(draw(n, n, 1.0));
}

}  // namespace
}  // namespace dialtone::core::faults
