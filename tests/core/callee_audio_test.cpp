// Audio a test supplies for the callee (core/media/clip.hpp, docs/conversations.md "Audio
// clips"): uploads parsed and bounded; a `say(audio=NAME)` turn lasts as long as the clip; a
// Media Stream's inbound frames carry its μ-law bytes exactly, in order, 20 ms a frame; a
// recording holds its PCM at the right offset. And the agent's side of a <Connect><Stream>: the
// app's audio as agent entries of the transcript, split by pauses and marks, cut by `clear`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/media/base64.hpp"
#include "core/media/call_audio.hpp"
#include "core/media/clip.hpp"
#include "core/media/mulaw.hpp"
#include "core/media/recording_audio.hpp"
#include "tests/core/conversation_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::ElementsAre;
using media::Clip;
using media::ClipContent;

void put_le(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A WAV file: `format` 1 (PCM, 16 bits) or 7 (μ-law, 8 bits), with a LIST chunk before the
// data as editors write one.
std::string wav(uint16_t format, const std::string& data, uint32_t rate = 8000,
                uint16_t channels = 1) {
  const uint16_t bits = format == 1 ? 16 : 8;
  std::string fmt;
  put_le(fmt, format, 2);
  put_le(fmt, channels, 2);
  put_le(fmt, rate, 4);
  put_le(fmt, rate * channels * bits / 8, 4);
  put_le(fmt, static_cast<uint32_t>(channels * bits / 8), 2);
  put_le(fmt, bits, 2);
  std::string out = "RIFF";
  put_le(out, static_cast<uint32_t>(4 + 8 + fmt.size() + 8 + 4 + 8 + data.size()), 4);
  out += "WAVEfmt ";
  put_le(out, static_cast<uint32_t>(fmt.size()), 4);
  out += fmt;
  out += "LIST";
  put_le(out, 3, 4);
  out += "abc";
  out.push_back('\0');  // the odd chunk's pad byte
  out += "data";
  put_le(out, static_cast<uint32_t>(data.size()), 4);
  return out + data;
}

// `n` samples that are not a tone or silence: a pattern a wrong offset cannot match.
std::vector<int16_t> pattern(size_t n) {
  std::vector<int16_t> s(n);
  uint32_t x = 12345;
  for (auto& v : s) {
    x = x * 1103515245u + 12345u;
    v = static_cast<int16_t>(static_cast<int32_t>((x >> 8) % 20001) - 10000);
  }
  return s;
}

std::string pcm_bytes(const std::vector<int16_t>& s) {
  std::string out;
  for (int16_t v : s) put_le(out, static_cast<uint16_t>(v), 2);
  return out;
}

std::string mulaw_pattern(size_t n) {
  std::string out;
  for (int16_t v : pattern(n)) out.push_back(static_cast<char>(media::mulaw_encode(v)));
  return out;
}

TEST(Clips, PcmWavKeepsItsSamplesAndEncodesThemToMulaw) {
  const auto samples = pattern(1001);
  auto c = media::parse_clip("hello", wav(1, pcm_bytes(samples)), ClipContent::kWav);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->format, "wav-pcm16");
  EXPECT_EQ(c->pcm, samples);
  ASSERT_EQ(c->mulaw.size(), 1001u);
  EXPECT_EQ(static_cast<uint8_t>(c->mulaw[7]), media::mulaw_encode(samples[7]));
  EXPECT_EQ(c->length(), Millis{126}) << "1001 samples: 125.125 ms, rounded up";
}

TEST(Clips, MulawWavAndRawMulawKeepTheirBytes) {
  const std::string bytes = mulaw_pattern(800);
  for (auto [body, content, format] :
       {std::tuple{wav(7, bytes), ClipContent::kWav, "wav-mulaw"},
        std::tuple{bytes, ClipContent::kRawMulaw, "mulaw"}}) {
    auto c = media::parse_clip("m", body, content);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->format, format);
    EXPECT_EQ(c->mulaw, bytes);
    EXPECT_EQ(c->pcm[3], media::mulaw_decode(static_cast<uint8_t>(bytes[3])));
    EXPECT_EQ(c->length(), Millis{100});
  }
}

TEST(Clips, AnythingElseIsA400SayingWhy) {
  const std::string pcm = pcm_bytes(pattern(80));
  auto why = [](const std::string& body) {
    auto c = media::parse_clip("x", body, ClipContent::kWav);
    EXPECT_FALSE(c.ok());
    if (c.ok()) return std::string();
    EXPECT_EQ(c.error().http_status, 400);
    EXPECT_EQ(c.error().code, 20001);
    return c.error().message;
  };
  EXPECT_THAT(why(wav(1, pcm, 16000)), ::testing::HasSubstr("16000 Hz"));
  EXPECT_THAT(why(wav(1, pcm, 8000, 2)), ::testing::HasSubstr("2 channel"));
  EXPECT_THAT(why(wav(3, pcm)), ::testing::HasSubstr("format 3"));  // float
  EXPECT_THAT(why(wav(1, pcm).substr(0, 60)), ::testing::HasSubstr("truncated"));
  EXPECT_THAT(why(wav(1, "")), ::testing::HasSubstr("empty"));
  EXPECT_THAT(why(wav(1, "abc")), ::testing::HasSubstr("odd"));
  EXPECT_THAT(why("ID3 an mp3"), ::testing::HasSubstr("RIFF"));
  EXPECT_FALSE(media::parse_clip("x", "", ClipContent::kRawMulaw).ok());
  EXPECT_TRUE(media::valid_clip_name("greeting_2.v1-a"));
  EXPECT_FALSE(media::valid_clip_name("a/b"));
  EXPECT_FALSE(media::valid_clip_name(std::string(65, 'a')));
}

TEST(Clips, AWorldHoldsABoundedNumberAndSize) {
  media::ClipBook book;
  auto clip = [](std::string name, size_t samples) {
    Clip c;
    c.name = std::move(name);
    c.mulaw.assign(samples, '\x55');
    c.pcm.assign(samples, 1);
    return std::make_shared<const Clip>(std::move(c));
  };
  for (size_t i = 0; i < media::kMaxClipsPerWorld; ++i) {
    ASSERT_TRUE(book.put(clip("c" + std::to_string(i), 10)).ok());
  }
  auto full = book.put(clip("one-more", 10));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().http_status, 413);
  EXPECT_TRUE(book.put(clip("c0", 20)).ok()) << "replacing needs no room";
  book.clear();
  // 3 bytes a sample are kept (μ-law and PCM): 16 MiB hold about 5.6 M samples.
  EXPECT_TRUE(book.put(clip("big", 5'000'000)).ok());
  EXPECT_EQ(book.put(clip("big2", 1'000'000)).error().http_status, 413);
  EXPECT_TRUE(book.put(clip("big", 5'500'000)).ok()) << "the replaced clip's room is free";
  EXPECT_TRUE(book.erase("big"));
  EXPECT_FALSE(book.erase("big"));
  EXPECT_EQ(book.find("big"), nullptr);
}

TEST(Clips, ScriptTurnsNameThemAndTakeNoDuration) {
  auto t = callee::parse_turn("say(audio=greeting, confidence=0.5):Hello there");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->audio, "greeting");
  EXPECT_EQ(callee::format_turn(*t), "say(audio=greeting, confidence=0.5):Hello there");
  EXPECT_EQ(callee::parse_turn(callee::format_turn(*t)).value(), *t);
  EXPECT_FALSE(callee::parse_turn("say(2s, audio=greeting):Hello").ok());
  EXPECT_FALSE(callee::parse_turn("say(audio=a/b):Hello").ok());
  auto i = callee::parse_turn("interrupt(1s, audio=stop):Stop");
  ASSERT_TRUE(i.ok()) << i.error().message;
  EXPECT_EQ(i->after, Millis{1000});
  EXPECT_EQ(i->audio, "stop");
}

TEST(Clips, InboundFramesCarryTheClipSampleForSample) {
  media::CallAudio a;
  Clip c;
  c.mulaw = mulaw_pattern(50);  // 6.25 ms: 7 ms with the rounding, the rest silent
  const TimePoint t0{Millis{1'000'000}};
  a.play_clip(t0 + Millis{15}, std::make_shared<const Clip>(c), t0);
  const std::string f0 = media::inbound_audio(a, t0, 20, 0);
  const std::string f1 = media::inbound_audio(a, t0 + Millis{20}, 20, 160);
  EXPECT_EQ(f0.substr(0, 120), media::silence(15));
  EXPECT_EQ(f0.substr(120) + f1.substr(0, 10), c.mulaw);
  EXPECT_EQ(f1.substr(10), media::silence(20).substr(10));
}

// ---------------------------------------------------------------- through the engine

class CalleeAudio : public ConversationTest {
 protected:
  void upload(const std::string& name, const std::string& body, ClipContent content) {
    auto c = media::parse_clip(name, body, content);
    ASSERT_TRUE(c.ok()) << c.error().message;
    ASSERT_TRUE(engine().clips(kAc).put(std::make_shared<const Clip>(std::move(*c))).ok());
  }
  // Runs `verbs` (a <Connect><Stream>) and opens its socket at the answer.
  std::string run_stream(const std::string& verbs) {
    const std::string sid = run(verbs);
    for (const auto& c : stream_commands())
      if (c.kind == StreamCommand::Kind::kOpen) stream_id_ = c.stream_id;
    EXPECT_NE(stream_id_, 0u);
    stream_commands().clear();
    feed(StreamEvent::Kind::kOpened);
    return sid;
  }
  void feed(StreamEvent::Kind kind, std::string text = {}) {
    Effects effects;
    engine().on_stream_event(StreamEvent{kind, stream_id_, kAc, 0, std::move(text)}, effects);
    pump(effects);
  }
  // The app plays `ms` of audio (any bytes: dialtone hears no words in them).
  void app_media(int ms) {
    feed(StreamEvent::Kind::kText,
         R"({"event":"media","media":{"payload":")" +
             media::base64_encode(std::string(static_cast<size_t>(ms) * 8, '\x10')) + R"("}})");
  }
  void app(const std::string& event, const std::string& extra = {}) {
    feed(StreamEvent::Kind::kText, R"({"event":")" + event + "\"" + extra + "}");
  }
  // Moves the clock to `ms` after the answer.
  void at(int64_t ms) {
    advance(std::chrono::duration<double>(answered_at_ + Millis{ms} - now()).count());
  }
  // The inbound track's bytes, frame after frame, checking each is one 20 ms frame in order.
  std::string inbound() {
    std::string out;
    uint64_t chunk = 0;
    for (const auto& c : stream_commands()) {
      if (c.kind != StreamCommand::Kind::kSend || c.text.find(R"("event":"media")") == std::string::npos) {
        continue;
      }
      const size_t p = c.text.find(R"("payload":")") + 11;
      const auto bytes = media::base64_decode(c.text.substr(p, c.text.find('"', p) - p));
      EXPECT_TRUE(bytes && bytes->size() == 160) << c.text;
      EXPECT_NE(c.text.find(R"("chunk":")" + std::to_string(++chunk) + "\""), std::string::npos);
      if (bytes) out += *bytes;
    }
    return out;
  }
  uint64_t stream_id_ = 0;
};

TEST_F(CalleeAudio, AStreamCarriesTheClipsMulawBytesExactlyWhereTheTurnSaysIt) {
  const std::string clip = mulaw_pattern(1234);  // 154.25 ms: the turn lasts 155 ms
  upload("hello", clip, ClipContent::kRawMulaw);
  script({"silence:1010ms", "say(audio=hello):hello there", "press:5"});
  const std::string sid = run_stream("<Connect><Stream url=\"wss://bot.example.com/m\"/></Connect>");
  advance(2);
  const std::string in = inbound();
  ASSERT_EQ(in.size(), 2u * 8000u) << "2 s of frames";
  EXPECT_EQ(in.substr(0, 8080), media::silence(1010));
  EXPECT_EQ(in.substr(8080, 1234), clip);
  EXPECT_EQ(in.substr(8080 + 1234), media::silence(2000).substr(8080 + 1234))
      << "no tone: the clip is what the callee says";
  EXPECT_THAT(transcript(sid), ElementsAre("callee speech 1010-1165 hello there (stream)",
                                           "callee digits 1165-1165 5 (script)"));
  const auto says = journal(sid, "callee");
  ASSERT_FALSE(says.empty());
  EXPECT_EQ(*says[0]->field("audio"), "hello");
}

TEST_F(CalleeAudio, AClipThatIsNotUploadedIsSaidAsAToneWithAWarning) {
  // (A first turn that speaks would speak before the TwiML opened the stream: wait a little.)
  script({"silence:100ms", "say(audio=nope):hello there"});
  const std::string sid = run_stream("<Connect><Stream url=\"wss://bot.example.com/m\"/></Connect>");
  advance(1);
  EXPECT_THAT(transcript(sid), ElementsAre("callee speech 100-900 hello there (stream)"));
  EXPECT_THAT(notification_codes(sid), ElementsAre(12200));
  Effects e;
  callee::Turn t;
  t.text = "hi";
  t.audio = "nope";
  EXPECT_EQ(engine().callee_turn(sid, t, e).error().http_status, 400);
  upload("nope", mulaw_pattern(80), ClipContent::kRawMulaw);
  EXPECT_TRUE(engine().callee_turn(sid, t, e).ok());
  pump(e);
  advance(1);
  EXPECT_EQ(transcript(sid).back(), "callee speech 1000-1010 hi (stream)");
}

TEST_F(CalleeAudio, ARecordingHoldsTheClipsPcmAtItsPlace) {
  const auto samples = pattern(4000);  // 500 ms
  upload("pcm", wav(1, pcm_bytes(samples)), ClipContent::kWav);
  script({"silence:1s", "say(audio=pcm):hi", "silence:1s", "hangup"});
  const std::string sid = run("<Pause length=\"10\"/>");
  Effects effects;
  auto r = engine().create_recording(kAc, sid, recording::Options{}, effects);
  pump(effects);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string rsid = (*r)->sid;
  advance(5);
  const recording::Recording* done = engine().find_recording(kAc, rsid);
  ASSERT_NE(done, nullptr);
  ASSERT_EQ(done->status, recording::Status::kCompleted);
  EXPECT_EQ(done->duration_s, 3) << "2.5 s, rounded";
  const auto offset = static_cast<size_t>((answered_at_ + Millis{1000} - done->start_time).count() * 8);
  std::string pcm;
  media::render_pcm(done->audio, 0, done->audio.frames(), 1, pcm);
  ASSERT_EQ(pcm.size(), 3u * 8000u * 2u);
  EXPECT_EQ(pcm.substr(offset * 2, samples.size() * 2), pcm_bytes(samples));
  EXPECT_EQ(pcm.substr(0, offset * 2), std::string(offset * 2, '\0'));
  EXPECT_EQ(pcm.substr((offset + samples.size()) * 2),
            std::string(pcm.size() - (offset + samples.size()) * 2, '\0'));
}

TEST_F(CalleeAudio, TheAppsAudioIsTheAgentSpeakingInStretches) {
  // The app greets (1 s, then a mark); the callee answers 500 ms after it; the app answers in
  // two pieces split by a mark; then talks on and is interrupted: it hears the callee and
  // clears, 60 ms into the callee's words (docs/conversations.md).
  script({"wait", "say:What are your hours", "wait", "interrupt(600ms):Stop", "hangup"});
  const std::string sid = run_stream("<Connect><Stream url=\"wss://bot.example.com/m\"/></Connect>");
  app_media(1000);
  app("mark", R"(,"mark":{"name":"greeting"})");
  at(3600);
  app_media(1000);
  app("mark", R"(,"mark":{"name":"one"})");
  app_media(1000);
  at(6100);
  app_media(3000);
  at(6760);
  app("clear");
  advance(2);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_THAT(transcript(sid), ElementsAre("agent speech 0-1000 (stream)",
                                           "callee speech 1500-3100 What are your hours (stream)",
                                           "agent speech 3600-4600 (stream)",
                                           "agent speech 4600-5600 (stream)",
                                           "agent speech 6100-6760 (stream) interrupted",
                                           "callee speech 6700-7100 Stop (stream)",
                                           "callee hangup 7100-7100 (script)"));
}

TEST_F(CalleeAudio, AClearWithNobodySpeakingAShortGapAndAClosedSocket) {
  script({"silence:5s", "hangup"});
  const std::string sid = run_stream("<Connect><Stream url=\"wss://bot.example.com/m\"/></Connect>"
                                     "<Pause length=\"10\"/>");
  app_media(1000);
  app("mark", R"(,"mark":{"name":"a"})");
  app_media(1000);  // queued behind the first second: never heard once cleared
  at(500);
  app("clear");  // nobody spoke over it: cut, not interrupted
  at(2000);
  app_media(1000);
  at(3100);
  app_media(1000);  // 100 ms after the last ran out: the same stretch
  at(3500);
  feed(StreamEvent::Kind::kClosed);  // 600 ms still queued: never heard
  advance(5);
  EXPECT_THAT(transcript(sid), ElementsAre("agent speech 0-500 (stream)",
                                           "agent speech 2000-3500 (stream) interrupted",
                                           "callee hangup 5000-5000 (script)"));
}

}  // namespace
}  // namespace dialtone::core::testing
