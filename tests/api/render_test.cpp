#include <gtest/gtest.h>

#include "api/render_json.hpp"
#include "api/render_xml.hpp"
#include "api/resource/resource.hpp"
#include "api/twilio/call_resource.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

core::Notification sample_notification() {
  core::Notification n;
  n.sid = "NOaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  n.account_sid = kAc;
  n.call_sid = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  n.error_code = 11200;
  n.log = 0;
  n.date_created = core::TimePoint{core::Millis{1439887616000}};
  n.message_text = "Msg=Got+HTTP+404&sourceComponent=12000";
  n.request_method = "POST";
  n.request_url = "https://a.test/x";
  return n;
}

TEST(RenderTest, NotificationsFollowTheSpecSchemas) {
  const auto n = sample_notification();
  const auto list_item = parse_json(notification_json(n, false));
  EXPECT_EQ(keys_of(list_item), schema_keys("api.v2010.account.call.call_notification"));
  const auto instance = parse_json(notification_json(n, true));
  EXPECT_EQ(keys_of(instance), schema_keys("api.v2010.account.call.call_notification-instance"));
  EXPECT_STREQ(instance["error_code"].GetString(), "11200");
  EXPECT_STREQ(instance["log"].GetString(), "0");
  EXPECT_STREQ(instance["message_date"].GetString(), "Tue, 18 Aug 2015 08:46:56 +0000");
  EXPECT_STREQ(instance["more_info"].GetString(), "https://www.twilio.com/docs/errors/11200");
  EXPECT_EQ(instance["uri"].GetString(), kCalls + "/" + n.call_sid + "/Notifications/" + n.sid +
                                             ".json");
  const std::string xml = notification_xml(n, true);
  // One description renders both: XML's elements come in the JSON's (the spec's) order.
  EXPECT_NE(xml.find("<Notification><AccountSid>" + kAc + "</AccountSid>"), std::string::npos);
  EXPECT_NE(xml.find("<Sid>" + n.sid + "</Sid><Uri>"), std::string::npos) << xml;
  EXPECT_EQ(keys_of(list_item), resource::json_keys(kNotificationDescription, false));
  EXPECT_NE(xml.find("<MessageText>Msg=Got+HTTP+404&amp;sourceComponent=12000</MessageText>"),
            std::string::npos);
}

// The Call's JSON is written by hand for speed; the Call's description (which renders its XML)
// must say the same thing, byte for byte.
TEST(RenderTest, TheHandTunedCallJsonIsTheDescriptions) {
  core::Call bare;
  bare.sid = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  bare.account_sid = kAc;
  core::Call full = bare;
  full.parent_call_sid = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  full.to = "client:a\"b\\c\n\x01";
  full.to_formatted = "(415) 555-0100";
  full.from = "+14155550100";
  full.phone_number_sid = "PN" + std::string(32, 'c');
  full.status = core::CallStatus::kCompleted;
  full.direction = core::Direction::kInbound;
  full.date_created = core::TimePoint{core::Millis{1282336400000}};
  full.date_updated = core::TimePoint{core::Millis{1282336402000}};
  full.start_time = full.date_updated;
  full.end_time = core::TimePoint{core::Millis{1282336417000}};
  full.duration_s = 15;
  full.queue_time_ms = 0;
  full.price = "-0.03000";
  full.answered_by = "human";
  full.forwarded_from = "+14155550199";
  full.caller_name = "Ada \u00e9";
  for (const core::Call* c : {&bare, &full}) {
    EXPECT_EQ(call_json(*c), resource::to_json(kCallDescription, *c));
    const std::vector<const core::Call*> page = {c, c};
    PageMeta meta;
    meta.uri = "/x";
    EXPECT_EQ(call_page_json(page, meta), resource::page_json(kCallDescription, page, meta));
  }
  EXPECT_EQ(keys_of(parse_json(call_json(full))), resource::json_keys(kCallDescription));
}

TEST(RenderTest, JsonEscapingAndSeparators) {
  core::Call c;
  c.sid = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  c.account_sid = kAc;
  c.to = "client:a\"b\\c\n";
  c.from = "+14155550100";
  c.duration_s = 15;
  c.price = "-0.03000";
  c.start_time = core::TimePoint{core::Millis{1282336402000}};
  const std::string body = call_json(c);
  const auto doc = parse_json(body);
  EXPECT_STREQ(doc["to"].GetString(), "client:a\"b\\c\n");
  EXPECT_STREQ(doc["duration"].GetString(), "15");
  EXPECT_STREQ(doc["price"].GetString(), "-0.03000");
  EXPECT_STREQ(doc["start_time"].GetString(), "Fri, 20 Aug 2010 20:33:22 +0000");
  EXPECT_EQ(body.rfind("{\"sid\": \"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"date_created\": ", 0),
            0u);
}

// The Call is written through a cursor into room reserved from its values' sizes: values that
// escape at the worst rate (6 bytes each) must still fit, alone and on a page.
TEST(RenderTest, WorstCaseEscapingFitsTheRoomReservedForACall) {
  core::Call c;
  c.sid = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  c.account_sid = kAc;
  const std::string worst(500, '\x01');
  c.to = c.to_formatted = c.from = c.from_formatted = worst;
  c.price = c.answered_by = c.forwarded_from = c.caller_name = worst;
  c.duration_s = INT64_MIN;
  c.queue_time_ms = INT64_MAX;
  const std::string body = call_json(c);
  const auto doc = parse_json(body);
  for (const char* key : {"to", "to_formatted", "from", "from_formatted", "price", "answered_by",
                          "forwarded_from", "caller_name"}) {
    EXPECT_EQ(doc[key].GetString(), worst) << key;
  }
  EXPECT_STREQ(doc["duration"].GetString(), "-9223372036854775808");
  EXPECT_STREQ(doc["queue_time"].GetString(), "9223372036854775807");

  PageMeta meta;
  const std::vector<const core::Call*> three{&c, &c, &c};
  const auto page = parse_json(call_page_json(three, meta));
  ASSERT_EQ(page["calls"].Size(), 3u);
  EXPECT_EQ(page["calls"][2]["caller_name"].GetString(), worst);
}

}  // namespace
}  // namespace dialtone::api::testing
