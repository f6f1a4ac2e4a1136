// Recordings through the engine (core/recording/): the REST commands on a live call, Record=true,
// <Record>, the status callbacks, the callee's timeline, soft delete and the journal replay,
// with the fixture's manual clock and fake app.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/callee/script.hpp"
#include "core/media/recording_audio.hpp"
#include "engine_fixture.hpp"
#include "tests/core/audio_probe.hpp"

namespace dialtone::core::testing {
namespace {

using recording::Options;
using recording::Recording;
using RecStatus = recording::Status;
using ::testing::ElementsAre;

const std::string kRecCb = kApp + "/rec";

class RecordingEngineTest : public EngineTest {
 protected:
  Options with_callback(uint8_t events, int channels = 1) {
    Options o;
    o.callback = Webhook{kRecCb, HttpMethod::kPost};
    o.events = events;
    o.channels = channels;
    return o;
  }
  Result<const Recording*> start(const std::string& call_sid, Options o = {}) {
    Effects effects;
    auto r = engine().create_recording(kAc, call_sid, std::move(o), effects);
    pump(effects);
    return r;
  }
  Result<RecordingChange> set(const std::string& call_sid, const std::string& sid, RecStatus s,
                              bool skip = false) {
    Effects effects;
    auto r = engine().update_recording(kAc, call_sid, sid, s, skip, effects);
    pump(effects);
    return r;
  }
  core::Status speak(const std::string& call_sid, const std::string& words) {
    Effects effects;
    auto r = engine().callee_speech(call_sid, words, effects);
    pump(effects);
    return r;
  }
  std::vector<std::string> rec_statuses() {
    std::vector<std::string> out;
    for (const Sent& s : sent_to(kRecCb)) out.push_back(s.param("RecordingStatus"));
    return out;
  }
  // The callee speaks this long into a <Record> (Behavior::record_seconds).
  void callee_records(int seconds) {
    Behavior b;
    b.record_seconds = seconds;
    engine().behaviors(kAc).add(kTo, b);
  }
  // A call answered at t=1 that waits in a long <Pause>.
  std::string waiting_call() {
    on_twiml(kVoice, "<Response><Pause length=\"600\"/></Response>");
    return answered_call();
  }
};

// Scenario 1 of the reference: start, pause (skip), resume, stop; then the same with silence.
TEST_F(RecordingEngineTest, PauseSkipLeavesThePauseOut) {
  const std::string ca = waiting_call();
  advance(2);
  auto r = start(ca, with_callback(recording::kEventInProgress | recording::kEventCompleted, 2));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string sid = (*r)->sid;
  EXPECT_EQ((*r)->status, RecStatus::kInProgress);
  EXPECT_THAT(rec_statuses(), ElementsAre("in-progress"));
  advance(3);
  auto paused = set(ca, "Twilio.CURRENT", RecStatus::kPaused, /*skip=*/true);
  ASSERT_TRUE(paused.ok());
  EXPECT_EQ(paused->shown, RecStatus::kPaused);
  advance(3);
  ASSERT_TRUE(set(ca, sid, RecStatus::kInProgress).ok());
  advance(2);
  auto stopped = set(ca, "Twilio.CURRENT", RecStatus::kStopped);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->shown, RecStatus::kStopped);
  const Recording* done = engine().find_recording(kAc, sid);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, RecStatus::kCompleted);
  EXPECT_EQ(done->duration_s, 5);
  EXPECT_EQ(done->audio.length_ms(), 5000);
  EXPECT_EQ(done->audio.channels, 2);
  EXPECT_THAT(rec_statuses(), ElementsAre("in-progress", "completed"));
  const Sent completed = sent_to(kRecCb).back();
  EXPECT_EQ(completed.param("RecordingDuration"), "5");
  EXPECT_EQ(completed.param("RecordingChannels"), "2");
  EXPECT_EQ(completed.param("RecordingSource"), "StartCallRecordingAPI");
  EXPECT_EQ(completed.param("RecordingSid"), sid);
  EXPECT_EQ(completed.param("CallSid"), ca);
  EXPECT_EQ(completed.param("RecordingUrl"),
            "https://api.twilio.com/2010-04-01/Accounts/" + kAc + "/Recordings/" + sid);
  EXPECT_FALSE(sent_to(kRecCb).front().has("RecordingDuration"));
}

TEST_F(RecordingEngineTest, PauseSilenceKeepsThePauseAsSilence) {
  const std::string ca = waiting_call();
  auto r = start(ca);
  ASSERT_TRUE(r.ok());
  const std::string sid = (*r)->sid;
  advance(3);
  ASSERT_TRUE(set(ca, sid, RecStatus::kPaused).ok());
  ASSERT_TRUE(set(ca, sid, RecStatus::kPaused).ok()) << "pausing a paused one changes nothing";
  advance(3);
  ASSERT_TRUE(set(ca, sid, RecStatus::kInProgress).ok());
  advance(2);
  ASSERT_TRUE(set(ca, sid, RecStatus::kStopped).ok());
  EXPECT_EQ(engine().find_recording(kAc, sid)->duration_s, 8);
  EXPECT_TRUE(set(ca, sid, RecStatus::kStopped).ok()) << "stopping again answers unchanged";
  auto resumed = set(ca, sid, RecStatus::kInProgress);
  ASSERT_FALSE(resumed.ok());
  EXPECT_EQ(resumed.error().code, 21220);
}

TEST_F(RecordingEngineTest, CurrentIsTheOneLiveRecording) {
  const std::string ca = waiting_call();
  auto none = set(ca, "Twilio.CURRENT", RecStatus::kPaused);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().http_status, 404);
  ASSERT_TRUE(start(ca).ok());
  ASSERT_TRUE(start(ca).ok());
  auto two = set(ca, "Twilio.CURRENT", RecStatus::kPaused);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().code, 16108);
  EXPECT_EQ(two.error().http_status, 400);
}

TEST_F(RecordingEngineTest, OnlyALiveCallIsRecorded) {
  on_twiml(kVoice, "<Response><Pause length=\"60\"/></Response>");
  const std::string queued = create();
  auto early = start(queued);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, 21220);
  advance(1);
  ASSERT_TRUE(update(queued, set_status(CallStatus::kCompleted)).ok());
  EXPECT_EQ(start(queued).error().code, 21220);
  EXPECT_EQ(start("CA00000000000000000000000000000000").error().http_status, 404);
}

// The callee's words (the control API) and the TwiML's prompts are what the file holds.
TEST_F(RecordingEngineTest, TheTimelineIsHeard) {
  on_twiml(kVoice, "<Response><Pause length=\"2\"/><Say>" + std::string(30, 'a') +
                       "</Say><Pause length=\"600\"/></Response>");
  const std::string ca = answered_call();  // t=1: the pause runs until 3, the Say until 5
  auto r = start(ca, Options{});
  ASSERT_TRUE(r.ok());
  const std::string sid = (*r)->sid;
  advance(5);  // t=6
  ASSERT_TRUE(speak(ca, std::string(30, 'b')).ok()) << "a recorded call hears speech";
  advance(4);  // t=10
  ASSERT_TRUE(set(ca, sid, RecStatus::kStopped).ok());
  const Recording* done = engine().find_recording(kAc, sid);
  EXPECT_EQ(done->duration_s, 9);
  EXPECT_FALSE(loud(done->audio, 0, 0, 2));  // <Pause>
  EXPECT_TRUE(loud(done->audio, 0, 2, 4));   // <Say>, 2 s
  EXPECT_FALSE(loud(done->audio, 0, 4, 5));
  EXPECT_TRUE(loud(done->audio, 0, 5, 7));  // the callee, 2 s
  EXPECT_FALSE(loud(done->audio, 0, 7, 9));
}

// A scripted callee (core/callee/) is heard as it speaks: each `say` for its length.
TEST_F(RecordingEngineTest, AScriptedCalleeIsHeard) {
  Behavior b;
  // Five words at 400 ms a word: 2 s of speech, 3 s after the answer.
  auto script = callee::make_script({"silence:3s", "say:one two three four five"});
  ASSERT_TRUE(script.ok()) << script.error().message;
  b.script = *script;
  engine().behaviors(kAc).add(kTo, b);
  const std::string ca = waiting_call();  // answered at t=1
  auto r = start(ca, Options{});
  ASSERT_TRUE(r.ok());
  advance(8);  // t=9
  ASSERT_TRUE(set(ca, (*r)->sid, RecStatus::kStopped).ok());
  const Recording* done = engine().find_recording(kAc, (*r)->sid);
  EXPECT_EQ(done->duration_s, 8);
  EXPECT_FALSE(loud(done->audio, 0, 0, 3));
  EXPECT_TRUE(loud(done->audio, 0, 3, 5));
  EXPECT_FALSE(loud(done->audio, 0, 5.1, 8));
}

TEST_F(RecordingEngineTest, RecordTrueRecordsFromAnswerToHangUp) {
  on_twiml(kVoice,
           "<Response><Say>hello there, how are you</Say><Pause length=\"600\"/></Response>");
  CreateCall req = call_request();
  req.record = true;
  req.recording = with_callback(recording::kEventCompleted);
  req.recording.trim = true;
  req.status_callback = Webhook{kApp + "/status", HttpMethod::kPost};
  const std::string ca = create(req);
  advance(1);
  ASSERT_EQ(status(ca), CallStatus::kInProgress);
  advance(4);
  ASSERT_TRUE(speak(ca, std::string(45, 'x')).ok());  // 3 s
  advance(10);
  ASSERT_TRUE(callee(ca, CalleeAction::kHangup).ok());
  const auto recs = engine().list_recordings(kAc);
  ASSERT_EQ(recs.size(), 1u);
  const Recording& r = *recs.front();
  EXPECT_EQ(r.source, recording::Source::kOutboundApi);
  EXPECT_EQ(r.status, RecStatus::kCompleted);
  // Trimmed: from the Say at the answer (t=1) to the end of the callee's words (t=8).
  EXPECT_EQ(r.duration_s, 7);
  const Sent done = callbacks(ca).back();
  EXPECT_EQ(done.param("CallStatus"), "completed");
  EXPECT_EQ(done.param("RecordingSid"), r.sid);
  EXPECT_EQ(done.param("RecordingDuration"), "7");
  EXPECT_NE(done.param("RecordingUrl").find("/Recordings/" + r.sid), std::string::npos);
  EXPECT_THAT(rec_statuses(), ElementsAre("completed"));
}

TEST_F(RecordingEngineTest, RecordTrueOnACallNeverAnsweredRecordsNothing) {
  Behavior busy = behaves(Outcome::kBusy);
  engine().behaviors(kAc).add(kTo, busy);
  CreateCall req = call_request();
  req.record = true;
  const std::string ca = create(req);
  advance(5);
  EXPECT_EQ(status(ca), CallStatus::kBusy);
  EXPECT_TRUE(engine().list_recordings(kAc).empty());
}

// <Record>: the callee speaks Behavior::record_seconds, then is silent.
TEST_F(RecordingEngineTest, RecordVerbEndsOnAKeyWithItsDuration) {
  callee_records(6);
  on_twiml(kVoice,
           "<Response><Record action=\"/done\" finishOnKey=\"*\" "
           "recordingStatusCallback=\"/rec\" recordingStatusCallbackEvent=\"in-progress "
           "completed\"/></Response>");
  on_twiml(kApp + "/done", "<Response><Hangup/></Response>");
  const std::string ca = answered_call();
  advance(4);
  ASSERT_TRUE(digits(ca, "1").ok());  // not a finishing key here
  ASSERT_TRUE(digits(ca, "*").ok());
  const auto action = sent_to(kApp + "/done");
  ASSERT_EQ(action.size(), 1u);
  EXPECT_EQ(action[0].param("RecordingDuration"), "4");
  EXPECT_EQ(action[0].param("Digits"), "*");
  const std::string sid = action[0].param("RecordingSid");
  const Recording* r = engine().find_recording(kAc, sid);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->source, recording::Source::kRecordVerb);
  EXPECT_EQ(r->duration_s, 4);
  EXPECT_THAT(rec_statuses(), ElementsAre("in-progress", "completed"));
  EXPECT_EQ(action[0].param("RecordingUrl"), sent_to(kRecCb).back().param("RecordingUrl"));
}

TEST_F(RecordingEngineTest, MediaBaseUrlSetsTheRecordingUrlsHost) {
  EngineConfig config;
  config.media_base_url = "http://127.0.0.1:7070";
  rebuild(config);
  on_twiml(kVoice, "<Response><Record action=\"/done\"/></Response>");
  on_twiml(kApp + "/done", "<Response><Hangup/></Response>");
  answered_call();
  advance(20);
  const auto action = sent_to(kApp + "/done");
  ASSERT_EQ(action.size(), 1u);
  EXPECT_EQ(action[0].param("RecordingUrl"), "http://127.0.0.1:7070/2010-04-01/Accounts/" + kAc +
                                                 "/Recordings/" + action[0].param("RecordingSid"));
}

TEST_F(RecordingEngineTest, RecordVerbTrimsTheSilenceTimeout) {
  callee_records(3);
  on_twiml(kVoice, "<Response><Record action=\"/done\" timeout=\"5\"/></Response>");
  on_twiml(kApp + "/done", "<Response><Hangup/></Response>");
  answered_call();
  advance(10);
  const auto action = sent_to(kApp + "/done");
  ASSERT_EQ(action.size(), 1u);
  EXPECT_EQ(action[0].param("RecordingDuration"), "3");
  EXPECT_EQ(action[0].param("Digits"), "");
}

TEST_F(RecordingEngineTest, RecordVerbWithoutTrimKeepsTheSilence) {
  callee_records(3);
  on_twiml(kVoice,
           "<Response><Record action=\"/done\" timeout=\"5\" trim=\"do-not-trim\"/>"
           "</Response>");
  on_twiml(kApp + "/done", "<Response><Hangup/></Response>");
  answered_call();
  advance(10);
  EXPECT_EQ(sent_to(kApp + "/done").at(0).param("RecordingDuration"), "8");
}

TEST_F(RecordingEngineTest, AnEmptyRecordingMakesNoActionRequest) {
  callee_records(0);
  on_twiml(kVoice,
           "<Response><Record action=\"/done\" timeout=\"2\" "
           "recordingStatusCallback=\"/rec\" recordingStatusCallbackEvent=\"absent\"/>"
           "<Say>nothing recorded</Say></Response>");
  const std::string ca = answered_call();
  advance(5);
  EXPECT_TRUE(sent_to(kApp + "/done").empty());
  EXPECT_THAT(verbs(ca), ElementsAre("Record", "Say", "(end of document)"));
  EXPECT_THAT(rec_statuses(), ElementsAre("absent"));
  EXPECT_EQ(sent_to(kRecCb).back().param("ErrorCode"), "16101");
}

TEST_F(RecordingEngineTest, HangUpDuringRecordSendsTheActionWithHangup) {
  on_twiml(kVoice, "<Response><Record action=\"/done\"/></Response>");
  const std::string ca = answered_call();
  advance(2);
  ASSERT_TRUE(callee(ca, CalleeAction::kHangup).ok());
  const auto action = sent_to(kApp + "/done");
  ASSERT_EQ(action.size(), 1u);
  EXPECT_EQ(action[0].param("Digits"), "hangup");
  EXPECT_EQ(action[0].param("RecordingDuration"), "2");
}

TEST_F(RecordingEngineTest, TheCallEndingStopsItsRecordings) {
  const std::string ca = waiting_call();
  auto r = start(ca, with_callback(recording::kEventCompleted));
  ASSERT_TRUE(r.ok());
  const std::string sid = (*r)->sid;
  advance(7);
  ASSERT_TRUE(update(ca, set_status(CallStatus::kCompleted)).ok());
  EXPECT_EQ(engine().find_recording(kAc, sid)->duration_s, 7);
  EXPECT_THAT(rec_statuses(), ElementsAre("completed"));
}

TEST_F(RecordingEngineTest, DeleteIsSoft) {
  const std::string ca = waiting_call();
  auto r = start(ca);
  ASSERT_TRUE(r.ok());
  const std::string sid = (*r)->sid;
  advance(2);
  Effects effects;
  ASSERT_TRUE(engine().delete_recording(kAc, sid, effects).ok());
  pump(effects);
  EXPECT_EQ(engine().find_recording(kAc, sid), nullptr);
  const Recording* kept = engine().find_recording(kAc, sid, /*include_deleted=*/true);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->status, RecStatus::kCompleted) << "a live one is stopped first";
  EXPECT_FALSE(engine().delete_recording(kAc, sid, effects).ok());
}

TEST_F(RecordingEngineTest, RecordingsComeBackFromTheJournal) {
  rebuild(tracking_config());
  const std::string ca = waiting_call();
  auto done = start(ca);
  ASSERT_TRUE(done.ok());
  const std::string done_sid = (*done)->sid;
  advance(2);
  ASSERT_TRUE(speak(ca, "hello").ok());
  advance(2);
  ASSERT_TRUE(set(ca, done_sid, RecStatus::kStopped).ok());
  auto live = start(ca, with_callback(recording::kEventCompleted));
  ASSERT_TRUE(live.ok());
  const std::string live_sid = (*live)->sid;
  const Recording before = *engine().find_recording(kAc, done_sid);
  std::vector<Call> calls{call(ca)};
  std::vector<JournalEvent> events(engine().journal().events().begin(),
                                   engine().journal().events().end());

  rebuild(tracking_config());
  for (const Call& c : calls) engine().restore_call(c);
  for (const JournalEvent& e : events) engine().restore_event(e);
  const Recording* back = engine().find_recording(kAc, done_sid);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->status, RecStatus::kCompleted);
  EXPECT_EQ(back->duration_s, 4);
  EXPECT_EQ(back->call_sid, ca);
  EXPECT_EQ(recording::encode_audio(back->audio), recording::encode_audio(before.audio));
  EXPECT_FALSE(back->audio.pieces.empty());
  EXPECT_EQ(engine().find_recording(kAc, live_sid)->status, RecStatus::kInProgress);
  advance(3);
  Effects effects;
  engine().recover_live_calls(effects);
  pump(effects);
  EXPECT_EQ(engine().find_recording(kAc, live_sid)->status, RecStatus::kCompleted);
  EXPECT_EQ(engine().find_recording(kAc, live_sid)->duration_s, 3);
  EXPECT_THAT(rec_statuses(), ElementsAre("completed"));
}

// Scenario 6 of the reference: the parent's side on channel 1, the dialed leg's on channel 2.
TEST_F(RecordingEngineTest, DialRecordDualHearsBothLegs) {
  const std::string leg_number = "+14155550199";
  on_twiml(kVoice,
           "<Response><Dial record=\"record-from-answer-dual\" action=\"/dial-done\" "
           "recordingStatusCallback=\"/rec\">" +
               leg_number + "</Dial></Response>");
  on_twiml(kApp + "/dial-done", "<Response><Hangup/></Response>");
  const std::string parent = answered_call();  // t=1; the leg rings
  advance(1);                                  // t=2: the leg answers (after 1 s)
  ASSERT_EQ(call(parent).child_sids.size(), 1u);
  const std::string leg = call(parent).child_sids[0];
  ASSERT_EQ(status(leg), CallStatus::kInProgress);
  ASSERT_TRUE(speak(parent, std::string(30, 'p')).ok());  // 2 s on the parent's side
  advance(3);
  ASSERT_TRUE(speak(leg, std::string(15, 'l')).ok());  // 1 s on the leg's side
  advance(2);
  ASSERT_TRUE(callee(leg, CalleeAction::kHangup).ok());  // t=7
  const auto action = sent_to(kApp + "/dial-done");
  ASSERT_EQ(action.size(), 1u);
  const std::string sid = action[0].param("RecordingSid");
  const Recording* r = engine().find_recording(kAc, sid);
  ASSERT_NE(r, nullptr) << sid;
  EXPECT_EQ(r->source, recording::Source::kDialVerb);
  EXPECT_EQ(r->call_sid, parent);
  EXPECT_EQ(r->duration_s, 5);
  EXPECT_EQ(action[0].param("RecordingDuration"), "5");
  EXPECT_NE(action[0].param("RecordingUrl").find(sid), std::string::npos);
  ASSERT_EQ(r->audio.channels, 2);
  EXPECT_TRUE(loud(r->audio, 0, 0, 2));  // the parent's side speaks first
  EXPECT_FALSE(loud(r->audio, 1, 0, 2));
  EXPECT_FALSE(loud(r->audio, 0, 3, 4));
  EXPECT_TRUE(loud(r->audio, 1, 3, 4));  // then the leg's
  EXPECT_EQ(sent_to(kRecCb).back().param("CallSid"), parent);
  EXPECT_EQ(sent_to(kRecCb).back().param("RecordingSource"), "DialVerb");
}

TEST_F(RecordingEngineTest, DialWithoutRecordRecordsNothing) {
  on_twiml(kVoice, "<Response><Dial action=\"/dial-done\">+14155550199</Dial></Response>");
  on_twiml(kApp + "/dial-done", "<Response><Hangup/></Response>");
  const std::string parent = answered_call();
  advance(3);
  ASSERT_TRUE(callee(call(parent).child_sids.at(0), CalleeAction::kHangup).ok());
  ASSERT_EQ(sent_to(kApp + "/dial-done").size(), 1u);
  EXPECT_FALSE(sent_to(kApp + "/dial-done")[0].has("RecordingUrl"));
  EXPECT_TRUE(engine().list_recordings(kAc).empty());
}

TEST_F(RecordingEngineTest, StartRecordingRunsBesideTheTwimlUntilStopped) {
  on_twiml(kVoice,
           "<Response><Start><Recording name=\"r1\" recordingStatusCallback=\"/rec\"/>"
           "<Recording track=\"inbound\"/></Start><Say>" +
               std::string(45, 's') +
               "</Say><Stop><Recording name=\"r1\"/></Stop><Pause length=\"2\"/>"
               "<Stop><Recording/></Stop><Pause length=\"600\"/></Response>");
  const std::string ca = answered_call();  // t=1: both start; the Say runs 3 s
  advance(6);
  const auto recs = engine().list_recordings(kAc);
  ASSERT_EQ(recs.size(), 2u);
  const Recording& named = *recs[0];
  EXPECT_EQ(named.name, "r1");
  EXPECT_EQ(named.source, recording::Source::kStartCallRecordingApi);
  EXPECT_EQ(named.status, RecStatus::kCompleted);
  EXPECT_EQ(named.duration_s, 3) << "stopped by name after the Say";
  EXPECT_EQ(named.audio.channels, 2) << "<Recording> is dual by default";
  const Recording& unnamed = *recs[1];
  EXPECT_EQ(unnamed.name, unnamed.sid);
  EXPECT_EQ(unnamed.status, RecStatus::kAbsent) << "inbound only, the callee never spoke";
  EXPECT_EQ(sent_to(kRecCb).size(), 1u);
  // A REST recording is not a <Start><Recording>: <Stop><Recording/> leaves it running.
  auto rest = start(ca);
  ASSERT_TRUE(rest.ok());
  EXPECT_TRUE((*rest)->name.empty());
}

TEST_F(RecordingEngineTest, ResetForgetsTheAccountsRecordings) {
  const std::string ca = waiting_call();
  ASSERT_TRUE(start(ca).ok());
  engine().reset_account(kAc);
  EXPECT_TRUE(engine().list_recordings(kAc).empty());
}

}  // namespace
}  // namespace dialtone::core::testing
