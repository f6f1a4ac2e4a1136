// A conference's recording (core/recording/ with core/conference/): <Conference
// record="record-from-start"> and the Participants API's ConferenceRecord start it when the
// conference starts (not while the first caller waits) and stop it when it ends; it hears every
// participant the conference hears; the Conference Recordings commands pause, resume and stop
// it; its status callbacks name the conference; Record=true records a participant's own leg; the
// journal brings it back. Expectations come from reference/twilio-conferences-queues.md §2.1,
// §4, §5.5 and twilio-call-subresources.md §2; the choices are docs/recordings.md's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/core/audio_probe.hpp"
#include "tests/core/conference_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using recording::Recording;
using RecStatus = recording::Status;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kRecCb = kApp + "/conf-rec";

class ConferenceRecordingTest : public ConferenceTest {
 protected:
  // <Dial><Conference record="record-from-start" ...>room</Conference></Dial>, do-not-trim
  // unless `trim` says otherwise.
  static std::string recorded_dial(const std::string& trim = "do-not-trim") {
    return dial(" record=\"record-from-start\" trim=\"" + trim + "\" recordingStatusCallback=\"" +
                kRecCb + "\" recordingStatusCallbackEvent=\"in-progress completed absent\"");
  }
  std::vector<const Recording*> recordings() { return engine().list_recordings(kAc); }
  const Recording* only_recording() {
    const auto all = recordings();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? nullptr : all.front();
  }
  Status speak(const std::string& call_sid, const std::string& words) {
    Effects effects;
    auto r = engine().callee_speech(call_sid, words, effects);
    pump(effects);
    return r;
  }
  Result<RecordingChange> set(const std::string& sid, RecStatus s, bool skip = false,
                              const std::string& conference_sid = {}) {
    Effects effects;
    auto r = engine().update_conference_recording(
        kAc, conference_sid.empty() ? room()->sid : conference_sid, sid, s, skip, effects);
    pump(effects);
    return r;
  }
  std::vector<std::string> rec_statuses() const {
    std::vector<std::string> out;
    for (const Sent& s : sent_to(kRecCb)) out.push_back(s.param("RecordingStatus"));
    return out;
  }
};

// Reference §2.1: the recording starts when the conference starts ("wait music is never
// recorded") and ends with it; it is mono and its source is Conference.
TEST_F(ConferenceRecordingTest, RecordFromStartHearsTheConferenceFromItsStartToItsEnd) {
  const std::string a = join(recorded_dial());
  advance(3);  // A waits with the music: nothing is recorded yet
  EXPECT_THAT(recordings(), IsEmpty());
  const std::string b = join(dial());
  ASSERT_EQ(room()->status, conference::Status::kInProgress);
  const Recording* r = only_recording();
  ASSERT_NE(r, nullptr);
  const std::string sid = r->sid;
  EXPECT_EQ(r->status, RecStatus::kInProgress);
  EXPECT_EQ(r->conference_sid, room()->sid);
  EXPECT_EQ(r->call_sid, a) << "the participant first in the conference";
  EXPECT_EQ(r->source, recording::Source::kConference);
  EXPECT_EQ(recording::channels_of(*r), 1);
  ASSERT_THAT(rec_statuses(), ElementsAre("in-progress"));
  const Sent started = sent_to(kRecCb)[0];
  EXPECT_EQ(started.param("ConferenceSid"), room()->sid);
  EXPECT_FALSE(started.has("CallSid")) << "a conference's recording names its conference";
  EXPECT_FALSE(started.has("RecordingTrack"));
  EXPECT_EQ(started.param("RecordingSource"), "Conference");
  EXPECT_EQ(started.param("RecordingChannels"), "1");
  EXPECT_EQ(started.call_sid, room()->sid) << "sent in the conference's own order";

  advance(2);
  ASSERT_TRUE(speak(b, std::string(30, 'b')).ok()) << "a recorded conference hears speech";
  advance(4);  // B spoke for [2, 4)
  ASSERT_TRUE(callee(b, CalleeAction::kHangup).ok());
  EXPECT_EQ(engine().find_recording(kAc, sid)->status, RecStatus::kInProgress)
      << "the conference goes on: so does its recording";
  ASSERT_TRUE(speak(a, std::string(15, 'a')).ok());  // [6, 7)
  advance(2);
  ASSERT_TRUE(callee(a, CalleeAction::kHangup).ok());  // the last one: the conference ends at 8
  EXPECT_EQ(room()->status, conference::Status::kCompleted);
  const Recording* done = engine().find_recording(kAc, sid);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->status, RecStatus::kCompleted);
  EXPECT_EQ(done->duration_s, 8);
  EXPECT_EQ(done->audio.frames(), 8u * 8000u);
  EXPECT_FALSE(loud(done->audio, 0, 0, 1.99));
  EXPECT_TRUE(loud(done->audio, 0, 2, 4));
  EXPECT_FALSE(loud(done->audio, 0, 4.01, 5.99));
  EXPECT_TRUE(loud(done->audio, 0, 6, 7));
  EXPECT_FALSE(loud(done->audio, 0, 7.01, 8));
  EXPECT_THAT(rec_statuses(), ElementsAre("in-progress", "completed"));
  const Sent completed = sent_to(kRecCb).back();
  EXPECT_EQ(completed.param("RecordingDuration"), "8");
  EXPECT_EQ(completed.param("RecordingSid"), sid);
  EXPECT_EQ(completed.param("RecordingUrl"),
            "https://api.twilio.com/2010-04-01/Accounts/" + kAc + "/Recordings/" + sid);
}

// The conference hears a participant that is joined, not muted and not on hold (the same rule
// as speaker events): muted mid-sentence, the rest of the sentence is not in the file.
TEST_F(ConferenceRecordingTest, AMutedParticipantIsNotHeard) {
  join(recorded_dial());
  const std::string b = join(dial());
  const std::string sid = only_recording()->sid;
  ASSERT_TRUE(speak(b, std::string(45, 'b')).ok());  // 3 s from 0
  advance(1);
  ParticipantUpdate mute;
  mute.muted = true;
  Effects effects;
  ASSERT_TRUE(engine().update_participant(kAc, room()->sid, b, mute, effects).ok());
  pump(effects);
  advance(2);
  (void)speak(b, std::string(30, 'b'));  // muted: the conference does not hear it
  advance(3);
  ASSERT_TRUE(end_via_api().ok());
  const Recording* done = engine().find_recording(kAc, sid);
  EXPECT_EQ(done->status, RecStatus::kCompleted);
  EXPECT_EQ(done->duration_s, 6);
  EXPECT_TRUE(loud(done->audio, 0, 0, 1));
  EXPECT_FALSE(loud(done->audio, 0, 1.01, 6));
}

// trim-silence (the default) keeps the time between the first and the last sound; a conference
// nobody spoke in is `absent` (16101).
TEST_F(ConferenceRecordingTest, TrimSilenceAndAnEmptyConference) {
  join(recorded_dial("trim-silence"));
  const std::string b = join(dial());
  const std::string sid = only_recording()->sid;
  advance(2);
  ASSERT_TRUE(speak(b, std::string(30, 'b')).ok());
  advance(5);
  ASSERT_TRUE(end_via_api().ok());
  EXPECT_EQ(engine().find_recording(kAc, sid)->duration_s, 2);
  EXPECT_EQ(engine().find_recording(kAc, sid)->status, RecStatus::kCompleted);

  join(recorded_dial("trim-silence"));
  join(dial());
  const std::string empty = recordings().back()->sid;
  advance(4);
  ASSERT_TRUE(end_via_api().ok());
  const Recording* none = engine().find_recording(kAc, empty);
  EXPECT_EQ(none->status, RecStatus::kAbsent);
  EXPECT_EQ(none->error_code, recording::kErrorTooShort);
  EXPECT_EQ(sent_to(kRecCb).back().param("RecordingStatus"), "absent");
  EXPECT_EQ(sent_to(kRecCb).back().param("ErrorCode"), "16101");
}

// UpdateConferenceRecording: pause (skip), resume, stop by sid or Twilio.CURRENT, while the
// conference goes on; the conference's recordings are not its calls'.
TEST_F(ConferenceRecordingTest, PauseResumeAndStopThroughTheApi) {
  const std::string a = join(recorded_dial());
  join(dial());
  const std::string sid = only_recording()->sid;
  advance(2);
  auto paused = set("Twilio.CURRENT", RecStatus::kPaused, /*skip=*/true);
  ASSERT_TRUE(paused.ok()) << paused.error().message;
  EXPECT_EQ(paused->shown, RecStatus::kPaused);
  advance(3);
  ASSERT_TRUE(set(sid, RecStatus::kInProgress).ok());
  advance(1);
  auto stopped = set("Twilio.CURRENT", RecStatus::kStopped);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->shown, RecStatus::kStopped);
  const Recording* done = engine().find_recording(kAc, sid);
  EXPECT_EQ(done->status, RecStatus::kCompleted);
  EXPECT_EQ(done->duration_s, 3) << "2 s, the skipped pause, then 1 s";
  EXPECT_EQ(room()->status, conference::Status::kInProgress);
  EXPECT_THAT(rec_statuses(), ElementsAre("in-progress", "completed"));

  EXPECT_EQ(set("Twilio.CURRENT", RecStatus::kPaused).error().http_status, 404);
  EXPECT_EQ(set(sid, RecStatus::kPaused).error().code, 21220);
  EXPECT_TRUE(set(sid, RecStatus::kStopped).ok()) << "stopping a stopped one answers it";
  EXPECT_EQ(
      set(sid, RecStatus::kPaused, false, "CF00000000000000000000000000000000").error().http_status,
      404);
  Effects effects;
  EXPECT_EQ(engine()
                .update_recording(kAc, a, "Twilio.CURRENT", RecStatus::kPaused, false, effects)
                .error()
                .http_status,
            404)
      << "the conference's recording is not its first participant's call's";
  EXPECT_EQ(engine()
                .update_recording(kAc, a, sid, RecStatus::kPaused, false, effects)
                .error()
                .http_status,
            404);
}

// The Participants API: ConferenceRecord with its ConferenceRecordingStatusCallback settings,
// the first participant's winning as for <Conference record>.
TEST_F(ConferenceRecordingTest, ConferenceRecordOnTheParticipantsApi) {
  AddParticipant add;
  add.call = call_request({}, kAgent);
  add.call.url = {};
  add.conference = "room";
  add.record = "true";
  add.conference_recording.callback = Webhook{kRecCb, HttpMethod::kPost};
  add.conference_recording.events = recording::kEventCompleted;
  add.conference_recording.trim = false;
  Effects effects;
  ASSERT_TRUE(engine().add_participant(add, effects).ok());
  pump(effects);
  advance(1);  // the agent answers and waits
  EXPECT_THAT(recordings(), IsEmpty());
  join(dial());  // the conference starts
  const std::string sid = only_recording()->sid;
  advance(4);
  ASSERT_TRUE(end_via_api().ok());
  const Recording* done = engine().find_recording(kAc, sid);
  EXPECT_EQ(done->source, recording::Source::kConference);
  EXPECT_EQ(done->duration_s, 4);
  EXPECT_THAT(rec_statuses(), ElementsAre("completed"));
}

// Record=true on a participant records its own call leg (source OutboundAPI), from its answer
// until its call ends, hearing the others in the conference as what its call plays; a
// conference without `record` has no recording of its own.
TEST_F(ConferenceRecordingTest, RecordTrueOnAParticipantRecordsItsLeg) {
  const std::string caller = join(dial());
  AddParticipant add;
  add.call = call_request({}, kAgent);
  add.call.url = {};
  add.call.record = true;
  add.call.recording.trim = false;
  add.conference = "room";
  Effects effects;
  auto made = engine().add_participant(add, effects);
  ASSERT_TRUE(made.ok());
  pump(effects);
  const std::string agent = made->participant.call_sid;
  advance(1);
  ASSERT_EQ(room()->status, conference::Status::kInProgress);
  const Recording* leg = only_recording();
  ASSERT_NE(leg, nullptr);
  EXPECT_EQ(leg->call_sid, agent);
  EXPECT_TRUE(leg->conference_sid.empty());
  EXPECT_EQ(leg->source, recording::Source::kOutboundApi);
  const std::string sid = leg->sid;
  advance(1);
  ASSERT_TRUE(speak(caller, std::string(15, 'c')).ok()) << "the agent's recording hears it";
  advance(2);
  ASSERT_TRUE(callee(agent, CalleeAction::kHangup).ok());
  const Recording* done = engine().find_recording(kAc, sid);
  EXPECT_EQ(done->status, RecStatus::kCompleted);
  EXPECT_EQ(done->duration_s, 3);
  EXPECT_FALSE(loud(done->audio, 0, 0, 0.99));
  EXPECT_TRUE(loud(done->audio, 0, 1, 2));
  EXPECT_FALSE(loud(done->audio, 0, 2.01, 3));
}

// The journal brings a conference's recordings back; one live at the restart is stopped when
// the recovery completes its conference, with what it heard since the restart.
TEST_F(ConferenceRecordingTest, ConferenceRecordingsComeBackFromTheJournal) {
  rebuild(tracking_config());
  const std::string a = join(recorded_dial());
  const std::string b = join(dial());
  const std::string sid = only_recording()->sid;
  const std::string cf = room()->sid;
  advance(2);
  std::vector<Call> calls{call(a), call(b)};
  std::vector<JournalEvent> events(engine().journal().events().begin(),
                                   engine().journal().events().end());

  rebuild(tracking_config());
  for (const Call& c : calls) engine().restore_call(c);
  for (const JournalEvent& e : events) engine().restore_event(e);
  const Recording* back = engine().find_recording(kAc, sid);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->status, RecStatus::kInProgress);
  EXPECT_EQ(back->conference_sid, cf);
  EXPECT_EQ(back->call_sid, a);
  EXPECT_EQ(back->source, recording::Source::kConference);
  advance(3);
  Effects effects;
  engine().recover_live_calls(effects);
  pump(effects);
  const Recording* done = engine().find_recording(kAc, sid);
  EXPECT_EQ(done->status, RecStatus::kCompleted);
  EXPECT_EQ(done->duration_s, 3);
  EXPECT_EQ(rec_statuses().back(), "completed");
  EXPECT_EQ(sent_to(kRecCb).back().param("ConferenceSid"), cf);
}

}  // namespace
}  // namespace dialtone::core::testing
