#include "api/route.hpp"

#include <gtest/gtest.h>

namespace dialtone::api {
namespace {

const std::string kAc = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kCa = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kNo = "NOcccccccccccccccccccccccccccccccc";
const std::string kBase = "/2010-04-01/Accounts/" + kAc;

TEST(RouteTest, CallsWithEachSuffix) {
  auto r = match_route(kBase + "/Calls.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kCalls);
  EXPECT_EQ(r->format, Format::kJson);
  EXPECT_EQ(r->account_sid, kAc);
  r = match_route(kBase + "/Calls.xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->format, Format::kXml);
  EXPECT_EQ(r->suffix, ".xml");
  r = match_route(kBase + "/Calls");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->format, Format::kXml);
  EXPECT_EQ(r->suffix, "");
}

TEST(RouteTest, CallAndSubresources) {
  auto r = match_route(kBase + "/Calls/" + kCa + ".json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kCall);
  EXPECT_EQ(r->call_sid, kCa);
  r = match_route(kBase + "/Calls/" + kCa + "/Notifications.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kCallNotifications);
  r = match_route(kBase + "/Calls/" + kCa + "/Notifications/" + kNo + ".xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kCallNotification);
  EXPECT_EQ(r->notification_sid, kNo);
  EXPECT_EQ(r->format, Format::kXml);
  r = match_route(kBase + "/Calls/" + kCa + "/Events.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kCallEvents);
  EXPECT_TRUE(match_route(kBase + "/Calls/" + kCa + "/Events"));
}

TEST(RouteTest, Recordings) {
  const std::string re = "RE0123456789abcdef0123456789abcdef";
  auto r = match_route(kBase + "/Calls/" + kCa + "/Recordings.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kCallRecordings);
  r = match_route(kBase + "/Calls/" + kCa + "/Recordings/Twilio.CURRENT.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kCallRecording);
  EXPECT_EQ(r->item, "Twilio.CURRENT");
  r = match_route(kBase + "/Recordings/" + re + ".json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kRecording);
  EXPECT_EQ(r->media, "");
  EXPECT_EQ(r->format, Format::kJson);
  // The media: .wav, .mp3, and no suffix at all (Twilio's default is the WAV).
  r = match_route(kBase + "/Recordings/" + re);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->media, "wav");
  r = match_route(kBase + "/Recordings/" + re + ".mp3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->media, "mp3");
  EXPECT_EQ(r->item, re);
  EXPECT_FALSE(match_route(kBase + "/Recordings/" + re + ".mp3.wav"));
  EXPECT_FALSE(match_route(kBase + "/Recordings/" + re + ".wav.mp3"));
  r = match_route(kBase + "/Recordings/" + re + ".xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->media, "");
  EXPECT_EQ(match_route(kBase + "/Recordings.json")->kind, RouteKind::kRecordings);
  EXPECT_TRUE(method_allowed(RouteKind::kRecording, "DELETE"));
  EXPECT_FALSE(method_allowed(RouteKind::kRecording, "POST"));
  EXPECT_TRUE(method_allowed(RouteKind::kCallRecording, "POST"));
  EXPECT_TRUE(method_allowed(RouteKind::kCallRecordings, "GET"));
  EXPECT_FALSE(method_allowed(RouteKind::kRecordings, "POST"));
}

// A conference's recordings: named under its CF sid (not its friendly name); the instance by
// its RE sid or Twilio.CURRENT; no media here (that is the account's Recordings/{Sid}).
TEST(RouteTest, ConferenceRecordings) {
  const std::string cf = "CF0123456789abcdef0123456789abcdef";
  const std::string re = "RE0123456789abcdef0123456789abcdef";
  auto r = match_route(kBase + "/Conferences/" + cf + "/Recordings.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kConferenceRecordings);
  EXPECT_EQ(r->conference, cf);
  r = match_route(kBase + "/Conferences/" + cf + "/Recordings/Twilio.CURRENT.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, RouteKind::kConferenceRecording);
  EXPECT_EQ(r->item, "Twilio.CURRENT");
  r = match_route(kBase + "/Conferences/" + cf + "/Recordings/" + re + ".xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->item, re);
  EXPECT_EQ(r->format, Format::kXml);
  EXPECT_FALSE(match_route(kBase + "/Conferences/room/Recordings.json"));
  EXPECT_FALSE(match_route(kBase + "/Conferences/" + cf + "/Recordings/x.json"));
  EXPECT_FALSE(match_route(kBase + "/Conferences/" + cf + "/Recordings/" + re + ".wav"));
  EXPECT_FALSE(method_allowed(RouteKind::kConferenceRecordings, "POST"));
  EXPECT_TRUE(method_allowed(RouteKind::kConferenceRecording, "POST"));
  EXPECT_TRUE(method_allowed(RouteKind::kConferenceRecording, "DELETE"));
}

TEST(RouteTest, UnknownPaths) {
  for (const std::string& p :
       {std::string("/"), std::string("/2010-04-01/Accounts"), kBase + ".json",
        kBase + "/Messages.json", kBase + "/Calls/", kBase + "/Calls/CA123.json",
        kBase + "/Calls/" + kCa + "/Recordings/RE123.json",
        kBase + "/Calls/" + kCa + "/Recordings.wav", kBase + "/Calls/" + kCa + "/Events.xml",
        kBase + "/Recordings/" + kCa + ".wav", kBase + "/Recordings.wav",
        std::string("/2010-04-01/Accounts/ACzz/Calls.json"), kBase + "/Calls.csv",
        kBase + "/Calls/" + kCa + "/Notifications/" + kCa + ".json"}) {
    EXPECT_FALSE(match_route(p)) << p;
  }
}

TEST(RouteTest, SplitTargetAndFormatOfPath) {
  const auto t = split_target("/a/b.json?x=1&y=2");
  EXPECT_EQ(t.path, "/a/b.json");
  EXPECT_EQ(t.query, "x=1&y=2");
  EXPECT_EQ(split_target("/a").query, "");
  EXPECT_EQ(format_of_path("/nope.json"), Format::kJson);
  EXPECT_EQ(format_of_path("/nope"), Format::kXml);
}

TEST(RouteTest, Methods) {
  EXPECT_TRUE(method_allowed(RouteKind::kCalls, "POST"));
  EXPECT_FALSE(method_allowed(RouteKind::kCalls, "DELETE"));
  EXPECT_TRUE(method_allowed(RouteKind::kCall, "DELETE"));
  EXPECT_FALSE(method_allowed(RouteKind::kCall, "PUT"));
  EXPECT_FALSE(method_allowed(RouteKind::kCallEvents, "POST"));
  EXPECT_EQ(allowed_methods(RouteKind::kCall), "GET, POST, DELETE");
  EXPECT_EQ(allowed_methods(RouteKind::kCalls), "GET, POST");
}

}  // namespace
}  // namespace dialtone::api
