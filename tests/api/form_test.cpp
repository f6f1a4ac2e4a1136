#include "api/form.hpp"

#include <gtest/gtest.h>

namespace dialtone::api {
namespace {

TEST(FormTest, DecodesPairsInOrderWithRepeats) {
  auto f = decode_form("To=%2B14155550100&StatusCallbackEvent=initiated&From=x+y"
                       "&StatusCallbackEvent=completed");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 4u);
  EXPECT_EQ(*f->get("To"), "+14155550100");
  EXPECT_EQ(*f->get("From"), "x y");
  const auto events = f->get_all("StatusCallbackEvent");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], "initiated");
  EXPECT_EQ(events[1], "completed");
  EXPECT_EQ(f->entries()[1].first, "StatusCallbackEvent");
}

TEST(FormTest, EmptyAndKeyOnlySegments) {
  auto f = decode_form("&&a=&b&=v&");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 3u);
  EXPECT_EQ(*f->get("a"), "");
  EXPECT_EQ(*f->get("b"), "");
  EXPECT_EQ(*f->get(""), "v");
  EXPECT_TRUE(decode_form("")->empty());
}

TEST(FormTest, EncodedKeysAndEquals) {
  auto f = decode_form("StartTime%3E=2024-01-02&Twiml=%3CResponse%3E%3C%2FResponse%3E&x=a=b");
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->get("StartTime>"), "2024-01-02");
  EXPECT_EQ(*f->get("Twiml"), "<Response></Response>");
  EXPECT_EQ(*f->get("x"), "a=b");
}

TEST(FormTest, Utf8IsKept) {
  auto f = decode_form("CalledCity=S%C3%A3o+Paulo&raw=\xC3\xA3");
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->get("CalledCity"), "S\xC3\xA3o Paulo");
  EXPECT_EQ(*f->get("raw"), "\xC3\xA3");
}

TEST(FormTest, MalformedEscapesAreErrors) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=100%"}) {
    std::string error;
    EXPECT_FALSE(decode_form(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(FormTest, InvalidUtf8IsAnError) {
  for (const char* bad : {"a=%FF", "a=%C3", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80",
                          "a=\xC3("}) {
    EXPECT_FALSE(decode_form(bad)) << bad;
  }
  std::string error;
  EXPECT_FALSE(decode_form("To=%FE", &error));
  EXPECT_NE(error.find("'To'"), std::string::npos);
}

TEST(FormTest, PercentEncodeMatchesTwilioPageUris) {
  EXPECT_EQ(percent_encode("StartTime>"), "StartTime%3E");
  EXPECT_EQ(percent_encode("+123456789"), "%2B123456789");
  EXPECT_EQ(percent_encode("2019-06-11 22:05:25.000"), "2019-06-11+22%3A05%3A25.000");
  EXPECT_EQ(percent_encode("06/11/2019"), "06%2F11%2F2019");
  EXPECT_EQ(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
}

TEST(FormTest, Utf8Length) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("S\xC3\xA3o"), 3u);
  EXPECT_EQ(utf8_length("\xF0\x9F\x93\x9E"), 1u);
}

}  // namespace
}  // namespace dialtone::api
