// The Conference and Participant resources through the handlers: bodies that follow the spec's
// schemas (fields in the spec's order, booleans as booleans, RFC 2822 dates), paging and
// filters, XML, labels in the path, and the errors docs/conferences.md chooses where Twilio is
// silent.
#include "api/twilio/conferences.hpp"

#include <gtest/gtest.h>

#include "api/twilio/participants.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

const std::string kConferences = "/2010-04-01/Accounts/" + kAc + "/Conferences";
const char* kConferenceSchema = "api.v2010.account.conference";
const char* kParticipantSchema = "api.v2010.account.conference.participant";

class ConferencesApiTest : public ApiTest {
 protected:
  // An answered call of the main account in conference `room` (inline TwiML); returns its sid.
  std::string joined(const std::string& room, const std::string& attrs = {}) {
    const Response r = send("POST", kCalls + ".json",
                            "To=%2B14155550100&From=%2B14155550199&Twiml=" +
                                percent_encode("<Response><Dial><Conference" + attrs + ">" + room +
                                               "</Conference></Dial></Response>"));
    EXPECT_EQ(r.status, 201) << r.body;
    settle(2);
    return parse_json(r.body)["sid"].GetString();
  }
  std::string conference_sid(const std::string& room) {
    const auto page = parse_json(send("GET", kConferences + ".json?FriendlyName=" + room).body);
    EXPECT_GE(page["conferences"].Size(), 1u);
    return page["conferences"][0]["sid"].GetString();
  }
  void settle(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      clock_.advance(core::Millis{1000});
      engine_.fire_due(effects_);
    }
  }
};

TEST_F(ConferencesApiTest, ConferenceBodiesFollowTheSpec) {
  joined("room");
  const std::string sid = conference_sid("room");
  const Response r = send("GET", kConferences + "/" + sid + ".json");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = parse_json(r.body);
  expect_valid(body, kConferenceSchema, {"reason_conference_ended"});
  EXPECT_EQ(keys_of(body), resource::json_keys(kConferenceDescription));
  EXPECT_STREQ(body["status"].GetString(), "init");
  EXPECT_STREQ(body["region"].GetString(), "unknown");
  EXPECT_TRUE(body["reason_conference_ended"].IsNull());
  EXPECT_EQ(body["uri"].GetString(), kConferences + "/" + sid + ".json");
  EXPECT_EQ(body["subresource_uris"]["participants"].GetString(),
            kConferences + "/" + sid + "/Participants.json");
  EXPECT_EQ(body["subresource_uris"]["recordings"].GetString(),
            kConferences + "/" + sid + "/Recordings.json");
}

TEST_F(ConferencesApiTest, ParticipantBodiesFollowTheSpec) {
  const std::string call = joined("room", " participantLabel=\"cust one\" muted=\"true\"");
  const std::string sid = conference_sid("room");
  const std::string parts = kConferences + "/" + sid + "/Participants";
  const Response by_label = send("GET", parts + "/cust%20one.json");
  ASSERT_EQ(by_label.status, 200) << by_label.body;
  const auto body = parse_json(by_label.body);
  expect_valid(body, kParticipantSchema);
  EXPECT_EQ(keys_of(body), resource::json_keys(kParticipantDescription));
  EXPECT_EQ(body["call_sid"].GetString(), call);
  EXPECT_TRUE(body["muted"].IsBool() && body["muted"].GetBool());
  EXPECT_STREQ(body["status"].GetString(), "connected");
  EXPECT_TRUE(body["queue_time"].IsNull()) << "only a create answer has it";
  EXPECT_EQ(body["uri"].GetString(), parts + "/" + call + ".json") << "the Call sid, not the label";

  const Response created =
      send("POST", parts + ".json", "From=%2B14155550199&To=%2B14155550101&Label=agent");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto c = parse_json(created.body);
  expect_valid(c, kParticipantSchema);
  EXPECT_STREQ(c["queue_time"].GetString(), "1000");
  EXPECT_STREQ(c["status"].GetString(), "queued");

  const auto page = parse_json(send("GET", parts + ".json?Muted=true").body);
  ASSERT_EQ(page["participants"].Size(), 1u);
  EXPECT_EQ(page["participants"][0]["call_sid"].GetString(), call);
  EXPECT_NE(std::string(page["uri"].GetString()).find("Muted=true"), std::string::npos);
  const auto all = parse_json(send("GET", parts + ".json?PageSize=1").body);
  ASSERT_EQ(all["participants"].Size(), 1u);
  ASSERT_TRUE(all["next_page_uri"].IsString());
  const auto next = parse_json(send("GET", all["next_page_uri"].GetString()).body);
  ASSERT_EQ(next["participants"].Size(), 1u);
  EXPECT_STREQ(next["participants"][0]["label"].GetString(), "agent");
}

TEST_F(ConferencesApiTest, ListFiltersAndOrdersNewestFirst) {
  joined("a");
  settle(1);
  joined("b");
  const auto page = parse_json(send("GET", kConferences + ".json").body);
  ASSERT_EQ(page["conferences"].Size(), 2u);
  EXPECT_STREQ(page["conferences"][0]["friendly_name"].GetString(), "b");
  for (const auto& c : page["conferences"].GetArray()) {
    expect_valid(c, kConferenceSchema, {"reason_conference_ended"});
  }
  EXPECT_EQ(
      parse_json(send("GET", kConferences + ".json?Status=in-progress").body)["conferences"].Size(),
      0u);
  EXPECT_EQ(
      parse_json(send("GET", kConferences + ".json?DateCreated%3C=2025-12-31").body)["conferences"]
          .Size(),
      0u);
  EXPECT_EQ(
      parse_json(send("GET", kConferences + ".json?DateCreated%3E=2026-01-01").body)["conferences"]
          .Size(),
      2u);
  EXPECT_EQ(
      parse_json(send("GET", kConferences + ".json?DateCreated=2026-01-01").body)["conferences"]
          .Size(),
      2u);
  const Response iso = send("GET", kConferences + ".json?DateCreated=2026-01-01T00:00:00Z");
  EXPECT_EQ(iso.status, 400) << "only YYYY-MM-DD since 2019";
  EXPECT_EQ(send("GET", kConferences + ".json?Status=open").status, 400);
  const auto one = parse_json(send("GET", kConferences + ".json?FriendlyName=a").body);
  EXPECT_NE(std::string(one["uri"].GetString()).find("FriendlyName=a"), std::string::npos);
}

TEST_F(ConferencesApiTest, UpdateEndsAStartedConference) {
  joined("room");
  const std::string sid = conference_sid("room");
  const std::string path = kConferences + "/" + sid + ".json";
  const Response early = send("POST", path, "Status=completed");
  EXPECT_EQ(early.status, 400);
  EXPECT_EQ(parse_json(early.body)["code"].GetInt(), 16001);
  joined("room");
  EXPECT_EQ(send("POST", path, "Status=in-progress").status, 400);
  EXPECT_EQ(send("POST", path, "AnnounceUrl=not-a-url").status, 400);
  const Response ended = send("POST", path, "Status=completed");
  ASSERT_EQ(ended.status, 200) << ended.body;
  const auto body = parse_json(ended.body);
  expect_valid(body, kConferenceSchema);
  EXPECT_STREQ(body["reason_conference_ended"].GetString(), "conference-ended-via-api");
  EXPECT_TRUE(body["call_sid_ending_conference"].IsNull());
  EXPECT_EQ(parse_json(send("POST", path, "Status=completed").body)["code"].GetInt(), 16099);
  EXPECT_EQ(
      parse_json(send("GET", kConferences + "/" + sid + "/Participants.json").body)["participants"]
          .Size(),
      0u);
}

TEST_F(ConferencesApiTest, ParticipantErrors) {
  const std::string call = joined("room");
  const std::string sid = conference_sid("room");
  const std::string parts = kConferences + "/" + sid + "/Participants";
  const std::string base = "From=%2B14155550199&To=%2B14155550101";
  auto code = [&](const std::string& path, const std::string& body) {
    const Response r = send("POST", path, body);
    return r.status >= 400 ? parse_json(r.body)["code"].GetInt() : 0;
  };
  EXPECT_EQ(code(parts + ".json", base + "&Label=" + call), 16024) << "a label like a Call sid";
  EXPECT_EQ(code(parts + ".json", base + "&Label=a%2Fb"), 16024);
  EXPECT_EQ(code(parts + ".json", "From=%2B14155550199"), 21201);
  EXPECT_EQ(code(parts + ".json", base + "&Beep=loud"), 20001);
  EXPECT_EQ(code(parts + ".json", base + "&MaxParticipants=251"), 20001);
  EXPECT_EQ(code(parts + ".json", base + "&ConferenceStatusCallbackEvent=bogus"), 20001);
  EXPECT_EQ(code(parts + ".json", base + "&Coaching=true"), 16028);
  EXPECT_EQ(code(parts + "/" + call + ".json", "Hold=true&AnnounceUrl=https://a.test/x"), 20001);
  EXPECT_EQ(code(parts + "/" + call + ".json", "HoldMethod=PUT&HoldUrl=https://a.test/x"), 21209);
  const std::string missing = parts + "/CA" + std::string(32, '0') + ".json";
  EXPECT_EQ(send("GET", missing).status, 404);
  EXPECT_EQ(send("POST", missing, "Muted=true").status, 404);
  EXPECT_EQ(send("DELETE", missing).status, 404);
  EXPECT_EQ(send("GET", kConferences + "/CF" + std::string(32, '0') + ".json").status, 404);
  EXPECT_EQ(send("GET", kConferences + "/room.json").status, 404) << "a name is no sid";
  EXPECT_EQ(send("DELETE", kConferences + "/" + sid + ".json").status, 405);
  const Response kicked = send("DELETE", parts + "/" + call + ".json");
  EXPECT_EQ(kicked.status, 204);
  EXPECT_TRUE(kicked.body.empty());
  EXPECT_EQ(code(kConferences + "/" + sid + "/Participants.json", base), 16022)
      << "the last one left: the conference is over";
}

TEST_F(ConferencesApiTest, XmlRendersTheSameDescriptions) {
  const std::string call = joined("a&amp;b");
  const std::string sid = conference_sid("a%26b");
  const Response r = send("GET", kConferences + "/" + sid);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<TwilioResponse><Conference><AccountSid>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<FriendlyName>a&amp;b</FriendlyName>"), std::string::npos);
  EXPECT_NE(r.body.find("<SubresourceUris><Participants>"), std::string::npos) << r.body;
  const Response p = send("GET", kConferences + "/" + sid + "/Participants/" + call + ".xml");
  EXPECT_NE(p.body.find("<Participant><AccountSid>"), std::string::npos) << p.body;
  EXPECT_NE(p.body.find("<Muted>false</Muted>"), std::string::npos);
  const Response list = send("GET", kConferences + ".xml");
  EXPECT_NE(list.body.find("<Conferences page=\"0\""), std::string::npos) << list.body;
}

// The Conference Recordings subresource (api/twilio/conference_recordings.cpp): the spec's
// conference-recording shape in JSON and XML, the update, the account's ConferenceSid filter.
TEST_F(ConferencesApiTest, ConferenceRecordingsFollowTheSpec) {
  const char* kSchema = "api.v2010.account.conference.conference_recording";
  joined("taped", " record=\"record-from-start\" trim=\"do-not-trim\"");
  const std::string sid = conference_sid("taped");
  const std::string recordings = kConferences + "/" + sid + "/Recordings";
  EXPECT_EQ(parse_json(send("GET", recordings + ".json").body)["recordings"].Size(), 0u)
      << "nothing while the first caller waits";
  joined("taped");
  settle(3);
  const auto page = parse_json(send("GET", recordings + ".json").body);
  ASSERT_EQ(page["recordings"].Size(), 1u);
  expect_valid(page["recordings"][0], kSchema);
  const std::string re = page["recordings"][0]["sid"].GetString();
  EXPECT_STREQ(page["recordings"][0]["status"].GetString(), "in-progress");
  EXPECT_STREQ(page["recordings"][0]["source"].GetString(), "Conference");
  EXPECT_EQ(page["recordings"][0]["conference_sid"].GetString(), sid);
  EXPECT_EQ(page["recordings"][0]["uri"].GetString(), recordings + "/" + re + ".json");

  const Response paused = send("POST", recordings + "/Twilio.CURRENT.json", "Status=paused");
  ASSERT_EQ(paused.status, 200) << paused.body;
  expect_valid(parse_json(paused.body), kSchema);
  EXPECT_STREQ(parse_json(paused.body)["status"].GetString(), "paused");
  EXPECT_EQ(send("POST", recordings + "/" + re + ".json", "Status=bogus").status, 400);
  EXPECT_EQ(send("POST", recordings + "/" + re + ".json", "").status, 400);
  EXPECT_EQ(send("POST", recordings + ".json", "Status=paused").status, 405) << "no create";
  settle(2);
  ASSERT_EQ(send("POST", kConferences + "/" + sid + ".json", "Status=completed").status, 200);
  const auto done = parse_json(send("GET", recordings + "/" + re + ".json").body);
  expect_valid(done, kSchema);
  EXPECT_STREQ(done["status"].GetString(), "completed");
  EXPECT_STREQ(done["duration"].GetString(), "5") << "3 s, then 2 s paused as silence";
  const Response xml = send("GET", recordings + "/" + re + ".xml");
  EXPECT_NE(xml.body.find("<Recording><AccountSid>" + kAc), std::string::npos) << xml.body;
  EXPECT_NE(xml.body.find("<ConferenceSid>" + sid + "</ConferenceSid>"), std::string::npos);
  const Response xml_list = send("GET", recordings + ".xml");
  EXPECT_NE(xml_list.body.find("<Recordings page=\"0\""), std::string::npos) << xml_list.body;

  const std::string account = "/2010-04-01/Accounts/" + kAc + "/Recordings";
  const auto found = parse_json(send("GET", account + ".json?ConferenceSid=" + sid).body);
  ASSERT_EQ(found["recordings"].Size(), 1u);
  expect_valid(found["recordings"][0], "api.v2010.account.recording");
  const std::string other = "CF" + std::string(32, '0');
  EXPECT_EQ(parse_json(send("GET", account + ".json?ConferenceSid=" + other).body)["recordings"]
                .Size(),
            0u);
  EXPECT_EQ(send("GET", kConferences + "/" + other + "/Recordings.json").status, 404);
  EXPECT_EQ(send("GET", kConferences + "/" + sid + "/Recordings/RE" + std::string(32, '0') +
                            ".json")
                .status,
            404);
  EXPECT_EQ(send("DELETE", recordings + "/" + re + ".json").status, 204);
  EXPECT_EQ(send("GET", recordings + "/" + re + ".json").status, 404);
}

}  // namespace
}  // namespace dialtone::api::testing
