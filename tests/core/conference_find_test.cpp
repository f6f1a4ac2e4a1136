// Conference::find: a participant by its call sid or its label, whatever their lengths; sids
// that share their last 8 characters, or all but the last one, are still told apart.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "core/conference/conference_book.hpp"

namespace dialtone::core::conference {
namespace {

Participant named(std::string call_sid, std::string label = "") {
  Participant p;
  p.call_sid = std::move(call_sid);
  p.label = std::move(label);
  return p;
}

TEST(ConferenceFind, BySidOrLabelOfAnyLength) {
  Conference c;
  const std::string a = "CA0000000000000000000000000000000a";
  const std::string same_tail = "CA1111111111111111111111110000000a";  // a's last 8 too
  const std::string one_off = "CA0000000000000000000000000000000b";
  c.participants = {named(a, "agent"), named(same_tail, "customer"), named(one_off, "x"),
                    named("CA-short", "a-label-longer-than-eight")};
  EXPECT_EQ(c.find(a), &c.participants[0]);
  EXPECT_EQ(c.find(same_tail), &c.participants[1]);
  EXPECT_EQ(c.find(one_off), &c.participants[2]);
  EXPECT_EQ(c.find("CA-short"), &c.participants[3]);
  EXPECT_EQ(c.find("agent"), &c.participants[0]);
  EXPECT_EQ(c.find("customer"), &c.participants[1]);
  EXPECT_EQ(c.find("x"), &c.participants[2]);
  EXPECT_EQ(c.find("a-label-longer-than-eight"), &c.participants[3]);
  EXPECT_EQ(c.find("CA0000000000000000000000000000000c"), nullptr);
  EXPECT_EQ(c.find("a-label-longer-than-nine"), nullptr);
  EXPECT_EQ(c.find(""), nullptr) << "an empty label names nobody";
  EXPECT_EQ(std::as_const(c).find(a), &c.participants[0]);
}

}  // namespace
}  // namespace dialtone::core::conference
