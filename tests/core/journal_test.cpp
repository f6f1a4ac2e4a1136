#include "core/journal.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dialtone::core {
namespace {

TEST(InternedString, EqualStringsShareOneCopy) {
  const std::string a = "ACd1a170e0000000000000000000000000";
  InternedString x(a);
  InternedString y(std::string_view(a.data(), a.size()));
  EXPECT_EQ(&x.str(), &y.str());  // one copy per process
  EXPECT_EQ(x, y);
  EXPECT_EQ(x, a);
  EXPECT_EQ(x, "ACd1a170e0000000000000000000000000");
  EXPECT_NE(x, InternedString("ACother"));
  EXPECT_TRUE(InternedString().empty());
  InternedString z;
  z = std::string("status");
  EXPECT_EQ(z, "status");
}

TEST(CompactString, ShortTextStaysInlineLongTextGoesToTheHeap) {
  const std::string sid = "CA0123456789abcdef0123456789abcdef";  // 34 characters
  CompactString s(sid);
  EXPECT_EQ(s, sid);
  EXPECT_EQ(s.size(), 34u);
  const std::string long_text(200, 'x');
  CompactString l(long_text);
  EXPECT_EQ(l, long_text);
  CompactString copy = l;
  EXPECT_EQ(copy, long_text);
  EXPECT_NE(copy.view().data(), l.view().data());
  CompactString moved = std::move(copy);
  EXPECT_EQ(moved, long_text);
  moved = sid;  // heap to inline
  EXPECT_EQ(moved, sid);
  s = long_text;  // inline to heap
  EXPECT_EQ(s, long_text);
  s = s.view().substr(0, 3);  // from its own text
  EXPECT_EQ(s, "xxx");
  EXPECT_TRUE(CompactString().empty());
  std::string_view exact(long_text.data(), 39);
  CompactString edge(exact);
  EXPECT_EQ(edge, exact);
}

TEST(EventFields, KeepsOrderValuesAndLookUp) {
  const Fields f = {{"status", "in-progress"}, {"from", "ringing"}, {"body", ""},
                    {"params", std::string(5000, 'p')}};
  EventFields e(f);
  EXPECT_EQ(e.size(), 4u);
  EXPECT_EQ(e.to_fields(), f);
  EXPECT_EQ(*e.get("from"), "ringing");
  EXPECT_EQ(*e.get("body"), "");
  EXPECT_FALSE(e.get("absent"));
  size_t n = 0;
  for (const auto& [k, v] : e) {
    EXPECT_EQ(k, f[n].first);
    EXPECT_EQ(v, f[n].second);
    ++n;
  }
  EXPECT_EQ(n, 4u);
  EventFields copy = e;
  EXPECT_EQ(copy, e);
  EventFields empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.begin(), empty.end());
  EXPECT_FALSE(copy == empty);
}

TEST(Journal, EventsReadLikeBefore) {
  Journal j(2);
  JournalEvent e;
  e.account_sid = std::string("ACd1a170e0000000000000000000000000");
  e.call_sid = std::string("CA0123456789abcdef0123456789abcdef");
  e.type = "status";
  e.fields = Fields{{"status", "queued"}};
  j.append(e);
  j.append(e);
  e.account_sid = "ACother";
  j.append(e);  // the cap drops the oldest
  ASSERT_EQ(j.events().size(), 2u);
  EXPECT_EQ(j.events().front().seq, 2u);
  EXPECT_EQ(*j.events().front().field("status"), "queued");
  j.erase_account("ACother");
  ASSERT_EQ(j.events().size(), 1u);
  EXPECT_EQ(j.events().front().call_sid, "CA0123456789abcdef0123456789abcdef");
}

}  // namespace
}  // namespace dialtone::core
