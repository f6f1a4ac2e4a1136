// server/timed_transaction: each finish() is reported with how long it took, a failed one too;
// apply() and abort() go through untimed.
#include "server/timed_transaction.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace dialtone::server {
namespace {

using std::chrono::microseconds;

struct SlowTransaction : BatchTransaction {
  int applied = 0, aborted = 0;
  bool fail = false;
  void apply(const StoreBatch&) override { ++applied; }
  void finish() override {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    if (fail) throw std::runtime_error("disk full");
  }
  void abort() override { ++aborted; }
};

TEST(TimedTransaction, ReportsEachFinishWithItsDuration) {
  SlowTransaction inner;
  std::vector<microseconds> seen;
  TimedTransaction timed(inner, [&](microseconds d) { seen.push_back(d); });
  timed.apply(StoreBatch{});
  timed.apply(StoreBatch{});
  EXPECT_TRUE(seen.empty());  // only the commit is timed
  timed.finish();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_GE(seen[0], microseconds(3000));
  EXPECT_EQ(inner.applied, 2);
}

TEST(TimedTransaction, AFailedFinishIsReportedAndRethrown) {
  SlowTransaction inner;
  inner.fail = true;
  std::vector<microseconds> seen;
  TimedTransaction timed(inner, [&](microseconds d) { seen.push_back(d); });
  EXPECT_THROW(timed.commit({StoreBatch{}}), std::runtime_error);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_GE(seen[0], microseconds(3000));
  EXPECT_EQ(inner.aborted, 1);  // commit() aborted through the wrapper
}

}  // namespace
}  // namespace dialtone::server
