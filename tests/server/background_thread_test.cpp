// A background thread is named and scheduled as SCHED_BATCH (server/background_thread.hpp);
// the thread that marks it is the only one changed.
#include "server/background_thread.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <string>
#include <thread>

namespace dialtone::server {
namespace {

TEST(BackgroundThread, NamedAndBatchScheduledAlone) {
  const int before = sched_getscheduler(0);
  int policy = -1;
  std::string name;
  std::thread t([&] {
    mark_background_thread("dt-test");
    policy = sched_getscheduler(0);
    char buf[16] = {};
    pthread_getname_np(pthread_self(), buf, sizeof buf);
    name = buf;
  });
  t.join();
  EXPECT_EQ(policy, SCHED_BATCH);
  EXPECT_EQ(name, "dt-test");
  EXPECT_EQ(sched_getscheduler(0), before);
}

}  // namespace
}  // namespace dialtone::server
