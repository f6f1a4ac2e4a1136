// Calls in conferences (core/conference/): <Dial><Conference> with its attributes, waiting and
// the start rule, every way out and what the call does next, the Conference and Participant
// commands, the conference status callbacks and their order, and the Calls API on a
// participant. Expectations come from reference/twilio-conferences-queues.md §2-§5, §8, §9;
// where Twilio is silent the test names the choice docs/conferences.md makes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/callee/script.hpp"
#include "core/sid.hpp"
#include "tests/core/conference_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kDone = kApp + "/after-conf";
const std::string kWait = kApp + "/wait";
const std::string kHoldMusic = kApp + "/hold-music";
const std::string kAnnounce = kApp + "/announce";

// Scenario 1: two parties; B hangs up, the conference stays up; A presses * and it ends.
TEST_F(ConferenceTest, TwoPartyConferenceStartsOnTheSecondJoinAndEndsWithTheLastOne) {
  on_twiml(kDone, doc("<Say>bye</Say>"));
  const std::string a =
      join(dial(with_events(), " hangupOnStar=\"true\" action=\"" + kDone + "\""));
  ASSERT_NE(room(), nullptr);
  EXPECT_EQ(room()->status, conference::Status::kInit);
  EXPECT_TRUE(is_sid(room()->sid, "CF"));
  const std::string b = join(dial());
  EXPECT_EQ(room()->status, conference::Status::kInProgress);
  EXPECT_THAT(events(), ElementsAre("participant-join", "participant-join", "conference-start"));

  ASSERT_TRUE(callee(b, CalleeAction::kHangup).ok());
  EXPECT_EQ(room()->status, conference::Status::kInProgress) << "one participant left is enough";
  ASSERT_EQ(events_named("participant-leave").size(), 1u);
  const Sent left_b = events_named("participant-leave")[0];
  EXPECT_EQ(left_b.param("CallSid"), b);
  EXPECT_EQ(left_b.param("ReasonParticipantLeft"), "participant_hung_up");
  EXPECT_EQ(left_b.param("ParticipantCallStatus"), "completed");

  ASSERT_TRUE(digits(a, "*").ok());
  EXPECT_EQ(room()->status, conference::Status::kCompleted);
  EXPECT_EQ(room()->reason_ended, "last-participant-left");
  EXPECT_EQ(room()->call_sid_ending, a);
  EXPECT_THAT(events(), ElementsAre("participant-join", "participant-join", "conference-start",
                                    "participant-leave", "participant-leave", "conference-end"));
  const Sent end = events_named("conference-end")[0];
  EXPECT_EQ(end.param("ReasonConferenceEnded"), "last-participant-left");
  EXPECT_EQ(end.param("CallSidEndingConference"), a);
  ASSERT_EQ(sent_to(kDone).size(), 1u);
  const Sent action = sent_to(kDone)[0];
  EXPECT_EQ(action.param("DialCallStatus"), "answered");
  EXPECT_EQ(action.param("DialBridged"), "true");
  EXPECT_FALSE(action.has("DialCallSid"));
  EXPECT_FALSE(action.has("DialCallDuration"));
  EXPECT_EQ(action.purpose, WebhookPurpose::kTwiml) << "its TwiML continues the call";
  EXPECT_EQ(status(a), CallStatus::kInProgress);
  advance(2);
  EXPECT_EQ(status(a), CallStatus::kCompleted);
}

TEST_F(ConferenceTest, CallbacksAreNumberedSignedAndCarryTheParticipant) {
  join(dial(with_events() + " participantLabel=\"customer\" muted=\"true\""));
  join(dial());
  const auto all = sent_to(kEvents);
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].param("SequenceNumber"), std::to_string(i + 1));
    EXPECT_EQ(all[i].param("ConferenceSid"), room()->sid);
    EXPECT_EQ(all[i].param("FriendlyName"), "room");
    EXPECT_EQ(all[i].param("AccountSid"), kAc);
    EXPECT_TRUE(all[i].param("Timestamp").ends_with("+0000"));
    EXPECT_EQ(all[i].call_sid, room()->sid) << "sent in the conference's own order";
  }
  EXPECT_EQ(all[0].param("ParticipantLabel"), "customer");
  EXPECT_EQ(all[0].param("Muted"), "true");
  EXPECT_EQ(all[0].param("StartConferenceOnEnter"), "true");
  EXPECT_FALSE(all[2].has("CallSid")) << "conference-start names no participant";
}

// `speaker` events come from the callee's script (core/callee/): a joined participant the
// conference hears (not muted, not on hold) starts and stops talking as its turns say
// (docs/conferences.md, "Speaker events").
TEST_F(ConferenceTest, SpeakerEventsFollowTheCalleesScript) {
  Behavior b;
  auto script = callee::make_script({"silence:5s", "say:hello there", "silence:2s", "say:again"});
  ASSERT_TRUE(script.ok()) << script.error().message;
  b.script = *script;
  engine().behaviors(kAc).add(kTo, b);
  const std::string a = join(dial(with_events("speaker")));
  const std::string m = join(dial(" muted=\"true\""));
  EXPECT_THAT(events(), IsEmpty()) << "only speaker is subscribed";
  advance(20);
  std::vector<std::string> seen;
  for (const Sent& e : sent_to(kEvents)) {
    seen.push_back(e.param("StatusCallbackEvent"));
    EXPECT_EQ(e.param("CallSid"), a) << "the muted participant is not heard";
  }
  EXPECT_THAT(seen, ElementsAre("participant-speech-start", "participant-speech-stop",
                                "participant-speech-start", "participant-speech-stop"));
  EXPECT_EQ(status(m), CallStatus::kInProgress);
}

// Scenario 15: the first participant's callback settings win.
TEST_F(ConferenceTest, FirstParticipantsCallbackSettingsWin) {
  const std::string other = kApp + "/other-events";
  join(dial(with_events("join")));
  join(dial(" statusCallback=\"" + other + "\" statusCallbackEvent=\"" + kAll + "\""));
  EXPECT_THAT(events(), ElementsAre("participant-join", "participant-join"));
  EXPECT_THAT(sent_to(other), IsEmpty());
  EXPECT_EQ(sent_to(kEvents)[1].param("SequenceNumber"), "2");
}

// Scenario 2: moderated; callers wait with the wait music until the moderator comes.
TEST_F(ConferenceTest, ModeratedConferenceWaitsForTheModeratorAndEndsWithThem) {
  on_twiml(kWait, doc("<Play>https://cdn.example.com/m.mp3</Play>"));  // 5 s, no <Redirect>
  const std::string waiting = " startConferenceOnEnter=\"false\" waitUrl=\"" + kWait + "\"";
  const std::string c1 = join(dial(with_events() + waiting) + "<Say>after</Say>");
  const std::string c2 = join(dial(waiting));
  EXPECT_EQ(room()->status, conference::Status::kInit) << "nobody may start it yet";
  EXPECT_EQ(sent_to(kWait).size(), 2u) << "each caller fetched the wait document once";
  advance(20);
  EXPECT_EQ(sent_to(kWait).size(), 2u) << "a run-out wait document is not fetched again";
  const std::string mod =
      join(dial(" startConferenceOnEnter=\"true\" endConferenceOnExit=\"true\""));
  EXPECT_EQ(room()->status, conference::Status::kInProgress);
  EXPECT_EQ(events().back(), "conference-start");

  ASSERT_TRUE(callee(mod, CalleeAction::kHangup).ok());
  EXPECT_EQ(room()->status, conference::Status::kCompleted);
  EXPECT_EQ(room()->reason_ended, "participant-with-end-conference-on-exit-left");
  EXPECT_EQ(room()->call_sid_ending, mod);
  const auto leaves = events_named("participant-leave");
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[0].param("CallSid"), mod);
  EXPECT_EQ(leaves[1].param("ReasonParticipantLeft"), "moderator_ended_conference");
  EXPECT_EQ(leaves[1].param("ParticipantCallStatus"), "in-progress");
  EXPECT_EQ(events().back(), "conference-end");
  // Each <Dial> completes: c1 goes on to its next verb, c2 has none and hangs up.
  EXPECT_EQ(status(c1), CallStatus::kInProgress);
  EXPECT_EQ(status(c2), CallStatus::kCompleted);
  EXPECT_EQ(verbs(c1).back(), "Say");
}

TEST_F(ConferenceTest, WaitDocumentLoopsOnlyThroughRedirect) {
  on_twiml(kWait, doc("<Pause length=\"3\"/><Redirect/>"));
  join(dial(" waitUrl=\"" + kWait + "\""));
  advance(10);
  EXPECT_EQ(sent_to(kWait).size(), 4u) << "at 0, 3, 6 and 9 s";
}

TEST_F(ConferenceTest, WaitDocumentWithAForbiddenVerbStopsTheMusicAndTheCallWaits) {
  on_twiml(kWait, doc("<Gather/>"));
  const std::string a = join(dial(" waitUrl=\"" + kWait + "\""));
  EXPECT_THAT(notification_codes(a), ::testing::Contains(13238));
  EXPECT_EQ(room()->participants.size(), 1u);
  join(dial());
  EXPECT_EQ(room()->status, conference::Status::kInProgress);
}

TEST_F(ConferenceTest, DefaultWaitMusicIsNotFetched) {
  const std::string a = join(dial());
  const auto music = journal(a, "music");
  ASSERT_EQ(music.size(), 1u);
  EXPECT_EQ(*music[0]->field("music"), "default");
}

// Scenario 3: ended through the API.
TEST_F(ConferenceTest, EndedViaApi) {
  const std::string a = join(dial(with_events()));
  ConferenceUpdate u;
  u.complete = true;
  Effects effects;
  auto refused = engine().update_conference(kAc, room()->sid, u, effects);
  ASSERT_FALSE(refused.ok()) << "an init conference is not bridged yet";
  EXPECT_EQ(refused.error().code, 16001);
  const std::string b = join(dial());
  ASSERT_TRUE(end_via_api().ok());
  EXPECT_EQ(room()->status, conference::Status::kCompleted);
  EXPECT_EQ(room()->reason_ended, "conference-ended-via-api");
  EXPECT_EQ(room()->call_sid_ending, "");
  for (const Sent& s : events_named("participant-leave")) {
    EXPECT_EQ(s.param("ReasonParticipantLeft"), "conference_ended_via_api");
  }
  EXPECT_EQ(events_named("participant-leave").size(), 2u);
  EXPECT_FALSE(events_named("conference-end")[0].has("CallSidEndingConference"));
  EXPECT_EQ(status(a), CallStatus::kCompleted) << "no verb after <Dial>: the call hangs up";
  auto again = end_via_api();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, 16099);
}

// Scenario 4: warm transfer with hold, an added participant and a kick.
TEST_F(ConferenceTest, WarmTransferHoldAddAndKick) {
  on_twiml(kHoldMusic, doc("<Play>https://cdn.example.com/h.mp3</Play><Redirect/>"));
  on_twiml(kDone, doc("<Say>agent back in the app</Say>"));
  const std::string customer = join(dial(with_events()));
  const std::string agent_a = join(dial({}, " action=\"" + kDone + "\""));
  ParticipantUpdate hold;
  hold.hold = true;
  hold.hold_url = Webhook{kHoldMusic, HttpMethod::kGet};
  auto held = update_p(customer, hold);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->participant.hold);
  EXPECT_EQ(events().back(), "participant-hold");
  advance(12);
  EXPECT_EQ(sent_to(kHoldMusic).size(), 3u) << "the hold document loops through <Redirect>";
  EXPECT_EQ(sent_to(kHoldMusic)[0].method, HttpMethod::kGet);

  AddParticipant a;
  a.settings.label = "agent-b";
  auto added = add(room()->sid, a);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->status, "queued");
  EXPECT_EQ(added->queue_time_ms, 1000);
  const std::string agent_b = added->participant.call_sid;
  EXPECT_EQ(room()->participants.size(), 3u) << "listed while it rings";
  advance(2);
  EXPECT_EQ(status(agent_b), CallStatus::kInProgress);
  EXPECT_EQ(events_named("participant-join").size(), 3u);
  EXPECT_EQ(events_named("participant-join").back().param("ParticipantLabel"), "agent-b");

  ParticipantUpdate unhold;
  unhold.hold = false;
  ASSERT_TRUE(update_p(customer, unhold).ok());
  EXPECT_EQ(events().back(), "participant-unhold");
  const size_t holds = sent_to(kHoldMusic).size();
  advance(10);
  EXPECT_EQ(sent_to(kHoldMusic).size(), holds) << "the hold music stopped";

  ASSERT_TRUE(kick(agent_a).ok());
  EXPECT_EQ(events_named("participant-leave").back().param("CallSid"), agent_a);
  EXPECT_EQ(events_named("participant-leave").back().param("ReasonParticipantLeft"),
            "participant_updated_via_api");
  ASSERT_EQ(sent_to(kDone).size(), 1u);
  EXPECT_EQ(sent_to(kDone)[0].param("DialCallStatus"), "answered");
  EXPECT_EQ(room()->status, conference::Status::kInProgress) << "C and B go on";
  EXPECT_EQ(room()->participants.size(), 2u);
  // Kicked by label, an API participant hangs up: it has no TwiML to go back to.
  ASSERT_TRUE(kick("agent-b").ok());
  EXPECT_EQ(status(agent_b), CallStatus::kCompleted);
}

// Scenario 5: an added participant that does not answer never joins.
TEST_F(ConferenceTest, AddedParticipantThatDoesNotAnswerLeavesWithAddFailed) {
  join(dial(with_events()));
  engine().behaviors(kAc).add(kAgent, behaves(Outcome::kNoAnswer));
  AddParticipant a;
  a.call.timeout_s = 10;
  auto added = add("room", a);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->conference_sid, room()->sid) << "by name: the active conference";
  advance(15);
  const auto leaves = events_named("participant-leave");
  ASSERT_EQ(leaves.size(), 1u);
  EXPECT_EQ(leaves[0].param("ParticipantCallStatus"), "no-answer");
  EXPECT_EQ(leaves[0].param("ReasonParticipantLeft"), "participant_add_failed");
  EXPECT_THAT(events_named("participant-join").size(), 1u) << "never joined";
  EXPECT_EQ(room()->participants.size(), 1u);
}

// Scenario 6: coaching.
TEST_F(ConferenceTest, CoachingIsAModifyAndNeedsATargetInTheConference) {
  const std::string agent = join(dial(with_events()));
  const std::string customer = join(dial());
  const std::string supervisor = join(dial(" coach=\"" + agent + "\""));
  auto fetched = engine().find_participant(kAc, room()->sid, supervisor);
  ASSERT_TRUE(fetched.ok());
  EXPECT_TRUE(fetched->participant.coaching);
  EXPECT_EQ(fetched->participant.call_sid_to_coach, agent);
  ParticipantUpdate stop;
  stop.coaching = false;
  ASSERT_TRUE(update_p(supervisor, stop).ok());
  EXPECT_EQ(events().back(), "participant-modify");
  ParticipantUpdate bad;
  bad.coaching = true;
  bad.call_sid_to_coach = "CA0123456789abcdef0123456789abcdef";
  auto refused = update_p(supervisor, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, 16028);
  (void)customer;
}

TEST_F(ConferenceTest, CoachOfACallNotHereFailsTheDial) {
  on_twiml(kDone, doc("<Pause length=\"5\"/>"));
  const std::string a =
      join(dial(" coach=\"CA0123456789abcdef0123456789abcdef\"", " action=\"" + kDone + "\""));
  EXPECT_THAT(notification_codes(a), ::testing::Contains(13240));
  ASSERT_EQ(sent_to(kDone).size(), 1u);
  EXPECT_EQ(sent_to(kDone)[0].param("DialCallStatus"), "failed");
  EXPECT_EQ(room(), nullptr) << "nobody got in: no conference was made";
}

// Scenario 7: mute and unmute.
TEST_F(ConferenceTest, MuteAndUnmuteAreEvents) {
  const std::string a = join(dial(with_events()));
  ParticipantUpdate mute;
  mute.muted = true;
  auto r = update_p(a, mute);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->participant.muted);
  mute.muted = false;
  ASSERT_TRUE(update_p(a, mute).ok());
  EXPECT_THAT(events(), ElementsAre("participant-join", "participant-mute", "participant-unmute"));
}

// Scenario 8: labels.
TEST_F(ConferenceTest, ADuplicateLabelKeepsTheCallOutAndItsTwimlGoesOn) {
  join(dial(" participantLabel=\"customer\""));
  const std::string b = join(dial(" participantLabel=\"customer\"") + "<Say>next</Say>");
  EXPECT_THAT(notification_codes(b), ::testing::Contains(16025));
  EXPECT_EQ(room()->participants.size(), 1u);
  EXPECT_EQ(verbs(b).back(), "Say");
  ASSERT_TRUE(engine().find_participant(kAc, room()->sid, "customer").ok());
}

// Scenario 9: names are reused once a conference is over; sids are not.
TEST_F(ConferenceTest, ANameIsReusedAfterItsConferenceEnds) {
  auto first = add("NewRoom");
  ASSERT_TRUE(first.ok());
  const std::string first_sid = first->conference_sid;
  advance(2);  // answered: joined, alone, waiting
  ASSERT_TRUE(callee(first->participant.call_sid, CalleeAction::kHangup).ok());
  EXPECT_EQ(engine().find_conference(kAc, first_sid)->status, conference::Status::kCompleted);
  join(dial({}, {}, "NewRoom"));
  ASSERT_NE(room("NewRoom"), nullptr);
  EXPECT_NE(room("NewRoom")->sid, first_sid);
  auto by_old_sid = add(first_sid);
  ASSERT_FALSE(by_old_sid.ok());
  EXPECT_EQ(by_old_sid.error().code, 16022);
  const std::string c = join(dial({}, {}, first_sid) + "<Say>x</Say>");
  EXPECT_THAT(notification_codes(c), ::testing::Contains(13236));
}

// Scenario 14: the Calls API on participants.
TEST_F(ConferenceTest, RedirectingAnEndConferenceOnExitParticipantEndsTheConference) {
  on_twiml(kNext, doc("<Pause length=\"1\"/>"));
  on_twiml(kDone, doc("<Say>must not run</Say>"));
  const std::string mod =
      join(dial(with_events() + " endConferenceOnExit=\"true\"", " action=\"" + kDone + "\""));
  const std::string other = join(dial());
  ASSERT_TRUE(update(mod, redirect_to(kNext)).ok());
  EXPECT_EQ(room()->reason_ended, "participant-with-end-conference-on-exit-left");
  EXPECT_EQ(events_named("participant-leave")[0].param("ReasonParticipantLeft"),
            "participant_updated_via_api");
  ASSERT_EQ(sent_to(kDone).size(), 1u);
  EXPECT_EQ(sent_to(kDone)[0].purpose, WebhookPurpose::kActionNoTwiml);
  EXPECT_EQ(sent_to(kNext).size(), 1u) << "the new TwiML runs";
  EXPECT_EQ(status(other), CallStatus::kCompleted);
  EXPECT_FALSE(engine().find_participant(kAc, room()->sid, mod).ok());
}

TEST_F(ConferenceTest, CompletingAParticipantThroughTheCallsApiIsALeaveViaApi) {
  const std::string a = join(dial(with_events()));
  const std::string b = join(dial());
  ASSERT_TRUE(update(b, set_status(CallStatus::kCompleted)).ok());
  const Sent left = events_named("participant-leave")[0];
  EXPECT_EQ(left.param("ReasonParticipantLeft"), "participant_updated_via_api");
  EXPECT_EQ(left.param("ParticipantCallStatus"), "completed");
  UpdateCall cancel = set_status(CallStatus::kCanceled);
  ASSERT_TRUE(update(a, cancel).ok()) << "canceled on an in-progress call: no effect";
  EXPECT_EQ(room()->participants.size(), 1u);
  auto late = update(b, set_status(CallStatus::kCompleted));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, 21220);
}

TEST_F(ConferenceTest, CancelingARingingAddedParticipantIsAnAddFailure) {
  join(dial(with_events()));
  engine().behaviors(kAc).add(kAgent, answers_after(30));
  auto added = add("room");
  ASSERT_TRUE(added.ok());
  advance(1);
  EXPECT_EQ(engine().find_participant(kAc, room()->sid, added->participant.call_sid)->status,
            "ringing");
  ASSERT_TRUE(update(added->participant.call_sid, set_status(CallStatus::kCompleted)).ok());
  EXPECT_EQ(status(added->participant.call_sid), CallStatus::kCanceled);
  const Sent left = events_named("participant-leave")[0];
  EXPECT_EQ(left.param("ReasonParticipantLeft"), "participant_add_failed");
  EXPECT_EQ(left.param("ParticipantCallStatus"), "canceled");
}

TEST_F(ConferenceTest, ARingingAddedParticipantRedirectedRunsItsTwimlInstead) {
  join(dial());
  on_twiml(kNext, doc("<Pause length=\"1\"/>"));
  engine().behaviors(kAc).add(kAgent, answers_after(5));
  auto added = add("room");
  ASSERT_TRUE(added.ok());
  const std::string sid = added->participant.call_sid;
  ASSERT_TRUE(update(sid, redirect_to(kNext)).ok());
  advance(6);
  EXPECT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(room()->participants.size(), 1u) << "it never joined";
}

TEST_F(ConferenceTest, TimeLimitTakesTheCallOutOfTheConference) {
  on_twiml(kDone, doc("<Hangup/>"));
  const std::string a = join(dial({}, " timeLimit=\"30\" action=\"" + kDone + "\""));
  join(dial());  // a joined at 1 s, its limit is at 31 s; now is 2 s
  advance(28);
  EXPECT_EQ(room()->participants.size(), 2u);
  advance(1);
  EXPECT_EQ(room()->participants.size(), 1u);
  EXPECT_EQ(status(a), CallStatus::kCompleted);
}

TEST_F(ConferenceTest, AFullConferenceRefusesTheNextCaller) {
  join(dial(" maxParticipants=\"2\""));
  join(dial());
  const std::string c = join(dial() + "<Say>full</Say>");
  EXPECT_THAT(notification_codes(c), ::testing::Contains(16020));
  EXPECT_EQ(room()->participants.size(), 2u);
  AddParticipant a;
  auto refused = add(room()->sid, a);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, 16020);
}

TEST_F(ConferenceTest, BadAttributesAreTwiliosErrorsAndWarnings) {
  const std::string a = join(dial(" statusCallbackEvent=\"start bogus\"") + "<Say>x</Say>");
  EXPECT_THAT(notification_codes(a), ::testing::Contains(16002));
  EXPECT_EQ(room(), nullptr);
  const std::string b = join(dial(" muted=\"banana\" beep=\"loud\""));
  EXPECT_THAT(notification_codes(b), ::testing::Contains(13230));
  EXPECT_THAT(notification_codes(b), ::testing::Contains(13235));
  ASSERT_NE(room(), nullptr) << "warnings keep the defaults and the call joins";
  EXPECT_FALSE(room()->participants[0].muted);
  const std::string c = join(dial({}, {}, std::string(129, 'x')) + "<Say>x</Say>");
  EXPECT_THAT(notification_codes(c), ::testing::Contains(13237));
}

// Announcements play in simulated time (their Play, Say and Pause take their time, a
// <Redirect> fetches more), then announcement-end; a verb Twilio does not allow there is
// announcement-fail (reference §3.5, §4.4, §5.2).
TEST_F(ConferenceTest, AnnouncementsPlayInSimulatedTimeThenEndOrFail) {
  on_twiml(kAnnounce, doc("<Pause length=\"4\"/>"));
  const std::string a = join(dial(with_events()));
  const std::string b = join(dial());
  ConferenceUpdate u;
  u.announce_url = Webhook{kAnnounce, HttpMethod::kPost};
  Effects effects;
  ASSERT_TRUE(engine().update_conference(kAc, room()->sid, u, effects).ok());
  pump(effects);
  ASSERT_EQ(sent_to(kAnnounce).size(), 1u);
  EXPECT_EQ(sent_to(kAnnounce)[0].param("ConferenceSid"), room()->sid);
  const TimePoint asked = sent_to(kAnnounce)[0].at;
  advance(3.9);
  EXPECT_THAT(events_named("announcement-end"), IsEmpty()) << "it plays for 4 s first";
  advance(0.2);
  ASSERT_EQ(events_named("announcement-end").size(), 1u) << "once, not once per listener";
  const Sent all = events_named("announcement-end")[0];
  EXPECT_EQ(all.param("AnnounceUrl"), kAnnounce);
  EXPECT_FALSE(all.has("CallSid")) << "the conference's own announcement";
  EXPECT_EQ(all.at, at(asked, 4));
  EXPECT_THAT(verbs(b), ::testing::Contains("Pause"));

  // To one participant, with a <Redirect> to more of it: 2 s, then 3 s.
  const std::string more = kApp + "/announce-more";
  on_twiml(kAnnounce, doc("<Pause length=\"2\"/><Redirect>" + more + "</Redirect>"));
  on_twiml(more, doc("<Pause length=\"3\"/>"));
  ParticipantUpdate p;
  p.announce_url = Webhook{kAnnounce, HttpMethod::kPost};
  ASSERT_TRUE(update_p(a, p).ok());
  const TimePoint to_a = now();
  advance(4.9);
  EXPECT_EQ(events_named("announcement-end").size(), 1u);
  advance(0.2);
  ASSERT_EQ(events_named("announcement-end").size(), 2u);
  const Sent one = events_named("announcement-end")[1];
  EXPECT_EQ(one.param("CallSid"), a);
  EXPECT_EQ(one.param("AnnounceUrl"), kAnnounce);
  EXPECT_EQ(one.at, at(to_a, 5));
  ASSERT_EQ(sent_to(more).size(), 1u);
  EXPECT_EQ(sent_to(more)[0].call_sid, a);

  on_twiml(kAnnounce, doc("<Dial>+15551234567</Dial>"));
  ASSERT_TRUE(update_p(a, p).ok());
  EXPECT_EQ(events().back(), "announcement-fail");
  EXPECT_EQ(events_named("announcement-fail")[0].param("CallSid"), a);
  EXPECT_TRUE(events_named("announcement-fail")[0].has("ReasonAnnouncementFailed"));
}

// In a conference that has not started, an announcement to a participant takes the place of its
// wait music, which comes back when it is over; a participant that hangs up while its
// announcement plays makes it fail.
TEST_F(ConferenceTest, AnAnnouncementInterruptsTheWaitMusicWhichComesBack) {
  on_twiml(kWait, doc("<Pause length=\"60\"/>"));
  on_twiml(kAnnounce, doc("<Pause length=\"2\"/>"));
  const std::string a =
      join(dial(with_events() + " waitUrl=\"" + kWait + "\""));
  ASSERT_EQ(sent_to(kWait).size(), 1u);
  ParticipantUpdate p;
  p.announce_url = Webhook{kAnnounce, HttpMethod::kPost};
  ASSERT_TRUE(update_p(a, p).ok());
  advance(2.1);
  ASSERT_EQ(events_named("announcement-end").size(), 1u);
  ASSERT_EQ(sent_to(kWait).size(), 2u) << "the wait music again, from its start";
  on_twiml(kAnnounce, doc("<Pause length=\"20\"/>"));
  ASSERT_TRUE(update_p(a, p).ok());
  advance(1);
  ASSERT_TRUE(callee(a, CalleeAction::kHangup).ok());
  ASSERT_EQ(events_named("announcement-fail").size(), 1u);
  EXPECT_EQ(events_named("announcement-fail")[0].param("CallSid"), a);
  EXPECT_THAT(events(), ElementsAre("participant-join", "announcement-end", "announcement-fail",
                                    "participant-leave", "conference-end"));
}

TEST_F(ConferenceTest, EventsAreJournalledForWaitFor) {
  const std::string a = join(dial());
  const auto joined = journal(a, "conference");
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(*joined[0]->field("event"), "participant-join");
  EXPECT_EQ(*joined[0]->field("conference_sid"), room()->sid);
}

}  // namespace
}  // namespace dialtone::core::testing
