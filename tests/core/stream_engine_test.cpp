// Media Streams through the engine: the TwiML verbs, the REST commands and the socket events,
// with the fixture's manual clock and fake app. The server's WebSocket client is replaced by
// reading the StreamCommands the engine hands out and feeding StreamEvents back.
#include <gtest/gtest.h>

#include "engine_fixture.hpp"

namespace dialtone::core::testing {
namespace {

const std::string kBot = "wss://bot.example.com/media";

class StreamEngineTest : public EngineTest {
 protected:
  // The commands handed out since the last call, then forgotten.
  std::vector<StreamCommand> commands() {
    std::vector<StreamCommand> out = std::move(stream_commands());
    stream_commands().clear();
    return out;
  }
  std::vector<std::string> sent_texts(const std::vector<StreamCommand>& cs) {
    std::vector<std::string> out;
    for (const auto& c : cs)
      if (c.kind == StreamCommand::Kind::kSend) out.push_back(c.text);
    return out;
  }
  static size_t count_event(const std::vector<std::string>& texts, const std::string& event) {
    size_t n = 0;
    for (const auto& t : texts)
      if (t.find("\"event\":\"" + event + "\"") != std::string::npos) ++n;
    return n;
  }
  void feed(StreamEvent::Kind kind, uint64_t id, std::string text = {}, int code = 0) {
    Effects effects;
    engine().on_stream_event(StreamEvent{kind, id, kAc, code, std::move(text)}, effects);
    pump(effects);
  }
  // The call answers and runs `twiml`; returns the opened stream's id.
  uint64_t call_with_stream(const std::string& twiml_body, std::string* sid_out = nullptr) {
    on_twiml(kVoice, twiml_body);
    const std::string sid = answered_call();
    if (sid_out) *sid_out = sid;
    opened_.clear();
    for (const auto& c : commands())
      if (c.kind == StreamCommand::Kind::kOpen) {
        EXPECT_EQ(c.text, kBot);
        EXPECT_EQ(c.auth_token, kToken);
        opened_.push_back(c.stream_id);
      }
    if (opened_.empty()) ADD_FAILURE() << "no stream was opened";
    return opened_.empty() ? 0 : opened_.front();
  }
  std::vector<uint64_t> opened_;  // by the last call_with_stream, in order
  std::vector<std::string> stream_events(const std::string& sid) {
    std::vector<std::string> out;
    for (const auto* e : journal(sid, "stream")) out.emplace_back(*e->field("event"));
    return out;
  }
};

TEST_F(StreamEngineTest, StartStreamForksAndTheCallGoesOn) {
  std::string sid;
  const uint64_t id = call_with_stream(
      "<Response><Start><Stream url=\"" + kBot + "\" name=\"tap\" statusCallback=\"" + kApp +
          "/s\"><Parameter name=\"a\" value=\"b\"/></Stream></Start><Pause length=\"3\"/></Response>",
      &sid);
  EXPECT_EQ(verbs(sid), (std::vector<std::string>{"Start", "Pause"}));
  feed(StreamEvent::Kind::kOpened, id);
  auto texts = sent_texts(commands());
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_NE(texts[1].find(R"("customParameters":{"a":"b"})"), std::string::npos);
  advance(1);
  EXPECT_EQ(count_event(sent_texts(commands()), "media"), 50u) << "1 s of 20 ms frames";
  auto started = sent_to(kApp + "/s");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started[0].param("StreamEvent"), "stream-started");
  EXPECT_EQ(started[0].param("StreamName"), "tap");
  EXPECT_EQ(started[0].param("Timestamp"), "2026-01-01T00:00:01.000Z");
  EXPECT_FALSE(started[0].has("CallStatus")) << "a stream callback has its own parameters";
  advance(2);  // the pause ends, the document ends, the call hangs up
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  auto last = commands();
  auto texts_end = sent_texts(last);
  EXPECT_EQ(count_event(texts_end, "media"), 100u);
  EXPECT_NE(texts_end.back().find("\"event\":\"stop\""), std::string::npos);
  EXPECT_EQ(last.back().kind, StreamCommand::Kind::kClose);
  EXPECT_EQ(sent_to(kApp + "/s").back().param("StreamEvent"), "stream-stopped");
  EXPECT_EQ(stream_events(sid), (std::vector<std::string>{"created", "started", "stopped"}));
}

TEST_F(StreamEngineTest, ConnectStreamBlocksUntilTheAppClosesThenTheNextVerbRuns) {
  std::string sid;
  const uint64_t id = call_with_stream("<Response><Connect><Stream url=\"" + kBot +
                                           "\"/></Connect><Say>bye</Say></Response>",
                                       &sid);
  feed(StreamEvent::Kind::kOpened, id);
  advance(10);
  EXPECT_EQ(verbs(sid), (std::vector<std::string>{"Connect"})) << "blocked in <Connect>";
  commands();
  feed(StreamEvent::Kind::kText, id,
       R"({"event":"media","media":{"payload":")" + std::string(10664, 'A') + "\"}}");
  feed(StreamEvent::Kind::kText, id, R"({"event":"mark","mark":{"name":"done"}})");
  advance(1);
  EXPECT_EQ(count_event(sent_texts(commands()), "mark"), 1u) << "8000 bytes played in 1 s";
  feed(StreamEvent::Kind::kClosed, id);
  EXPECT_EQ(verbs(sid), (std::vector<std::string>{"Connect", "Say"}));
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  const stream::Session* s = nullptr;
  for (const auto* e : journal(sid, "stream"))
    if (!s) s = engine().find_stream(kAc, std::string(*e->field("sid")));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->heard().size(), 11u * 8000u) << "11 s heard: 1 s of the app's audio in it";
}

TEST_F(StreamEngineTest, ConnectActionIsRequestedWhenTheAppCloses) {
  on_twiml(kApp + "/after", "<Response><Hangup/></Response>");
  std::string sid;
  const uint64_t id = call_with_stream("<Response><Connect action=\"" + kApp +
                                           "/after\"><Stream url=\"" + kBot +
                                           "\"/></Connect><Say>never</Say></Response>",
                                       &sid);
  feed(StreamEvent::Kind::kOpened, id);
  feed(StreamEvent::Kind::kClosed, id);
  EXPECT_EQ(sent_to(kApp + "/after").size(), 1u);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(verbs(sid), (std::vector<std::string>{"Connect", "Hangup"}));
}

TEST_F(StreamEngineTest, HandshakeFailureIsANotificationAndTheCallFallsThrough) {
  std::string sid;
  const uint64_t id = call_with_stream("<Response><Connect><Stream url=\"" + kBot +
                                           "\"/></Connect><Say>sorry</Say></Response>",
                                       &sid);
  feed(StreamEvent::Kind::kFailed, id, "HTTP 404 to the upgrade", stream::kErrHandshake);
  EXPECT_EQ(notification_codes(sid), (std::vector<int>{stream::kErrHandshake}));
  EXPECT_EQ(verbs(sid), (std::vector<std::string>{"Connect", "Say"}));
}

TEST_F(StreamEngineTest, DtmfReachesBidirectionalStreamsOnly) {
  std::string sid;
  const uint64_t id = call_with_stream("<Response><Start><Stream url=\"" + kBot +
                                           "\"/></Start><Connect><Stream url=\"" + kBot +
                                           "\"/></Connect></Response>",
                                       &sid);
  ASSERT_EQ(opened_.size(), 2u);
  const uint64_t bidirectional = opened_[1];
  feed(StreamEvent::Kind::kOpened, id);
  feed(StreamEvent::Kind::kOpened, bidirectional);
  commands();
  digits(sid, "5");
  auto after = commands();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].stream_id, bidirectional);
  EXPECT_NE(after[0].text.find(R"("digit":"5")"), std::string::npos);
}

TEST_F(StreamEngineTest, CalleeSpeechIsAToneOnTheInboundTrack) {
  std::string sid;
  const uint64_t id = call_with_stream(
      "<Response><Start><Stream url=\"" + kBot + "\"/></Start><Pause length=\"9\"/></Response>",
      &sid);
  feed(StreamEvent::Kind::kOpened, id);
  Effects effects;
  ASSERT_TRUE(engine().callee_speech(sid, "hello there", effects).ok());  // 1 s of speech
  advance(2);
  auto texts = sent_texts(commands());
  ASSERT_EQ(count_event(texts, "media"), 100u);
  const std::string quiet_frame = "/////////////////////";
  size_t loud = 0;
  for (const auto& t : texts)
    if (t.find(quiet_frame) == std::string::npos) ++loud;
  EXPECT_EQ(loud, 2u + 50u) << "connected, start, then 50 frames of tone";
}

TEST_F(StreamEngineTest, RestStreamsCreateAndStopByName) {
  on_twiml(kVoice, "<Response><Pause length=\"60\"/></Response>");
  const std::string sid = answered_call();
  stream::Spec spec;
  spec.url = "ws://localhost:9/x?dropped=1";
  spec.name = "rest";
  Effects effects;
  auto created = engine().create_stream(kAc, sid, spec, effects);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ((*created)->spec().url, "ws://localhost:9/x") << "the query is dropped";
  EXPECT_EQ((*created)->sid().substr(0, 2), "MZ");
  auto again = engine().create_stream(kAc, sid, spec, effects);
  EXPECT_FALSE(again.ok()) << "names are unique on a call";
  spec.url = "https://not-a-socket";
  auto bad = engine().create_stream(kAc, sid, spec, effects);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, stream::kErrMalformedUrl);
  auto stopped = engine().stop_stream(kAc, sid, "rest", effects);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ((*stopped)->state(), stream::State::kStopped);
  EXPECT_TRUE(engine().stop_stream(kAc, sid, "rest", effects).ok()) << "stopping twice is fine";
  EXPECT_EQ(engine().stop_stream(kAc, sid, "nope", effects).error().http_status, 404);
  callee(sid, CalleeAction::kHangup);
  EXPECT_EQ(engine().create_stream(kAc, sid, spec, effects).error().code, 21220);
}

TEST_F(StreamEngineTest, UpdatingTheCallEndsTheConnectAndRequestsItsActionWithoutRunningIt) {
  on_twiml(kApp + "/next", "<Response><Pause length=\"5\"/></Response>");
  std::string sid;
  const uint64_t id = call_with_stream("<Response><Connect action=\"" + kApp +
                                           "/act\"><Stream url=\"" + kBot +
                                           "\"/></Connect></Response>",
                                       &sid);
  feed(StreamEvent::Kind::kOpened, id);
  commands();
  ASSERT_TRUE(update(sid, redirect_to(kApp + "/next")).ok());
  auto cs = commands();
  ASSERT_GE(cs.size(), 2u);
  EXPECT_NE(cs[cs.size() - 2].text.find("\"event\":\"stop\""), std::string::npos);
  EXPECT_EQ(cs.back().kind, StreamCommand::Kind::kClose);
  EXPECT_EQ(sent_for(sid, WebhookPurpose::kActionNoTwiml).size(), 1u);
  EXPECT_EQ(verbs(sid).back(), "Pause");
}

TEST_F(StreamEngineTest, AHostileAppGetsOneNotificationPerKindOfFault) {
  std::string sid;
  const uint64_t id = call_with_stream("<Response><Connect><Stream url=\"" + kBot +
                                           "\"/></Connect></Response>",
                                       &sid);
  feed(StreamEvent::Kind::kOpened, id);
  for (int i = 0; i < 100; ++i) {
    feed(StreamEvent::Kind::kText, id, "{{{");
    feed(StreamEvent::Kind::kBinary, id);
    feed(StreamEvent::Kind::kText, id, R"({"event":"bogus"})");
  }
  EXPECT_EQ(notification_codes(sid),
            (std::vector<int>{stream::kErrMalformedMessage, stream::kErrProtocol}));
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
}

TEST_F(StreamEngineTest, AResetHandsTheLiveSocketsToTheServerToClose) {
  const uint64_t id = call_with_stream("<Response><Connect><Stream url=\"" + kBot +
                                       "\"/></Connect></Response>");
  engine().reset();
  EXPECT_EQ(engine().take_dropped_streams(), (std::vector<uint64_t>{id}));
  feed(StreamEvent::Kind::kText, id, "{}");
  auto cs = commands();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].kind, StreamCommand::Kind::kClose);
}

}  // namespace
}  // namespace dialtone::core::testing
