#include "server/switchable_clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace dialtone::server {
namespace {

using namespace std::chrono_literals;
using Mode = SwitchableClock::Mode;

TEST(SwitchableClock, ManualStartsAtAFixedInstantAndMovesOnlyForward) {
  SwitchableClock c(Mode::kManual, 1.0);
  EXPECT_EQ(c.now(), core::ManualClock().now());
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(c.now(), core::ManualClock().now());
  c.set_manual(c.now() + 10s);
  EXPECT_EQ(c.now(), core::ManualClock().now() + 10s);
  c.set_manual(c.now() - 5s);  // never backwards
  EXPECT_EQ(c.now(), core::ManualClock().now() + 10s);
  EXPECT_EQ(c.wall_delay_until(c.now() + 1s), std::chrono::milliseconds::max());
}

TEST(SwitchableClock, SwitchingKeepsTimeContinuous) {
  SwitchableClock c(Mode::kManual, 1.0);
  const auto t0 = c.now();
  c.set(Mode::kReal, 1000.0);
  EXPECT_GE(c.now(), t0);
  std::this_thread::sleep_for(10ms);
  const auto t1 = c.now();
  EXPECT_GE(t1 - t0, 5s);  // 10 ms at 1000x
  c.set(Mode::kManual, 0);  // speed 0: keep the current one
  EXPECT_DOUBLE_EQ(c.speed(), 1000.0);
  const auto frozen = c.now();
  EXPECT_GE(frozen, t1);
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(c.now(), frozen);
  c.set_manual(frozen + 1s);
  EXPECT_EQ(c.now(), frozen + 1s);
}

TEST(SwitchableClock, RealModeTracksTheSystemClockAndWaitsScaled) {
  SwitchableClock c(Mode::kReal, 1.0);
  const auto sys = std::chrono::floor<core::Millis>(std::chrono::system_clock::now());
  EXPECT_LT(std::chrono::abs(c.now() - sys), 1s);
  EXPECT_EQ(c.wall_delay_until(c.now() - 1s), 0ms);
  c.set(Mode::kReal, 10.0);
  const auto d = c.wall_delay_until(c.now() + 10s);
  EXPECT_GE(d, 900ms);
  EXPECT_LE(d, 1001ms);
}

// The steady instant of a virtual time, to the microsecond, scaled by the speed: where a timer
// for it is set. A manual clock has none.
TEST(SwitchableClock, WallTimeOfAVirtualInstantIsScaledAndManualHasNone) {
  SwitchableClock c(Mode::kReal, 4.0);
  const auto steady = std::chrono::steady_clock::now();
  const auto at = c.wall_time_of(c.now() + 20s);
  ASSERT_TRUE(at.has_value());
  EXPECT_GE(*at - steady, 4900ms);  // 20 s of virtual time at 4x: 5 s of wall time
  EXPECT_LE(*at - steady, 5100ms);
  const auto past = c.wall_time_of(c.now() - 2s);
  ASSERT_TRUE(past.has_value());
  EXPECT_LE(*past, std::chrono::steady_clock::now() - 400ms);
  c.set(Mode::kManual, 1.0);
  EXPECT_FALSE(c.wall_time_of(c.now()).has_value());
}

// Reads take no lock (a seqlock): readers racing a writer must never see a torn or stale-then-
// fresh state. A manual clock advanced in steps of 1 s reads whole seconds past its start,
// never earlier than the reading thread's previous read (tsan checks the races themselves).
TEST(SwitchableClock, ReadersRacingAWriterSeeWholeStates) {
  SwitchableClock c(Mode::kManual, 1.0);
  const core::TimePoint start = c.now();
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  auto reader = [&] {
    core::TimePoint last = start;
    while (!done.load()) {
      const core::TimePoint t = c.now();
      if (t < last || (t - start).count() % 1000 != 0 || c.mode() != Mode::kManual) ++bad;
      last = t;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 1; i <= 20000; ++i) c.set_manual(start + std::chrono::seconds(i));
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(c.now(), start + 20000s);
}

}  // namespace
}  // namespace dialtone::server
