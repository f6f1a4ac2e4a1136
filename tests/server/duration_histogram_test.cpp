// server/duration_histogram: bucket choice at the bounds, negatives as zero, the Prometheus text.
#include "server/duration_histogram.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace dialtone::server {
namespace {

using std::chrono::microseconds;

TEST(DurationHistogramTest, CountsEachDurationInTheFirstBucketThatHoldsIt) {
  DurationHistogram<3> h({1'000, 5'000, 20'000});
  h.observe(microseconds(-7));      // a clock read backwards: counted as 0
  h.observe(microseconds(1'000));   // on a bound: that bucket
  h.observe(microseconds(1'001));
  h.observe(microseconds(20'000));
  h.observe(microseconds(900'000));  // past the last bound: +Inf only
  std::ostringstream out;
  h.render(out, "x_seconds", "What x takes.");
  EXPECT_EQ(out.str(),
            "# HELP x_seconds What x takes.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.001\"} 2\n"
            "x_seconds_bucket{le=\"0.005\"} 3\n"
            "x_seconds_bucket{le=\"0.02\"} 4\n"
            "x_seconds_bucket{le=\"+Inf\"} 5\n"
            "x_seconds_sum 0.922001\n"
            "x_seconds_count 5\n");
}

}  // namespace
}  // namespace dialtone::server
