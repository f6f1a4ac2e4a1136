// The parameters of POST /_dialtone/clock, /clock/advance and /limits, and their JSON.
#include "api/control_settings.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

TEST(ControlSettings, ClockJson) {
  auto doc = parse_json(clock_json({"manual", 2.5, core::TimePoint{core::Millis{1767225600000}}},
                                   3));
  EXPECT_STREQ(doc["mode"].GetString(), "manual");
  EXPECT_DOUBLE_EQ(doc["speed"].GetDouble(), 2.5);
  EXPECT_STREQ(doc["now"].GetString(), "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(doc["now_ms"].GetInt64(), 1767225600000);
  EXPECT_STREQ(doc["iso"].GetString(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(doc["timers_fired"].GetInt(), 3);
  EXPECT_FALSE(parse_json(clock_json({"real", 1, {}})).HasMember("timers_fired"));
}

TEST(ControlSettings, ClockUpdate) {
  auto u = parse_clock_update(fields({{"Mode", "real"}, {"Speed", "10"}}));
  ASSERT_TRUE(u);
  EXPECT_EQ(*u->mode, "real");
  EXPECT_DOUBLE_EQ(*u->speed, 10.0);
  EXPECT_FALSE(parse_clock_update({}));
  EXPECT_FALSE(parse_clock_update(fields({{"Mode", "fast"}})));
  for (auto bad : {"0", "-1", "x", "1001", "", "inf", "nan"}) {
    EXPECT_FALSE(parse_clock_update(fields({{"Speed", bad}}))) << bad;
  }
}

TEST(ControlSettings, Advance) {
  EXPECT_EQ(*parse_advance(fields({{"Seconds", "2.5"}})), 2500);
  EXPECT_EQ(*parse_advance(fields({{"Seconds", "0"}})), 0);
  EXPECT_FALSE(parse_advance({}));
  for (auto bad : {"-1", "abc", "1e3", "99999999", ""}) {
    EXPECT_FALSE(parse_advance(fields({{"Seconds", bad}}))) << bad;
  }
}

TEST(ControlSettings, Limits) {
  LimitsView current{1, 2};
  auto l = parse_limits(fields({{"CallsPerSecond", "5"}}), current);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->calls_per_second, 5);
  EXPECT_EQ(l->max_concurrent_api_requests, 2);
  EXPECT_FALSE(parse_limits(fields({{"CallsPerSecond", "-1"}}), current));
  EXPECT_FALSE(parse_limits(fields({{"CallsPerSecond", "1001"}}), current));
  EXPECT_FALSE(parse_limits(fields({{"MaxConcurrentApiRequests", "x"}}), current));
  EXPECT_EQ(limits_json({3, 4}), R"({"calls_per_second": 3, "max_concurrent_api_requests": 4})");
}

}  // namespace
}  // namespace dialtone::api::testing
