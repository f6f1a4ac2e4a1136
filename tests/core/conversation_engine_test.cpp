// Scripted callees in a call: the engine runs the callee's script in simulated time against
// what the app's TwiML does, and keeps the transcript of both sides. <Gather input="speech">
// takes SpeechResult and Confidence from the script (docs/conversations.md). A <Say> lasts
// about 15 characters a second (at least 1 s); the callee speaks 400 ms a word and answers the
// agent 500 ms after it stops.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/core/conversation_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::ElementsAre;

class Conversations : public ConversationTest {
 protected:
  Status say_now(const std::string& sid, const std::string& text) {
    callee::Turn t;
    t.text = text;
    Effects effects;
    auto r = engine().callee_turn(sid, t, effects);
    pump(effects);
    return r;
  }
};

TEST_F(Conversations, GatherSpeechTakesTheScriptedAnswerAfterThePrompt) {
  script({"wait", "say(confidence=0.8125):I need help with billing"});
  on_twiml(kNext, doc("<Say>Thanks</Say>"));
  const std::string sid =
      run("<Gather input=\"speech\" speechTimeout=\"auto\" action=\"" + kNext +
          "\"><Say>How can I help?</Say></Gather>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  const Sent action = sent_to(kNext)[0];
  EXPECT_EQ(action.param("SpeechResult"), "I need help with billing");
  EXPECT_EQ(action.param("Confidence"), "0.8125");
  // Prompt 0-1 s, the callee 1.5-3.5 s, then 1 s of silence ends the Gather ("auto").
  EXPECT_EQ(action.at - answered_at_, Millis{4500});
  EXPECT_THAT(transcript(sid),
              ElementsAre("agent speech 0-1000 How can I help? (gather)",
                          "callee speech 1500-3500 I need help with billing (gather)",
                          "agent speech 4500-5500 Thanks (say)"));
}

TEST_F(Conversations, SpeechTimeoutDefaultsToTheGathersTimeout) {
  // A script that speaks at once speaks before the app's TwiML is even fetched: wait first.
  script({"silence:1s", "say:yes"});
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather input=\"speech\" timeout=\"3\" action=\"" + kNext + "\"/>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].at - answered_at_, Millis{1000 + 400 + 3000});
  EXPECT_EQ(sent_to(kNext)[0].param("Confidence"), "0.9");
}

TEST_F(Conversations, SpeechBargesInOnThePromptAndCutsIt) {
  script({"interrupt(500ms):agent please"});
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid =
      run("<Gather input=\"speech\" speechTimeout=\"2\" action=\"" + kNext +
          "\"><Say>Welcome to the long menu of options, listen carefully</Say></Gather>");
  advance(20);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("SpeechResult"), "agent please");
  EXPECT_EQ(sent_to(kNext)[0].at - answered_at_, Millis{500 + 800 + 2000});
  EXPECT_THAT(transcript(sid),
              ElementsAre("agent speech 0-500 Welcome to the long menu of options, listen "
                          "carefully (gather) interrupted",
                          "callee speech 500-1300 agent please (gather)"));
}

TEST_F(Conversations, BargeInFalseLetsThePromptPlayAndSpeechOverItIsNotHeard) {
  script({"interrupt(500ms):agent please"});
  const std::string sid =
      run("<Gather input=\"speech\" bargeIn=\"false\" timeout=\"2\" action=\"" + kNext +
          "\"><Say>Welcome to the long menu of options</Say></Gather><Say>Bye</Say>");
  advance(20);
  EXPECT_TRUE(sent_to(kNext).empty()) << "nothing heard: the Gather falls through";
  EXPECT_THAT(verbs(sid), ElementsAre("Gather", "Say", "(end of document)"));
  EXPECT_EQ(transcript(sid)[0], "agent speech 0-2334 Welcome to the long menu of options "
                                "(gather)");
  EXPECT_EQ(transcript(sid)[1], "callee speech 500-1300 agent please");
}

TEST_F(Conversations, DtmfOnlyGatherDoesNotHearSpeechButHearsKeys) {
  script({"say:hello", "press:42#"});
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid = run("<Gather action=\"" + kNext + "\"/>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "42");
  EXPECT_FALSE(sent_to(kNext)[0].has("SpeechResult"));
  EXPECT_THAT(transcript(sid), ElementsAre("callee speech 0-400 hello",
                                           "callee digits 400-400 42# (script)"));
}

TEST_F(Conversations, PartialResultCallbacksFollowTheWords) {
  script({"silence:1s", "say:one two three"});
  const std::string partial = kApp + "/partial";
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather input=\"dtmf speech\" speechTimeout=\"1\" partialResultCallback=\"/partial\" "
      "action=\"" + kNext + "\"/>");
  advance(10);
  const auto partials = sent_to(partial);
  ASSERT_EQ(partials.size(), 3u);
  std::vector<std::string> seen;
  for (const auto& p : partials) {
    seen.push_back(p.param("SequenceNumber") + ":" + p.param("UnstableSpeechResult") + "@" +
                   std::to_string((p.at - answered_at_).count()));
  }
  EXPECT_THAT(seen, ElementsAre("1:one@1400", "2:one two@1800", "3:one two three@2200"));
  EXPECT_EQ(sent_to(kNext)[0].param("SpeechResult"), "one two three");
}

TEST_F(Conversations, TwoUtterancesWithinTheSpeechTimeoutMakeOneResult) {
  script({"silence:1s", "say:first part", "silence:1s", "say:second part"});
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather input=\"speech\" speechTimeout=\"2\" action=\"" + kNext + "\"/>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("SpeechResult"), "first part second part");
}

TEST_F(Conversations, LiveSayIsHeardByTheGatherAndTranscribed) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid =
      run("<Gather input=\"speech\" speechTimeout=\"auto\" timeout=\"30\" action=\"" + kNext +
          "\"/>");
  advance(2);
  ASSERT_TRUE(say_now(sid, "check my balance").ok());
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("SpeechResult"), "check my balance");
  EXPECT_THAT(transcript(sid),
              ElementsAre("callee speech 2000-3200 check my balance (gather)"));
  EXPECT_TRUE(engine().conversation(sid)->ended());
}

TEST_F(Conversations, ScriptedHangupEndsTheCall) {
  script({"wait", "say:no thanks", "hangup"});
  const std::string sid = run("<Say>Would you like to hear our offers?</Say><Pause length=\"60\"/>");
  advance(10);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 3);  // 2.267 s prompt + 0.5 s + 0.8 s
  EXPECT_THAT(transcript(sid),
              ElementsAre("agent speech 0-2267 Would you like to hear our offers? (say)",
                          "callee speech 2767-3567 no thanks", "callee hangup 3567-3567 (script)"));
}

TEST_F(Conversations, ARedirectCutsTheAgentsPrompt) {
  script({"wait:30s"});
  on_twiml(kNext, doc("<Pause length=\"5\"/>"));
  const std::string sid = run("<Say>This prompt is going to be cut short by a redirect</Say>");
  advance(1);
  ASSERT_TRUE(update(sid, redirect_to(kNext)).ok());
  EXPECT_THAT(transcript(sid),
              ElementsAre("agent speech 0-1000 This prompt is going to be cut short by a "
                          "redirect (say) interrupted"));
}

TEST_F(Conversations, LiveTurnsOnACallNotInProgressAreRefused) {
  const std::string sid = create();
  EXPECT_EQ(say_now(sid, "hello").error().http_status, 409);
  Effects e;
  EXPECT_EQ(engine().callee_turn("CAnope", callee::Turn{}, e).error().http_status, 404);
}

TEST_F(Conversations, AStreamAgentHearsTheScriptAsToneAndKeys) {
  // The callee's speech is a tone on the inbound track for its speaking time; its keys are
  // `dtmf` messages (docs/conversations.md, docs/streams.md).
  script({"silence:1s", "say(1s):hello there", "press:5"});
  const std::string sid =
      run("<Connect><Stream url=\"wss://bot.example.com/media\"/></Connect>");
  uint64_t id = 0;
  for (const auto& c : stream_commands())
    if (c.kind == StreamCommand::Kind::kOpen) id = c.stream_id;
  ASSERT_NE(id, 0u);
  stream_commands().clear();
  Effects effects;
  engine().on_stream_event(StreamEvent{StreamEvent::Kind::kOpened, id, kAc, 0, {}}, effects);
  pump(effects);
  advance(3);
  const std::string quiet_frame = "/////////////////////";  // base64 of μ-law silence
  size_t media = 0, loud = 0, dtmf = 0;
  for (const auto& c : stream_commands()) {
    if (c.kind != StreamCommand::Kind::kSend) continue;
    if (c.text.find(R"("event":"media")") != std::string::npos) {
      ++media;
      if (c.text.find(quiet_frame) == std::string::npos) ++loud;
    }
    if (c.text.find(R"("event":"dtmf")") != std::string::npos &&
        c.text.find(R"("digit":"5")") != std::string::npos) {
      ++dtmf;
    }
  }
  EXPECT_EQ(media, 150u) << "3 s of 20 ms frames";
  // 1 s of tone while the callee speaks, and the frame that ended as it began: whole frames,
  // and media::CallAudio knows when speaking ends, not when it began (docs/streams.md).
  EXPECT_EQ(loud, 51u);
  EXPECT_EQ(dtmf, 1u);
  EXPECT_THAT(transcript(sid), ElementsAre("callee speech 1000-2000 hello there (stream)",
                                           "callee digits 2000-2000 5 (script)"));
}

TEST_F(Conversations, StartTranscriptionCallsBackWithEachUtterance) {
  script({"wait", "say(confidence=0.75):I need help", "hangup"});
  const std::string cb = kApp + "/transcripts";
  run("<Start><Transcription statusCallbackUrl=\"/transcripts\" track=\"both_tracks\" "
      "name=\"t1\"/></Start><Say>How can I help?</Say><Pause length=\"10\"/>");
  advance(10);
  std::vector<std::string> seen;
  for (const auto& s : sent_to(cb)) {
    std::string line = s.param("SequenceNumber") + " " + s.param("TranscriptionEvent");
    if (s.has("TranscriptionData")) line += " " + s.param("Track") + " " + s.param("TranscriptionData");
    seen.push_back(line);
    EXPECT_EQ(s.param("TranscriptionSid").substr(0, 2), "GT");
  }
  EXPECT_THAT(seen, ElementsAre(
      "1 transcription-started",
      R"(2 transcription-content outbound_track {"transcript":"How can I help?","confidence":0.9})",
      R"(3 transcription-content inbound_track {"transcript":"I need help","confidence":0.75})",
      "4 transcription-stopped"));
  EXPECT_EQ(sent_to(cb)[2].param("Timestamp"), "2026-01-01T00:00:03.700Z");
}

TEST_F(Conversations, StopTranscriptionByNameAndTracksHeardAlone) {
  script({"silence:1s", "say:hello"});
  const std::string cb = kApp + "/t";
  run("<Start><Transcription statusCallbackUrl=\"/t\" name=\"a\"/></Start>"
      "<Say>Not on the inbound track</Say><Pause length=\"3\"/>"
      "<Stop><Transcription name=\"a\"/></Stop><Pause length=\"1\"/>");
  advance(20);
  std::vector<std::string> seen;
  for (const auto& s : sent_to(cb)) seen.push_back(s.param("TranscriptionEvent"));
  EXPECT_THAT(seen, ElementsAre("transcription-started", "transcription-content",
                                "transcription-stopped"));
  EXPECT_EQ(sent_to(cb)[1].param("Track"), "inbound_track");
}

TEST_F(Conversations, ARestTranscriptionTranscribesAndItsStopCallsBack) {
  script({"silence:2s", "say:hello there", "silence:5s", "hangup"});
  const std::string cb = kApp + "/rest";
  const std::string sid = run("<Pause length=\"30\"/>");
  TranscriptionSpec spec;
  spec.callback = Webhook{cb, HttpMethod::kPost};
  Effects effects;
  auto made = engine().create_call_resource(kAc, sid, call_resources::Kind::kTranscription, "r",
                                            &spec, &effects);
  ASSERT_TRUE(made.ok());
  pump(effects);
  advance(3);
  Effects stop;
  ASSERT_TRUE(engine()
                  .update_call_resource(kAc, sid, call_resources::Kind::kTranscription, "r", true,
                                        &stop)
                  .ok());
  pump(stop);
  advance(10);
  std::vector<std::string> seen;
  for (const auto& s : sent_to(cb)) seen.push_back(s.param("TranscriptionEvent"));
  EXPECT_THAT(seen, ElementsAre("transcription-started", "transcription-content",
                                "transcription-stopped"));
  EXPECT_THAT(notification_codes(sid), ::testing::IsEmpty()) << "no not-emulated warning";
}

TEST_F(Conversations, TenMinutesOfConversationRunInOneAdvance) {
  std::vector<std::string> turns;
  for (int i = 0; i < 100; ++i) {
    turns.push_back("say(3s):turn " + std::to_string(i));
    turns.push_back("silence:3s");
  }
  turns.push_back("hangup");
  script(turns);
  const std::string sid = run("<Pause length=\"3600\"/>");
  advance(700);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 600);
  EXPECT_EQ(transcript(sid).size(), 101u);
}

}  // namespace
}  // namespace dialtone::core::testing
