// The Recording resources through the handlers (api/twilio/recordings.cpp): both shapes with
// the spec's fields in the spec's order, JSON and XML, pages, the media download piece by
// piece, and the errors docs/recordings.md chooses.
#include <gtest/gtest.h>

#include "api_test_util.hpp"
#include "core/media/mp3.hpp"

namespace dialtone::api::testing {
namespace {

const std::string kRecordings = "/2010-04-01/Accounts/" + kAc + "/Recordings";

class RecordingsTest : public ApiTest {
 protected:
  std::string recordings_of(const std::string& call) { return kCalls + "/" + call + "/Recordings"; }
  // A recording of `seconds`, stopped; returns its sid.
  std::string finished(const std::string& call, int seconds, const std::string& form = {}) {
    const Response created = send("POST", recordings_of(call) + ".json", form);
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string sid = parse_json(created.body)["sid"].GetString();
    advance(seconds);
    const Response stopped =
        send("POST", recordings_of(call) + "/" + sid + ".json", "Status=stopped");
    EXPECT_EQ(stopped.status, 200) << stopped.body;
    return sid;
  }
  // The whole body of a response, pulled piece by piece as the server does.
  static std::string pull(const Response& r, size_t* pieces = nullptr) {
    if (!r.body_source) return r.body;
    std::string all, piece;
    size_t n = 0;
    while (r.body_source->next(piece)) {
      all += piece;
      ++n;
    }
    if (pieces) *pieces = n;
    EXPECT_EQ(all.size(), r.body_source->size);
    return all;
  }
};

TEST_F(RecordingsTest, CreateShowsTheCallRecordingShape) {
  const std::string call = live_call();
  const Response r =
      send("POST", recordings_of(call) + ".json",
           "RecordingChannels=dual&RecordingStatusCallbackEvent=in-progress%20completed"
           "&PlayBeep=false");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto body = parse_json(r.body);
  expect_valid(body, "api.v2010.account.call.call_recording");
  EXPECT_STREQ(body["status"].GetString(), "in-progress");
  EXPECT_STREQ(body["source"].GetString(), "StartCallRecordingAPI");
  EXPECT_EQ(body["channels"].GetInt(), 2);
  EXPECT_TRUE(body["duration"].IsNull());
  EXPECT_TRUE(body["price"].IsNull());
  EXPECT_STREQ(body["track"].GetString(), "both");
  EXPECT_EQ(std::string(body["uri"].GetString()),
            recordings_of(call) + "/" + body["sid"].GetString() + ".json");
}

TEST_F(RecordingsTest, FinishedShapesAtBothLevels) {
  const std::string call = live_call();
  const std::string sid = finished(call, 3);
  const auto one = parse_json(send("GET", recordings_of(call) + "/" + sid + ".json").body);
  expect_valid(one, "api.v2010.account.call.call_recording");
  EXPECT_STREQ(one["status"].GetString(), "completed");
  EXPECT_STREQ(one["duration"].GetString(), "3");
  EXPECT_STREQ(one["price"].GetString(), "-0.0025");
  EXPECT_STREQ(one["price_unit"].GetString(), "USD");
  const auto account = parse_json(send("GET", kRecordings + "/" + sid + ".json").body);
  expect_valid(account, "api.v2010.account.recording");
  EXPECT_EQ(std::string(account["media_url"].GetString()),
            "https://api.twilio.com" + kRecordings + "/" + sid);
  EXPECT_EQ(std::string(account["subresource_uris"]["transcriptions"].GetString()),
            kRecordings + "/" + sid + "/Transcriptions.json");
  const auto page = parse_json(send("GET", kRecordings + ".json?CallSid=" + call).body);
  ASSERT_EQ(page["recordings"].Size(), 1u);
  expect_valid(page["recordings"][0], "api.v2010.account.recording");
  const auto call_page = parse_json(send("GET", recordings_of(call) + ".json").body);
  ASSERT_EQ(call_page["recordings"].Size(), 1u);
  expect_valid(call_page["recordings"][0], "api.v2010.account.call.call_recording");
  const Response xml = send("GET", kRecordings + "/" + sid + ".xml");
  EXPECT_EQ(xml.status, 200);
  EXPECT_NE(xml.body.find("<Recording><AccountSid>" + kAc), std::string::npos) << xml.body;
  EXPECT_NE(xml.body.find("<Duration>3</Duration>"), std::string::npos) << xml.body;
}

TEST_F(RecordingsTest, MediaIsAWavMadeInPieces) {
  const std::string call = live_call();
  const std::string sid = finished(call, 20, "RecordingChannels=dual");
  for (const std::string& suffix : {std::string(".wav"), std::string()}) {
    const Response r = send("GET", kRecordings + "/" + sid + suffix);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "audio/x-wav");
    ASSERT_TRUE(r.body_source);
    EXPECT_EQ(r.body_source->size, 44u + 20u * 8000u * 4u);
    size_t pieces = 0;
    const std::string wav = pull(r, &pieces);
    EXPECT_GT(pieces, 10u) << "never made whole";
    EXPECT_EQ(wav.substr(0, 4), "RIFF");
    EXPECT_EQ(wav[22], 2);
  }
  const Response mono = send("GET", kRecordings + "/" + sid + ".wav?RequestedChannels=1");
  ASSERT_EQ(mono.status, 200);
  EXPECT_EQ(mono.body_source->size, 44u + 20u * 8000u * 2u);
  EXPECT_EQ(send("GET", kRecordings + "/" + sid + ".wav?RequestedChannels=3").status, 400);
}

TEST_F(RecordingsTest, Mp3IsChunkedAt32Kbps) {
  if (!core::media::mp3_available()) GTEST_SKIP() << "built without LAME (libmp3lame-dev)";
  const std::string call = live_call();
  const std::string sid = finished(call, 10);
  const Response r = send("GET", kRecordings + "/" + sid + ".mp3");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "audio/mpeg");
  ASSERT_TRUE(r.body_source);
  EXPECT_TRUE(r.body_source->chunked);
  std::string mp3, piece;
  while (r.body_source->next(piece)) {
    EXPECT_FALSE(piece.empty());
    mp3 += piece;
  }
  ASSERT_GE(mp3.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(mp3[0]), 0xFF) << "an MPEG frame sync first";
  EXPECT_EQ(static_cast<uint8_t>(mp3[1]) & 0xE0, 0xE0);
  // 32 kbit/s is 4000 bytes a second, give or take the encoder's delay and padding.
  EXPECT_GT(mp3.size(), 10u * 4000u);
  EXPECT_LT(mp3.size(), 10u * 4000u + 2000u);
}

TEST_F(RecordingsTest, Errors) {
  const std::string call = live_call();
  EXPECT_EQ(send("POST", recordings_of(call) + ".json", "RecordingTrack=left").status, 400);
  EXPECT_EQ(send("POST", recordings_of(call) + ".json", "Trim=some").status, 400);
  const Response cb =
      send("POST", recordings_of(call) + ".json", "RecordingStatusCallback=ftp%3A%2F%2Fx");
  EXPECT_EQ(cb.status, 400) << cb.body;
  const Response mono = send("POST", recordings_of(call) + ".json", "");
  const std::string sid = parse_json(mono.body)["sid"].GetString();
  EXPECT_EQ(send("GET", kRecordings + "/" + sid + ".wav").status, 404) << "not completed yet";
  EXPECT_EQ(send("POST", recordings_of(call) + "/" + sid + ".json", "Status=paused&PauseBehavior=x")
                .status,
            400);
  EXPECT_EQ(send("GET", recordings_of(call) + "/Twilio.CURRENT.json").status, 404);
  EXPECT_EQ(send("POST", kRecordings + "/" + sid + ".json", "").status, 405);
  EXPECT_EQ(send("GET", kRecordings + ".json?DateCreated=yesterday").status, 400);
  advance(2);
  ASSERT_EQ(send("POST", recordings_of(call) + "/" + sid + ".json", "Status=stopped").status, 200);
  const Response two = send("GET", kRecordings + "/" + sid + ".wav?RequestedChannels=2");
  EXPECT_EQ(two.status, 400);
  EXPECT_NE(two.body.find("16113"), std::string::npos) << two.body;
  EXPECT_EQ(send("GET", kRecordings + "/" + sid + ".mp3").status,
            core::media::mp3_available() ? 200 : 415);
  const Response other =
      send("GET", kCalls + "/CA00000000000000000000000000000000/Recordings.json");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(send("DELETE", recordings_of(call) + "/" + sid + ".json").status, 204);
  EXPECT_EQ(send("GET", kRecordings + "/" + sid + ".json").status, 404);
  EXPECT_EQ(send("GET", kRecordings + "/" + sid + ".wav").status, 404);
  const auto soft =
      parse_json(send("GET", kRecordings + "/" + sid + ".json?IncludeSoftDeleted=true").body);
  EXPECT_STREQ(soft["status"].GetString(), "deleted");
}

TEST_F(RecordingsTest, RecordTrueParametersAreChecked) {
  const Response bad = send("POST", kCalls + ".json",
                            "To=%2B14155550100&From=%2B14155550199&Url=https://app.test/v"
                            "&Record=true&RecordingChannels=quad");
  EXPECT_EQ(bad.status, 400) << bad.body;
  const Response ok =
      send("POST", kCalls + ".json",
           "To=%2B14155550100&From=%2B14155550199&Url=https://app.test/v"
           "&Record=true&RecordingChannels=dual&RecordingTrack=both&Trim=do-not-trim");
  EXPECT_EQ(ok.status, 201) << ok.body;
}

}  // namespace
}  // namespace dialtone::api::testing
