// dt-prefault's choice of page size (server/page_size_chooser.hpp): measured, not assumed.
#include "server/page_size_chooser.hpp"

#include <gtest/gtest.h>

namespace dialtone::server {
namespace {

// Feeds `chunks` chunks, charging each size its cost; returns how many went to huge pages.
int run(PageSizeChooser& c, int chunks, double small_us, double huge_us) {
  int huge = 0;
  for (int i = 0; i < chunks; ++i) {
    const bool h = c.next_huge();
    huge += h ? 1 : 0;
    c.record(h, h ? huge_us : small_us);
  }
  return huge;
}

TEST(PageSizeChooser, TriesEachSizeOnceFirst) {
  PageSizeChooser c;
  EXPECT_FALSE(c.next_huge());
  EXPECT_LT(c.cost(false), 0);
  c.record(false, 1000);
  EXPECT_TRUE(c.next_huge());
  c.record(true, 200);
  EXPECT_DOUBLE_EQ(c.cost(false), 1000);
  EXPECT_DOUBLE_EQ(c.cost(true), 200);
}

TEST(PageSizeChooser, PrefersTheCheaperAndStillTriesTheOther) {
  // Huge pages cheap (a VM where a 4 KiB fault is dear): nearly every chunk huge.
  PageSizeChooser cheap_huge;
  const int n = 16 * 20;
  int huge = run(cheap_huge, n, /*small_us=*/5000, /*huge_us=*/200);
  EXPECT_GE(huge, n - n / 16 - 1);
  EXPECT_LT(huge, n);  // the other size is measured again now and then

  // Huge pages dear (the host backs each one anew): nearly every chunk in 4 KiB pages.
  PageSizeChooser dear_huge;
  huge = run(dear_huge, n, /*small_us=*/1000, /*huge_us=*/5000);
  EXPECT_LE(huge, n / 16 + 1);
  EXPECT_GT(huge, 1);
}

TEST(PageSizeChooser, FollowsAChangeWithinAFewExplorations) {
  PageSizeChooser c;
  run(c, 64, /*small_us=*/1000, /*huge_us=*/200);  // huge preferred
  EXPECT_TRUE(c.cost(true) < c.cost(false));
  // Now huge pages cost 25x more: each exploration of 4 KiB pages sees them cheap again, and
  // each huge chunk moves its estimate a quarter of the way to 5000.
  int huge_tail = 0;
  for (int i = 0; i < 160; ++i) {
    const bool h = c.next_huge();
    if (i >= 96) huge_tail += h ? 1 : 0;
    c.record(h, h ? 5000 : 200);
  }
  EXPECT_LT(c.cost(false), c.cost(true));
  EXPECT_LE(huge_tail, 64 / 16 + 1);  // after the switch, huge only when exploring
}

}  // namespace
}  // namespace dialtone::server
