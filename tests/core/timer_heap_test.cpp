// A world's timers (core/world/timer_heap.hpp): whatever order they are armed in, and however
// arming and firing interleave, they come out by due time, then in the order they were armed:
// the lane in front of the heap never changes that order.
#include "core/world/timer_heap.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace dialtone::core {
namespace {

Timer timer_at(int64_t ms, uint64_t seq) {
  return Timer{TimePoint{} + Millis{ms}, seq, nullptr, 0, TimerSlot::kLifecycle, TimerKind::kDial};
}

using Key = std::tuple<TimePoint, uint64_t>;

TEST(TimerHeap, FiresByDueTimeThenArmingOrderWhateverTheArmingPattern) {
  std::mt19937_64 rng(11);
  TimerHeap timers;
  std::set<Key> model;
  uint64_t seq = 0;
  int64_t now = 0;
  for (int step = 0; step < 200000; ++step) {
    const int pattern = static_cast<int>(rng() % 10);
    if (pattern < 6) {
      // Due now (a dial), in a while (a ring), in order (TimeLimits) or anywhere.
      int64_t due = now;
      if (pattern == 1) due = now + 1000;
      if (pattern == 2) due = now + 4 * 3600 * 1000;
      if (pattern == 3) due = now + static_cast<int64_t>(rng() % 100000);
      if (pattern == 4) due = now + static_cast<int64_t>(rng() % 3);  // ties
      const Timer t = timer_at(due, ++seq);
      timers.push(t);
      model.insert({t.due, t.seq});
    } else if (pattern < 9) {
      // Fire what is due, one by one, against the model's order.
      while (!timers.empty() && timers.next().due <= TimePoint{} + Millis{now}) {
        ASSERT_FALSE(model.empty());
        const Timer t = timers.pop();
        ASSERT_EQ(Key(t.due, t.seq), *model.begin()) << "step " << step;
        model.erase(model.begin());
      }
    } else {
      now += static_cast<int64_t>(rng() % 2000);
    }
    ASSERT_EQ(timers.size(), model.size());
  }
  while (!timers.empty()) {
    const Timer t = timers.pop();
    ASSERT_EQ(Key(t.due, t.seq), *model.begin());
    model.erase(model.begin());
  }
  EXPECT_TRUE(model.empty());
}

TEST(TimerHeap, ErasingKeepsTheOrderOfWhatRemains) {
  TimerHeap timers;
  // Due now in order (the lane), then earlier and later ones (the heap).
  for (uint64_t i = 1; i <= 100; ++i) timers.push(timer_at(static_cast<int64_t>(i), i));
  for (uint64_t i = 101; i <= 200; ++i) {
    timers.push(timer_at(static_cast<int64_t>((i * 37) % 150), i));
  }
  timers.erase_if([](const Timer& t) { return t.seq % 3 == 0; });
  size_t seen = 0;
  timers.for_each([&](const Timer& t) {
    EXPECT_NE(t.seq % 3, 0u);
    ++seen;
  });
  EXPECT_EQ(seen, timers.size());
  Key last{};
  while (!timers.empty()) {
    const Timer t = timers.pop();
    EXPECT_LT(last, Key(t.due, t.seq));
    last = {t.due, t.seq};
  }
  timers.push(timer_at(5, 1000));
  timers.clear();
  EXPECT_TRUE(timers.empty());
}

}  // namespace
}  // namespace dialtone::core
