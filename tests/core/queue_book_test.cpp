// The queues' own state (core/queue/queue_book.hpp): order, positions, the average wait.
#include "core/queue/queue_book.hpp"

#include <gtest/gtest.h>

namespace dialtone::core::queue {
namespace {

TimePoint at_s(int64_t s) { return TimePoint{Millis{s * 1000}}; }

TEST(QueueBook, PositionsFollowArrivalAndCloseUpWhenSomeoneLeaves) {
  Queue q;
  const uint64_t a = q.push("CAa", at_s(10));
  const uint64_t b = q.push("CAb", at_s(20));
  const uint64_t c = q.push("CAc", at_s(30));
  EXPECT_EQ(q.position("CAa", a), 1u);
  EXPECT_EQ(q.position("CAc", c), 3u);
  EXPECT_TRUE(q.remove("CAb", b));
  EXPECT_FALSE(q.remove("CAb", b));
  EXPECT_EQ(q.position("CAc", c), 2u);
  EXPECT_EQ(q.position("CAb", b), 0u) << "gone";
  EXPECT_EQ(q.position("CAc", 0), 2u) << "a stale ticket still finds the caller";
}

TEST(QueueBook, AverageWaitIsTheMeanOfTheCallersWaitingNow) {
  Queue q;
  EXPECT_EQ(q.average_wait_s(at_s(100)), 0);
  q.push("CAa", at_s(10));
  const uint64_t b = q.push("CAb", at_s(20));
  EXPECT_EQ(q.average_wait_s(at_s(30)), 15);  // (20 + 10) / 2
  q.remove("CAb", b);
  EXPECT_EQ(q.average_wait_s(at_s(30)), 20);
}

TEST(QueueBook, FullAtItsLimit) {
  Queue q;
  q.max_size = 2;
  q.push("CAa", at_s(0));
  EXPECT_FALSE(q.full());
  q.push("CAb", at_s(0));
  EXPECT_TRUE(q.full());
}

TEST(QueueBook, RenumberRebuildsTicketsFromTheOrder) {
  Queue q;
  q.members.push_back(Member{"CAa", at_s(1), 0});
  q.members.push_back(Member{"CAb", at_s(3), 0});
  q.renumber();
  EXPECT_EQ(q.members[1].ticket, 2u);
  EXPECT_EQ(q.average_wait_s(at_s(5)), 3);
  EXPECT_EQ(q.push("CAc", at_s(5)), 3u);
}

TEST(QueueBook, QueuesAreFoundByAccountSidAndName) {
  QueueBook book;
  Queue a;
  a.sid = "QU1";
  a.account_sid = "AC1";
  a.friendly_name = "support";
  book.add(a);
  Queue b = a;
  b.sid = "QU2";
  b.account_sid = "AC2";
  book.add(b);
  EXPECT_EQ(book.by_name("AC2", "support")->sid, "QU2");
  EXPECT_EQ(book.find("AC1", "QU2"), nullptr) << "another account's queue";
  EXPECT_EQ(book.list("AC1").size(), 1u);
  book.erase_account("AC1");
  EXPECT_EQ(book.find("AC1", "QU1"), nullptr);
  EXPECT_NE(book.find("AC2", "QU2"), nullptr);
}

}  // namespace
}  // namespace dialtone::core::queue
