// core/stream: the Media Streams messages and one session's protocol, against a clock the test
// moves. The expected frames are Twilio's documented shapes (reference §3.4).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/media/base64.hpp"
#include "core/media/mulaw.hpp"
#include "core/stream/session.hpp"

namespace dialtone::core::stream {
namespace {

const std::string kAc = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kCa = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kMz = "MZcccccccccccccccccccccccccccccccc";
const TimePoint kT0{Millis{1767225600000}};

TimePoint at_ms(int64_t ms) { return kT0 + Millis{ms}; }

Session make(bool bidirectional, Track track = Track::kInbound, Parameters params = {}) {
  Spec spec;
  spec.url = "wss://bot.example.com/media";
  spec.bidirectional = bidirectional;
  spec.track = track;
  spec.parameters = std::move(params);
  return Session(7, kMz, kAc, kCa, std::move(spec), kT0);
}

std::string app_media(const std::string& mulaw) {
  return R"({"event":"media","streamSid":")" + kMz + R"(","media":{"payload":")" +
         media::base64_encode(mulaw) + R"("}})";
}
std::string app_mark(const std::string& name) {
  return R"({"event":"mark","streamSid":")" + kMz + R"(","mark":{"name":")" + name + R"("}})";
}

TEST(StreamMessages, ConnectedAndStartAreTwiliosShapes) {
  Session s = make(false, Track::kInbound, {{"FirstName", "Jane"}});
  std::vector<std::string> out;
  s.open(kT0, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], R"({"event":"connected","protocol":"Call","version":"1.0.0"})");
  EXPECT_EQ(out[1], R"({"event":"start","sequenceNumber":"1","start":{"accountSid":")" + kAc +
                        R"(","streamSid":")" + kMz + R"(","callSid":")" + kCa +
                        R"(","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw",)"
                        R"("sampleRate":8000,"channels":1},"customParameters":{"FirstName":)"
                        R"("Jane"}},"streamSid":")" + kMz + R"("})");
}

TEST(StreamMessages, TracksOfEachConfiguration) {
  auto tracks_of = [](Session s) {
    std::vector<std::string> out;
    s.open(kT0, out);
    return out[1].substr(out[1].find("\"tracks\""), out[1].find(']') - out[1].find("\"tracks\"") + 1);
  };
  EXPECT_EQ(tracks_of(make(false, Track::kInbound)), R"("tracks":["inbound"])");
  EXPECT_EQ(tracks_of(make(false, Track::kOutbound)), R"("tracks":["outbound"])");
  EXPECT_EQ(tracks_of(make(false, Track::kBoth)), R"("tracks":["inbound","outbound"])");
  EXPECT_EQ(tracks_of(make(true)), R"("tracks":["inbound"])");
}

TEST(StreamSession, OneSecondIsFiftyFramesOfTwentyMilliseconds) {
  Session s = make(false);
  std::vector<std::string> out;
  s.open(kT0, out);
  out.clear();
  s.advance(at_ms(19), {}, out);
  EXPECT_TRUE(out.empty()) << "the first frame is due once its 20 ms have passed";
  s.advance(at_ms(1000), {}, out);
  ASSERT_EQ(out.size(), 50u);
  const std::string silence = media::base64_encode(media::silence(20));
  EXPECT_EQ(out[0], R"({"event":"media","sequenceNumber":"2","media":{"track":"inbound",)"
                    R"("chunk":"1","timestamp":"0","payload":")" + silence +
                        R"("},"streamSid":")" + kMz + R"("})");
  EXPECT_NE(out[49].find(R"("sequenceNumber":"51")"), std::string::npos);
  EXPECT_NE(out[49].find(R"("chunk":"50","timestamp":"980")"), std::string::npos);
  EXPECT_EQ(s.next_frame_due(), at_ms(1020));
}

TEST(StreamSession, BothTracksSendOneFrameEachPerTwentyMilliseconds) {
  Session s = make(false, Track::kBoth);
  std::vector<std::string> out;
  s.open(kT0, out);
  out.clear();
  media::CallAudio audio;
  audio.callee_speaks_until = at_ms(40);  // the callee speaks for the first two frames
  s.advance(at_ms(60), audio, out);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_NE(out[0].find(R"("track":"inbound","chunk":"1")"), std::string::npos);
  EXPECT_NE(out[1].find(R"("track":"outbound","chunk":"1")"), std::string::npos);
  EXPECT_NE(out[5].find(R"("track":"outbound","chunk":"3","timestamp":"40")"),
            std::string::npos);
  const std::string quiet = media::base64_encode(media::silence(20));
  EXPECT_EQ(out[0].find(quiet), std::string::npos) << "the callee's tone";
  EXPECT_NE(out[4].find(quiet), std::string::npos) << "silence once the callee stopped";
}

TEST(StreamSession, MarkComesBackOnceTheAudioBeforeItHasPlayed) {
  Session s = make(true);
  std::vector<std::string> out;
  s.open(kT0, out);
  out.clear();
  const std::string second = media::tone(440, 1000);
  EXPECT_EQ(s.on_app_text(app_media(second), out).bytes, 8000u);
  EXPECT_EQ(s.on_app_text(app_mark("a"), out).error_code, 0);
  EXPECT_TRUE(out.empty());
  s.advance(at_ms(980), {}, out);
  for (const auto& m : out) EXPECT_EQ(m.find("\"mark\""), std::string::npos) << m;
  out.clear();
  s.advance(at_ms(1000), {}, out);
  ASSERT_EQ(out.size(), 2u);  // the 50th inbound frame, then the mark
  EXPECT_EQ(out[1], R"({"event":"mark","sequenceNumber":"52","streamSid":")" + kMz +
                        R"(","mark":{"name":"a"}})");
  EXPECT_EQ(s.heard(), second) << "the caller heard exactly the app's second of audio";
  s.advance(at_ms(1100), {}, out);
  EXPECT_EQ(s.heard().size(), 8000u + 5 * 160u);
  EXPECT_TRUE(media::is_silent(s.heard().substr(8000)));
}

TEST(StreamSession, MarkWithNothingQueuedIsEchoedAtOnce) {
  Session s = make(true);
  std::vector<std::string> out;
  s.open(kT0, out);
  out.clear();
  s.on_app_text(app_mark("now"), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find(R"("name":"now")"), std::string::npos);
}

TEST(StreamSession, ClearDropsTheAudioAndEchoesEveryPendingMarkInOrder) {
  Session s = make(true);
  std::vector<std::string> out;
  s.open(kT0, out);
  out.clear();
  for (const char* m : {"m1", "m2", "m3"}) {
    s.on_app_text(app_media(media::tone(440, 1000)), out);
    s.on_app_text(app_mark(m), out);
  }
  s.advance(at_ms(200), {}, out);
  out.clear();
  s.on_app_text(R"({"event":"clear","streamSid":")" + kMz + "\"}", out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NE(out[0].find("\"m1\""), std::string::npos);
  EXPECT_NE(out[1].find("\"m2\""), std::string::npos);
  EXPECT_NE(out[2].find("\"m3\""), std::string::npos);
  EXPECT_EQ(s.queued_bytes(), 0u);
  s.advance(at_ms(400), {}, out);
  EXPECT_TRUE(media::is_silent(s.heard().substr(1600))) << "nothing heard after the clear";
}

TEST(StreamSession, AppMessagesThatCannotBeTakenSayWhy) {
  Session bi = make(true);
  std::vector<std::string> out;
  bi.open(kT0, out);
  EXPECT_EQ(bi.on_app_text("{not json", out).error_code, kErrMalformedMessage);
  EXPECT_EQ(bi.on_app_text("[1,2]", out).error_code, kErrMalformedMessage);
  EXPECT_EQ(bi.on_app_text(R"({"media":{}})", out).error_code, kErrInvalidMessage);
  EXPECT_EQ(bi.on_app_text(R"({"event":"media","media":{"payload":"%%%"}})", out).error_code,
            kErrInvalidMessage);
  EXPECT_EQ(bi.on_app_text(R"({"event":"dance"})", out).error_code, kErrProtocol);
  EXPECT_EQ(bi.on_app_text(std::string(kMaxAppMessageBytes + 1, ' '), out).error_code,
            kErrInvalidMessage);
  Session uni = make(false);
  uni.open(kT0, out);
  EXPECT_EQ(uni.on_app_text(app_mark("x"), out).error_code, kErrProtocol)
      << "the app may not talk on a unidirectional stream";
}

TEST(StreamSession, PlaybackIsBounded) {
  Session s = make(true);
  std::vector<std::string> out;
  s.open(kT0, out);
  const std::string minute = media::silence(60'000);
  size_t taken = 0;
  AppOutcome last;
  for (int i = 0; i < 6; ++i) {
    last = s.on_app_text(app_media(minute), out);
    taken += last.bytes;
  }
  EXPECT_EQ(taken, kMaxPlaybackBytes);
  EXPECT_EQ(last.error_code, kErrInvalidMessage);
}

TEST(StreamSession, DtmfOnlyOnBidirectionalStreams) {
  Session bi = make(true);
  Session uni = make(false);
  std::vector<std::string> out;
  bi.open(kT0, out);
  uni.open(kT0, out);
  out.clear();
  uni.dtmf('5', out);
  EXPECT_TRUE(out.empty());
  bi.dtmf('5', out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], R"({"event":"dtmf","streamSid":")" + kMz +
                        R"(","sequenceNumber":"2","dtmf":{"track":"inbound_track","digit":"5"}})");
}

TEST(StreamSession, StopIsTheLastMessage) {
  Session s = make(false);
  std::vector<std::string> out;
  s.open(kT0, out);
  s.advance(at_ms(40), {}, out);
  out.clear();
  s.stop(at_ms(50), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], R"({"event":"stop","sequenceNumber":"4","stop":{"accountSid":")" + kAc +
                        R"(","callSid":")" + kCa + R"("},"streamSid":")" + kMz + R"("})");
  EXPECT_FALSE(s.live());
  s.advance(at_ms(1000), {}, out);
  EXPECT_EQ(out.size(), 1u) << "nothing after stop";
  Session never_opened = make(false);
  out.clear();
  never_opened.stop(kT0, out);
  EXPECT_TRUE(out.empty()) << "a stream that never connected sends no stop";
}

}  // namespace
}  // namespace dialtone::core::stream
