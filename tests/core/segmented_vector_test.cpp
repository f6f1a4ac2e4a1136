// SegmentedVector against std::vector as the model, across many segment boundaries, and as
// the storage of a binary heap (the engine's timers).
#include "core/segmented_vector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <vector>

namespace dialtone::core {
namespace {

// Random pushes, pops and erase_ifs on both; `per_segment` is V's segment length, and the walk
// must end up spanning several segments.
template <class V>
void agree_with_a_vector(size_t per_segment) {
  std::mt19937_64 rng(1);
  V v;
  std::vector<uint64_t> model;
  for (int step = 1; step <= 300000; ++step) {
    const uint64_t op = step % 60000 == 0 ? 100 : rng() % 100;
    if (op < 70 || model.empty()) {
      const uint64_t x = rng();
      v.push_back(x);
      model.push_back(x);
    } else if (op < 100) {
      ASSERT_EQ(v.back(), model.back());
      v.pop_back();
      model.pop_back();
    } else {
      const uint64_t bit = rng() % 8;
      auto odd = [&](uint64_t x) { return (x >> bit & 1) != 0; };
      EXPECT_EQ(v.erase_if(odd), static_cast<size_t>(std::erase_if(model, odd)));
    }
    ASSERT_EQ(v.size(), model.size());
  }
  ASSERT_GT(model.size(), per_segment * 3);
  EXPECT_TRUE(std::equal(v.begin(), v.end(), model.begin(), model.end()));
  for (size_t i = 0; i < model.size(); i += 977) EXPECT_EQ(v[i], model[i]);
}

TEST(SegmentedVector, AgreesWithAVectorThroughPushesPopsAndErases) {
  agree_with_a_vector<SegmentedVector<uint64_t>>(8192);  // 64 KiB segments
}

TEST(SegmentedVector, AgreesWithAVectorWithSegmentsOfEightElements) {
  agree_with_a_vector<SegmentedVector<uint64_t, 64>>(8);
}

TEST(SegmentedVector, HoldsAHeapThatPopsInTheSameOrderAsOneInAVector) {
  std::mt19937_64 rng(2);
  SegmentedVector<uint64_t> v;
  std::vector<uint64_t> model;
  for (int i = 0; i < 50000; ++i) {
    const uint64_t x = rng() % 100000;
    v.push_back(x);
    std::push_heap(v.begin(), v.end(), std::greater<>{});
    model.push_back(x);
    std::push_heap(model.begin(), model.end(), std::greater<>{});
  }
  v.erase_if([](uint64_t x) { return x % 3 == 0; });
  std::make_heap(v.begin(), v.end(), std::greater<>{});
  std::erase_if(model, [](uint64_t x) { return x % 3 == 0; });
  std::make_heap(model.begin(), model.end(), std::greater<>{});
  while (!model.empty()) {
    ASSERT_EQ(v.front(), model.front());
    std::pop_heap(v.begin(), v.end(), std::greater<>{});
    v.pop_back();
    std::pop_heap(model.begin(), model.end(), std::greater<>{});
    model.pop_back();
  }
  EXPECT_TRUE(v.empty());
}

int g_alive = 0;
struct Counted {
  explicit Counted(int value) : x(value) { ++g_alive; }
  Counted(const Counted& o) : x(o.x) { ++g_alive; }
  Counted& operator=(const Counted&) = default;
  ~Counted() { --g_alive; }
  int x;
};

TEST(SegmentedVector, ConstructsAndDestroysEachElementOnceAndMovesWithoutCopying) {
  {
    SegmentedVector<Counted> a;
    for (int i = 0; i < 10000; ++i) a.push_back(Counted(i));
    EXPECT_EQ(g_alive, 10000);
    a.erase_if([](const Counted& c) { return c.x % 2 == 0; });
    EXPECT_EQ(g_alive, 5000);
    SegmentedVector<Counted> b = std::move(a);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(g_alive, 5000);
    EXPECT_EQ(b[0].x, 1);
    EXPECT_EQ(b.back().x, 9999);
    const SegmentedVector<Counted>& cb = b;
    auto it = std::lower_bound(cb.begin(), cb.end(), 5001,
                               [](const Counted& c, int x) { return c.x < x; });
    EXPECT_EQ(it - cb.begin(), 2500);
    EXPECT_EQ(it->x, 5001);
  }
  EXPECT_EQ(g_alive, 0);
}

}  // namespace
}  // namespace dialtone::core
