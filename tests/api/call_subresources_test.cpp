// The Call subresources through the handlers (api/twilio/streams.cpp, siprec.cpp,
// transcriptions.cpp, payments.cpp, user_defined_messages.cpp): status codes, bodies with the
// spec's fields in the spec's order, 405 for the lists the spec gives no GET, and the errors
// docs/streams.md chooses.
#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class CallSubresourcesTest : public ApiTest {
 protected:
  std::string path(const std::string& call, const std::string& rest) {
    return kCalls + "/" + call + "/" + rest;
  }
  void expect_shape(const Response& r, int status, const char* schema) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type.substr(0, 16), "application/json");
    EXPECT_EQ(keys_of(parse_json(r.body)), schema_keys(schema)) << r.body;
  }
};

TEST_F(CallSubresourcesTest, StreamsCreateAndStopByName) {
  const std::string call = live_call();
  const Response created =
      send("POST", path(call, "Streams.json"),
           "Url=wss%3A%2F%2Fbot.test%2Fm&Name=tap&Parameter1.Name=a&Parameter1.Value=b");
  expect_shape(created, 200, "api.v2010.account.call.stream");
  const auto body = parse_json(created.body);
  const std::string sid = body["sid"].GetString();
  EXPECT_EQ(sid.substr(0, 2), "MZ");
  EXPECT_STREQ(body["status"].GetString(), "in-progress");
  EXPECT_EQ(body["uri"].GetString(), path(call, "Streams/" + sid + ".json"));
  ASSERT_EQ(effects_.streams.size(), 1u);
  EXPECT_EQ(effects_.streams[0].kind, core::StreamCommand::Kind::kOpen);
  const Response stopped = send("POST", path(call, "Streams/tap.json"), "Status=stopped");
  expect_shape(stopped, 200, "api.v2010.account.call.stream");
  EXPECT_EQ(parse_json(stopped.body)["sid"].GetString(), sid);
  EXPECT_STREQ(parse_json(stopped.body)["status"].GetString(), "stopped");
}

TEST_F(CallSubresourcesTest, StreamsErrors) {
  const std::string call = live_call();
  EXPECT_EQ(send("POST", path(call, "Streams.json"), "").status, 400);
  const Response bad_url = send("POST", path(call, "Streams.json"), "Url=https%3A%2F%2Fx.test");
  EXPECT_EQ(parse_json(bad_url.body)["code"].GetInt(), 31923);
  EXPECT_EQ(send("POST", path(call, "Streams.json"), "Url=wss%3A%2F%2Fx&Track=left").status, 400);
  EXPECT_EQ(send("POST", path(call, "Streams/x.json"), "Status=stopped").status, 404);
  EXPECT_EQ(send("POST", path(call, "Streams/x.json"), "Status=paused").status, 400);
  const Response list = send("GET", path(call, "Streams.json"));
  EXPECT_EQ(list.status, 405);
  ASSERT_NE(header(list, "Allow"), nullptr);
  EXPECT_EQ(*header(list, "Allow"), "POST");
  EXPECT_EQ(send("POST", path(call, "Streams.xml"), "Url=wss%3A%2F%2Fx").status, 404)
      << "the spec has Streams as JSON only";
  const std::string queued = create();
  const Response not_live = send("POST", path(queued, "Streams.json"), "Url=wss%3A%2F%2Fx");
  EXPECT_EQ(parse_json(not_live.body)["code"].GetInt(), 21220);
}

TEST_F(CallSubresourcesTest, SiprecAndTranscriptionsAreKeptAndSayTheyAreNotEmulated) {
  const std::string call = live_call();
  const Response sr = send("POST", path(call, "Siprec.json"), "Name=rec&ConnectorName=c");
  expect_shape(sr, 200, "api.v2010.account.call.siprec");
  EXPECT_EQ(std::string(parse_json(sr.body)["sid"].GetString()).substr(0, 2), "SR");
  expect_shape(send("POST", path(call, "Siprec/rec.json"), "Status=stopped"), 200,
               "api.v2010.account.call.siprec");
  const Response gt = send("POST", path(call, "Transcriptions.json"), "Track=both_tracks");
  expect_shape(gt, 200, "api.v2010.account.call.realtime_transcription");
  EXPECT_EQ(send("POST", path(call, "Transcriptions.json"), "Track=left").status, 400);
  EXPECT_EQ(send("POST", path(call, "Transcriptions/none.json"), "Status=stopped").status, 404);
  size_t warnings = 0;
  for (const auto* n : engine_.notifications(kAc, call)) warnings += n->error_code == 12200;
  EXPECT_EQ(warnings, 1u) << "Siprec's: a Transcription transcribes (docs/conversations.md)";
}

TEST_F(CallSubresourcesTest, PaymentsCreate201Update202) {
  const std::string call = live_call();
  EXPECT_EQ(send("POST", path(call, "Payments.json"), "IdempotencyKey=k").status, 400);
  const Response pk = send("POST", path(call, "Payments.json"),
                           "IdempotencyKey=k&StatusCallback=https%3A%2F%2Fa.test%2Fp");
  expect_shape(pk, 201, "api.v2010.account.call.payments");
  const std::string sid = parse_json(pk.body)["sid"].GetString();
  expect_shape(send("POST", path(call, "Payments/" + sid + ".json"),
                    "IdempotencyKey=k2&StatusCallback=https%3A%2F%2Fa.test%2Fp&Status=complete"),
               202, "api.v2010.account.call.payments");
  EXPECT_EQ(send("POST", path(call, "Payments/" + sid + ".json"),
                 "IdempotencyKey=k2&StatusCallback=https%3A%2F%2Fa.test%2Fp&Status=later")
                .status,
            400);
}

TEST_F(CallSubresourcesTest, UserDefinedMessagesAndSubscriptions) {
  const std::string call = live_call();
  EXPECT_EQ(send("POST", path(call, "UserDefinedMessages.json"), "").status, 400);
  expect_shape(send("POST", path(call, "UserDefinedMessages.json"), "Content=%7B%7D"), 201,
               "api.v2010.account.call.user_defined_message");
  const Response zy = send("POST", path(call, "UserDefinedMessageSubscriptions.json"),
                           "Callback=https%3A%2F%2Fa.test%2Fu");
  expect_shape(zy, 201, "api.v2010.account.call.user_defined_message_subscription");
  const std::string sid = parse_json(zy.body)["sid"].GetString();
  const std::string one = path(call, "UserDefinedMessageSubscriptions/" + sid + ".json");
  EXPECT_EQ(send("POST", one).status, 405);
  EXPECT_EQ(send("DELETE", one).status, 204);
  EXPECT_EQ(send("DELETE", one).status, 404);
}

}  // namespace
}  // namespace dialtone::api::testing
