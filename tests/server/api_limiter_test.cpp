// The per-account concurrency limit of Twilio API requests (server/api_limiter.hpp).
#include "server/api_limiter.hpp"

#include <gtest/gtest.h>

namespace dialtone::server {
namespace {

constexpr const char* kA = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kB = "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

TEST(ApiLimiter, OffByDefaultAdmitsWithoutCounting) {
  ApiLimiter limiter;
  const auto t = limiter.try_enter(kA);
  EXPECT_TRUE(t.admitted);
  EXPECT_FALSE(t.counted);
  EXPECT_EQ(limiter.in_flight(kA), 0);
  limiter.leave(kA, t);
  EXPECT_EQ(limiter.max(kA), 0);
}

TEST(ApiLimiter, TheConfiguredLimitHoldsForEachAccountApart) {
  ApiLimiter limiter(1);
  const auto a1 = limiter.try_enter(kA);
  ASSERT_TRUE(a1.admitted);
  EXPECT_FALSE(limiter.try_enter(kA).admitted);  // A is at its limit...
  const auto b1 = limiter.try_enter(kB);
  EXPECT_TRUE(b1.admitted);  // ...and B has a slot of its own
  limiter.leave(kA, a1);
  EXPECT_EQ(limiter.in_flight(kA), 0);
  EXPECT_TRUE(limiter.try_enter(kA).admitted);
  limiter.leave(kB, b1);
}

TEST(ApiLimiter, AnAccountsOwnLimitLeavesTheOthersAlone) {
  ApiLimiter limiter;
  limiter.set_max(kA, 2);
  EXPECT_EQ(limiter.max(kA), 2);
  EXPECT_EQ(limiter.max(kB), 0);
  const auto a1 = limiter.try_enter(kA);
  const auto a2 = limiter.try_enter(kA);
  EXPECT_TRUE(a1.counted && a2.counted);
  EXPECT_FALSE(limiter.try_enter(kA).admitted);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.try_enter(kB).admitted);
  limiter.leave(kA, a1);
  limiter.leave(kA, a2);
  EXPECT_EQ(limiter.in_flight(kA), 0);
}

TEST(ApiLimiter, ForgetGoesBackToTheConfiguredLimit) {
  ApiLimiter limiter(3);
  limiter.set_max(kA, 1);
  limiter.set_max(kB, 0);  // B: no limit at all
  EXPECT_EQ(limiter.max(kB), 0);
  limiter.forget(kA);
  EXPECT_EQ(limiter.max(kA), 3);
  limiter.forget_all();
  EXPECT_EQ(limiter.max(kB), 3);
}

TEST(ApiLimiter, ARequestAdmittedUncountedLeavesNothingBehindWhenALimitArrives) {
  ApiLimiter limiter;
  const auto before = limiter.try_enter(kA);  // no limit yet: not counted
  limiter.set_max(kA, 1);
  const auto counted = limiter.try_enter(kA);
  ASSERT_TRUE(counted.counted);
  limiter.leave(kA, before);  // must not give back the counted request's slot
  EXPECT_EQ(limiter.in_flight(kA), 1);
  EXPECT_FALSE(limiter.try_enter(kA).admitted);
  limiter.leave(kA, counted);
  EXPECT_EQ(limiter.in_flight(kA), 0);
}

}  // namespace
}  // namespace dialtone::server
