// The control API's audio clips (api/control/audio.hpp, docs/conversations.md "Audio clips"):
// routes, uploads by Content-Type and header, the Twilio-style 400/404/413 bodies, accounts.
#include "api/control/audio.hpp"

#include <gtest/gtest.h>

#include "api/control/conversations.hpp"
#include "api/control_request.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class ControlAudioTest : public ApiTest {
 protected:
  Response call(std::string method, std::string target, std::string body = {},
                std::string content_type = {}) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    const auto route = match_control(split_target(r.target).path);
    EXPECT_TRUE(route);
    return audio_clips(engine_, r, route ? route->action : "", kAc);
  }
};

TEST(ControlAudioRoutes, MatchAndMethods) {
  EXPECT_EQ(match_control("/_dialtone/audio")->kind, ControlKind::kAudio);
  auto one = match_control("/_dialtone/audio/greeting");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->kind, ControlKind::kAudioClip);
  EXPECT_EQ(one->action, "greeting");
  EXPECT_FALSE(match_control("/_dialtone/audio/a/b"));
  EXPECT_TRUE(control_method_allowed(ControlKind::kAudioClip, "PUT"));
  EXPECT_FALSE(control_method_allowed(ControlKind::kAudio, "PUT"));
}

TEST_F(ControlAudioTest, RawMulawByContentTypeListedPerAccount) {
  Response made = call("PUT", "/_dialtone/audio/hi", std::string(800, '\x12'),
                       "audio/x-mulaw; rate=8000");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.body, R"({"name": "hi", "format": "mulaw", "samples": 800, "duration_ms": 100})");
  EXPECT_EQ(call("POST", "/_dialtone/audio/hi", std::string(8, '\x12'), "audio/basic").status, 200);
  EXPECT_EQ(call("GET", "/_dialtone/audio").body,
            R"({"audio": [{"name": "hi", "format": "mulaw", "samples": 8, "duration_ms": 1}]})");
  // Another root account's world has its own clips; a subaccount shares its parent's.
  EXPECT_EQ(call("GET", "/_dialtone/audio?AccountSid=" + kOther).body, R"({"audio": []})");
  EXPECT_EQ(call("GET", "/_dialtone/audio/hi?AccountSid=" + kSub).status, 200);
  EXPECT_EQ(call("GET", "/_dialtone/audio?AccountSid=ACnope").status, 404);
}

TEST_F(ControlAudioTest, BadUploadsAreTwilioStyleErrors) {
  Response mp3 = call("PUT", "/_dialtone/audio/x", "ID3...", "audio/mpeg");
  EXPECT_EQ(mp3.status, 400);
  auto doc = parse_json(mp3.body);
  EXPECT_EQ(doc["code"].GetInt(), 20001);
  EXPECT_EQ(doc["status"].GetInt(), 400);
  EXPECT_NE(std::string(doc["message"].GetString()).find("audio/mpeg"), std::string::npos);
  EXPECT_TRUE(doc.HasMember("more_info"));
  EXPECT_EQ(call("PUT", "/_dialtone/audio/x", "", "audio/basic").status, 400) << "empty";
  EXPECT_EQ(call("PUT", "/_dialtone/audio/x", "RIFFxxxxWAVE", "audio/wav").status, 400);
  EXPECT_EQ(call("PUT", "/_dialtone/audio/bad$name", "abc", "audio/basic").status, 400);
  Response big = call("PUT", "/_dialtone/audio/x",
                      std::string(core::media::kMaxClipUploadBytes + 1, '\x12'), "audio/basic");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(parse_json(big.body)["code"].GetInt(), 20001);
  Response none = call("GET", "/_dialtone/audio/x");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(parse_json(none.body)["code"].GetInt(), 20404);
  EXPECT_EQ(call("DELETE", "/_dialtone/audio/x").status, 404);
}

TEST_F(ControlAudioTest, TheLiveSayNamesAClip) {
  auto say = parse_live_turn("say", fields({{"Text", "hello"}, {"Audio", "greeting"}}));
  ASSERT_TRUE(say.ok()) << say.error().message;
  EXPECT_EQ(say->audio, "greeting");
  EXPECT_FALSE(parse_live_turn("say", fields({{"Text", "hello"}, {"Audio", "greeting"},
                                              {"Duration", "2s"}}))
                   .ok());
  EXPECT_FALSE(parse_live_turn("say", fields({{"Text", "hello"}, {"Audio", "a=b"}})).ok());
}

}  // namespace
}  // namespace dialtone::api::testing
