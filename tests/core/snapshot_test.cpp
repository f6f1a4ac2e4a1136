// Snapshots of an account (core/snapshot/): everything but a webhook out is captured, live
// calls included, and a snapshot loaded into another account (or the same one) gives back its
// state exactly, the account sid apart; a refused one changes nothing.
#include <gtest/gtest.h>

#include "engine_fixture.hpp"

namespace dialtone::core::testing {
namespace {

const std::string kB = "AC" + std::string(32, 'b');
const std::string kSub = "AC" + std::string(32, 'c');

class SnapshotTest : public EngineTest {
 protected:
  SnapshotTest() {
    engine().accounts().put(Account{kB, "token-b", kB, "b", {}});
  }

  // A settled account with something of everything: an answered call that ended, a busy one,
  // a call whose TwiML failed (a notification), a number, a callee rule and a limit.
  void fill() {
    on_twiml(kApp + "/voice", "<Response><Say>Hello</Say><Hangup/></Response>");
    on(kApp + "/broken", http_error(500));
    engine().behaviors(kAc).add("+14155550111", behaves(Outcome::kBusy));
    engine().set_calls_per_second(kAc, 5);
    PhoneNumber n;
    n.sid = engine().world(kAc).sids.next("PN");
    n.account_sid = kAc;
    n.phone_number = "+14155550700";
    n.voice_url = Webhook{kApp + "/voice", HttpMethod::kGet};
    engine().numbers(kAc).put(n);
    answered = create();
    busy = create(call_request(kApp + "/voice", "+14155550111"));
    broken = create(kApp + "/broken");
    advance(30);
    ASSERT_EQ(status(answered), CallStatus::kCompleted);
    ASSERT_EQ(status(busy), CallStatus::kBusy);
    ASSERT_EQ(notification_codes(broken), std::vector<int>{11200});
  }

  AccountSnapshot take(const std::string& account = kAc) {
    auto s = engine().snapshot(account);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : AccountSnapshot{};
  }

  std::vector<const JournalEvent*> events_of(const std::string& account) {
    std::vector<const JournalEvent*> out;
    for (const auto& e : engine().journal().events())
      if (e.account_sid == account) out.push_back(&e);
    return out;
  }

  // The events of a run from a restored snapshot are the source's run's: the same calls,
  // types, times and fields (webhook ids differ).
  static void expect_same_journal(const std::vector<const JournalEvent*>& restored,
                                  const std::vector<JournalEvent>& source) {
    ASSERT_EQ(restored.size(), source.size());
    for (size_t i = 0; i < source.size(); ++i) {
      EXPECT_EQ(restored[i]->call_sid, source[i].call_sid) << i;
      EXPECT_EQ(restored[i]->type, source[i].type) << i;
      EXPECT_EQ(restored[i]->at, source[i].at) << i << " " << source[i].type;
      if (source[i].type == "webhook.request" || source[i].type == "webhook.response") continue;
      EXPECT_EQ(restored[i]->fields, source[i].fields) << i << " " << source[i].type;
    }
  }

  // A restore into B refused with 400 naming `words`, B left without the call or a conference.
  void expect_invalid(AccountSnapshot doc, const std::string& words, const std::string& sid) {
    auto r = engine().restore(kB, std::move(doc));
    ASSERT_FALSE(r.ok()) << words;
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
    EXPECT_EQ(engine().find_call(kB, sid), nullptr);
    EXPECT_TRUE(engine().list_conferences(kB).empty());
  }

  std::string answered, busy, broken;
};

TEST_F(SnapshotTest, HoldsTheWholeStateOfASettledAccount) {
  fill();
  const AccountSnapshot s = take();
  EXPECT_EQ(s.account_sid, kAc);
  EXPECT_EQ(s.clock.now, now());
  EXPECT_EQ(s.seed, engine().world(kAc).seed);
  EXPECT_EQ(s.sids_made, engine().world(kAc).sids.made());
  EXPECT_GE(s.sids_made, 5u) << "a number, three calls and a notification";
  EXPECT_EQ(s.calls_per_second, 5);
  ASSERT_EQ(s.calls.size(), 3u);
  EXPECT_EQ(s.calls[0].sid, answered) << "oldest first";
  EXPECT_EQ(s.calls[2].sid, broken);
  ASSERT_EQ(s.notifications.size(), 1u);
  EXPECT_EQ(s.notifications[0].call_sid, broken);
  ASSERT_EQ(s.numbers.size(), 1u);
  EXPECT_EQ(s.numbers[0].phone_number, "+14155550700");
  ASSERT_EQ(s.behaviors.rules().size(), 1u);
  EXPECT_EQ(s.behaviors.rules()[0].pattern, "+14155550111");
  EXPECT_EQ(s.journal.size(), events_of(kAc).size());
}

// Recordings come along in their calls' journal lines, their audio with them.
TEST_F(SnapshotTest, RecordingsGoWithTheirCalls) {
  on_twiml(kApp + "/voice", "<Response><Say>Hello there</Say><Pause length=\"600\"/></Response>");
  const std::string ca = create();
  advance(1);
  Effects effects;
  auto r = engine().create_recording(kAc, ca, recording::Options{}, effects);
  ASSERT_TRUE(r.ok());
  const std::string sid = (*r)->sid;
  advance(3);
  ASSERT_TRUE(update(ca, set_status(CallStatus::kCompleted)).ok());
  const recording::Recording before = *engine().find_recording(kAc, sid);
  ASSERT_EQ(before.duration_s, 3);
  const AccountSnapshot s = take();
  engine().reset_account(kAc);
  ASSERT_EQ(engine().find_recording(kAc, sid), nullptr);
  auto restored = engine().restore(kAc, s);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  const recording::Recording* copy = engine().find_recording(kAc, sid);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->account_sid, kAc);
  EXPECT_EQ(copy->call_sid, ca);
  EXPECT_EQ(copy->duration_s, 3);
  EXPECT_EQ(recording::encode_audio(copy->audio), recording::encode_audio(before.audio));
}

// An IVR call snapshotted mid-call and run on; then the account rewound to the snapshot and run
// on again: the journal reads the same the second time (a <Say> running, a <Gather> and its digit
// to come, an action, a <Dial> leg ringing, a TimeLimit armed). (The fake app checks that every
// webhook is the test account's: the restore into another account is the e2e test's.)
TEST_F(SnapshotTest, ALiveCallGoesOnAsTheSourcesWould) {
  on_twiml(kApp + "/voice",
           "<Response><Say>Hello</Say><Gather numDigits=\"1\" timeout=\"5\" action=\"/menu\">"
           "<Say>Press 1</Say></Gather><Say>Goodbye</Say></Response>");
  on_twiml(kApp + "/menu",
           "<Response><Dial timeout=\"10\">+14155550199</Dial><Say>Bye</Say></Response>");
  engine().behaviors(kAc).add(kTo, presses({"1"}));
  Behavior leg = answers_after(3);
  leg.hangup_after_s = 5;
  engine().behaviors(kAc).add("+14155550199", leg);
  const std::string sid = create();
  advance(2.5);  // answered, saying hello
  ASSERT_EQ(status(sid), CallStatus::kInProgress);
  const AccountSnapshot s = take();
  ASSERT_EQ(s.live_calls.size(), 1u);
  EXPECT_NE(s.live_calls[0].phase, Phase::kIdle);
  EXPECT_FALSE(s.timers.empty());
  const size_t at_snapshot = events_of(kAc).size();
  advance(60);
  ASSERT_EQ(status(sid), CallStatus::kCompleted);
  std::vector<JournalEvent> source;
  for (const auto* e : events_of(kAc)) source.push_back(*e);
  ASSERT_GT(source.size(), at_snapshot + 10);
  EXPECT_EQ(verbs(sid),
            (std::vector<std::string>{"Say", "Gather", "Dial", "Say", "(end of document)"}));

  set_clock(s.clock.now);  // as the server's host does; the fixture's worlds share one clock
  ASSERT_TRUE(engine().restore(kAc, s).ok());
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  advance(60);
  const auto restored = events_of(kAc);
  expect_same_journal(restored, source);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

// A conference snapshotted while its first participant waits with its wait music and a second
// (added by the Participants API) still rings: run on, then rewound to the snapshot and run on
// again, the journal reads the same (the join, the start, the timeLimit that takes the first
// out, the hang-up that ends the conference, every status callback with its SequenceNumber).
TEST_F(SnapshotTest, AConferenceGoesOnAsTheSourcesWould) {
  const std::string events = kApp + "/conf-events";
  on_twiml(kApp + "/voice",
           "<Response><Dial timeLimit=\"20\"><Conference waitUrl=\"/wait\" statusCallback=\"" +
               events + "\" statusCallbackEvent=\"start end join leave\">room</Conference>"
               "</Dial><Say>After</Say></Response>");
  on_twiml(kApp + "/wait", "<Response><Say>Please hold</Say><Redirect/></Response>");
  Behavior agent = answers_after(6);
  agent.hangup_after_s = 30;
  engine().behaviors(kAc).add("+14155550777", agent);
  const std::string first = create();
  advance(2);  // in the conference, its wait music playing
  AddParticipant a;
  a.call = call_request({}, "+14155550777");
  a.call.url = {};
  a.conference = "room";
  Effects effects;
  auto added = engine().add_participant(a, effects);
  ASSERT_TRUE(added.ok()) << added.error().message;
  pump(effects);
  const std::string second = added->participant.call_sid;
  advance(1);
  const AccountSnapshot s = take();
  ASSERT_EQ(s.conferences.size(), 1u);
  const conference::Conference& c = s.conferences[0];
  EXPECT_EQ(c.status, conference::Status::kInit);
  ASSERT_EQ(c.participants.size(), 2u);
  EXPECT_TRUE(c.participants[0].joined);
  EXPECT_FALSE(c.participants[1].joined) << "still ringing";
  EXPECT_EQ(c.sequence, 1) << "the first participant-join";
  ASSERT_EQ(s.live_calls.size(), 2u);
  ASSERT_TRUE(s.live_calls[0].conference.has_value());
  EXPECT_EQ(s.live_calls[0].conference->sid, c.sid);
  EXPECT_TRUE(s.live_calls[0].conference->music.active()) << "the wait document runs";
  ASSERT_TRUE(s.live_calls[1].conference.has_value());
  EXPECT_TRUE(s.live_calls[1].conference->via_api);

  const size_t at_snapshot = events_of(kAc).size();
  advance(60);
  ASSERT_EQ(status(first), CallStatus::kCompleted);
  ASSERT_EQ(status(second), CallStatus::kCompleted);
  std::vector<JournalEvent> source;
  for (const auto* e : events_of(kAc)) source.push_back(*e);
  ASSERT_GT(source.size(), at_snapshot + 10);
  const conference::Conference* ended = engine().find_conference(kAc, c.sid);
  ASSERT_NE(ended, nullptr);
  EXPECT_EQ(ended->status, conference::Status::kCompleted);
  EXPECT_EQ(ended->reason_ended, "last-participant-left");
  const int sequence = ended->sequence;
  EXPECT_GE(sequence, 6) << "join, join, start, leave, leave, end";

  set_clock(s.clock.now);
  ASSERT_TRUE(engine().restore(kAc, s).ok());
  const conference::Conference* back = engine().find_conference(kAc, c.sid);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->status, conference::Status::kInit);
  EXPECT_EQ(engine().find_participant(kAc, c.sid, second)->status, "ringing");
  advance(60);
  const auto restored = events_of(kAc);
  expect_same_journal(restored, source);
  back = engine().find_conference(kAc, c.sid);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->status, conference::Status::kCompleted);
  EXPECT_EQ(back->sequence, sequence);
  ASSERT_EQ(engine().list_conferences(kAc).size(), 1u) << "one room, not a second";
}

// A conference recorded from its start, snapshotted while its recording runs: the snapshot
// carries the conference's recording settings and the live recording (in its first
// participant's journal lines); restored, the recording goes on with what it hears from the
// restore and stops when the conference ends (docs/recordings.md).
TEST_F(SnapshotTest, AConferenceRecordingGoesOnFromTheRestore) {
  on_twiml(kApp + "/voice",
           "<Response><Dial><Conference record=\"record-from-start\" trim=\"do-not-trim\">"
           "room</Conference></Dial></Response>");
  create();
  advance(1);  // the first caller waits
  create();
  advance(1);  // the second joins: the conference and its recording start
  ASSERT_EQ(engine().list_recordings(kAc).size(), 1u);
  const std::string sid = engine().list_recordings(kAc)[0]->sid;
  const std::string cf = engine().list_recordings(kAc)[0]->conference_sid;
  advance(2);
  const AccountSnapshot s = take();
  ASSERT_EQ(s.conferences.size(), 1u);
  EXPECT_EQ(s.conferences[0].record, "record-from-start");
  EXPECT_FALSE(s.conferences[0].recording.trim);
  engine().reset_account(kAc);
  ASSERT_EQ(engine().find_recording(kAc, sid), nullptr);
  auto restored = engine().restore(kAc, s);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  const recording::Recording* back = engine().find_recording(kAc, sid);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->status, recording::Status::kInProgress);
  EXPECT_EQ(back->conference_sid, cf);
  advance(3);
  Effects effects;
  ConferenceUpdate end;
  end.complete = true;
  ASSERT_TRUE(engine().update_conference(kAc, cf, end, effects).ok());
  pump(effects);
  const recording::Recording* done = engine().find_recording(kAc, sid);
  EXPECT_EQ(done->status, recording::Status::kCompleted);
  EXPECT_EQ(done->duration_s, 3) << "what it heard since the restore";
}

// A conference document must hold together with its calls; each way it can fail is refused
// before anything changes.
TEST_F(SnapshotTest, AConferenceMustHoldTogetherWithItsCalls) {
  on_twiml(kApp + "/voice",
           "<Response><Dial><Conference>room</Conference></Dial></Response>");
  const std::string sid = create();
  advance(2);
  const AccountSnapshot s = take();
  ASSERT_EQ(s.conferences.size(), 1u);
  ASSERT_EQ(s.conferences[0].participants.size(), 1u);
  engine().reset_account(kAc);
  auto refused_with = [&](AccountSnapshot doc, const std::string& words) {
    expect_invalid(std::move(doc), words, sid);
  };
  AccountSnapshot stateless = s;  // the call no longer says which conference it is in
  stateless.live_calls[0].conference.reset();
  refused_with(stateless, "without a conference");
  AccountSnapshot elsewhere = s;
  elsewhere.live_calls[0].conference->sid = "CF" + std::string(32, 'e');
  refused_with(elsewhere, "no live call of the document in it");
  AccountSnapshot unseated = s;
  unseated.conferences[0].participants.clear();
  refused_with(unseated, "does not hold it");
  AccountSnapshot twice = s;
  twice.conferences.push_back(twice.conferences[0]);
  refused_with(twice, "there twice");
  AccountSnapshot ended = s;
  ended.conferences[0].status = conference::Status::kCompleted;
  refused_with(ended, "completed but has participants");
  AccountSnapshot ringing = s;  // not joined, yet no Participants API call
  ringing.conferences[0].participants[0].joined = false;
  refused_with(ringing, "not joined");
  AccountSnapshot lost = s;  // its <Dial> is not where the program points
  lost.live_calls[0].program.index = 1;
  refused_with(lost, "does not point at a <Dial>");
  ASSERT_TRUE(engine().restore(kB, s).ok());
  ASSERT_EQ(engine().list_conferences(kB).size(), 1u);
  EXPECT_EQ(engine().list_conferences(kB)[0]->account_sid, kB);
  EXPECT_TRUE(engine().find_participant(kB, s.conferences[0].sid, sid).ok());
}

TEST_F(SnapshotTest, ALiveDocumentMustHoldTogether) {
  CreateCall paused = call_request();
  paused.url = {};
  paused.twiml = "<Response><Pause length=\"60\"/></Response>";
  const std::string sid = create(paused);
  advance(2);
  AccountSnapshot s = take();
  ASSERT_EQ(s.live_calls.size(), 1u);
  engine().reset_account(kAc);
  auto refused_with = [&](AccountSnapshot doc, const std::string& words) {
    expect_invalid(std::move(doc), words, sid);
  };
  AccountSnapshot undescribed = s;
  undescribed.live_calls.clear();
  refused_with(undescribed, "live_calls does not describe it");
  AccountSnapshot ended = s;
  ended.calls[0].status = CallStatus::kCompleted;
  refused_with(ended, "no live call of the document");
  AccountSnapshot fetching = s;
  fetching.live_calls[0].phase = Phase::kFetching;
  refused_with(fetching, "fetch in flight");
  AccountSnapshot twice = s;
  twice.timers.push_back(twice.timers.back());
  refused_with(twice, "two timers");
  AccountSnapshot stranger = s;
  stranger.timers[0].call_sid = "CA" + std::string(32, 'f');
  refused_with(stranger, "no live call of the document");
  AccountSnapshot misfit = s;  // a gather's timer on a call that is in no <Gather>
  misfit.live_calls[0].program = {};
  misfit.live_calls[0].phase = Phase::kIdle;
  misfit.timers = {{sid, TimerSlot::kLifecycle, TimerKind::kGatherInput, s.clock.now}};
  refused_with(misfit, "gather-input timer in phase idle");
  EXPECT_TRUE(engine().restore(kB, s).ok());
}

TEST_F(SnapshotTest, WaitsForWebhooksStillOut) {
  CreateCall c = call_request();
  c.url = {};
  c.twiml = "<Response><Hangup/></Response>";
  c.status_callback = Webhook{kApp + "/status", HttpMethod::kPost};
  hold(true);
  const std::string sid = create(c);
  advance(5);
  ASSERT_EQ(status(sid), CallStatus::kCompleted);
  ASSERT_EQ(held_count(), 1u) << "the completed callback is out";
  auto s = engine().snapshot(kAc);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().http_status, 409);
  EXPECT_NE(s.error().message.find("webhook(s) out"), std::string::npos) << s.error().message;
  hold(false);
  release();
  EXPECT_TRUE(engine().snapshot(kAc).ok());
}

TEST_F(SnapshotTest, AnUnknownAccountIsNotFound) {
  const std::string nobody = "AC" + std::string(32, 'd');
  auto s = engine().snapshot(nobody);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().http_status, 404);
  EXPECT_EQ(engine().find_world(nobody), nullptr) << "no world made for it";
  auto r = engine().restore(nobody, AccountSnapshot{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 404);
}

TEST_F(SnapshotTest, SubaccountsAreRefused) {
  engine().accounts().put(Account{kSub, "token-sub", kAc, "sub", {}});
  auto of_sub = engine().snapshot(kSub);
  ASSERT_FALSE(of_sub.ok());
  EXPECT_EQ(of_sub.error().http_status, 400);
  auto of_owner = engine().snapshot(kAc);
  ASSERT_FALSE(of_owner.ok());
  EXPECT_EQ(of_owner.error().http_status, 409);
  EXPECT_NE(of_owner.error().message.find(kSub), std::string::npos);
  auto into_sub = engine().restore(kSub, AccountSnapshot{});
  ASSERT_FALSE(into_sub.ok());
  EXPECT_EQ(into_sub.error().http_status, 400);
}

TEST_F(SnapshotTest, RestoringIntoAnotherAccountGivesItTheSameState) {
  fill();
  const AccountSnapshot s = take();
  std::vector<Call> calls;
  for (const auto& sid : {answered, busy, broken}) calls.push_back(call(sid));
  std::vector<JournalEvent> journal;
  for (const auto* e : events_of(kAc)) journal.push_back(*e);

  // The source still holds the call sids: loading them beside it is refused.
  auto refused = engine().restore(kB, s);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 409);
  EXPECT_NE(refused.error().message.find(answered), std::string::npos);
  EXPECT_EQ(engine().find_call(kB, answered), nullptr);

  engine().reset_account(kAc);
  ASSERT_TRUE(engine().restore(kB, s).ok());
  for (const Call& before : calls) {
    const Call* after = engine().find_call(kB, before.sid);
    ASSERT_NE(after, nullptr) << before.sid;
    EXPECT_EQ(after->account_sid, kB);
    EXPECT_EQ(after->status, before.status);
    EXPECT_EQ(after->start_time, before.start_time);
    EXPECT_EQ(after->end_time, before.end_time);
    EXPECT_EQ(after->duration_s, before.duration_s);
    EXPECT_EQ(after->price, before.price);
    EXPECT_EQ(after->url.url, before.url.url);
    EXPECT_EQ(after->callbacks_sent, before.callbacks_sent);
  }
  const CallPage page = engine().list_calls(kB, {}, 10, 0, {}, {});
  ASSERT_EQ(page.calls.size(), 3u);
  EXPECT_EQ(page.calls[0]->sid, broken) << "newest first, as in the source";
  ASSERT_EQ(engine().notifications(kB, broken).size(), 1u);
  EXPECT_EQ(engine().notifications(kB, broken)[0]->account_sid, kB);

  const auto restored = events_of(kB);
  ASSERT_EQ(restored.size(), journal.size());
  for (size_t i = 0; i < journal.size(); ++i) {
    EXPECT_EQ(restored[i]->call_sid, journal[i].call_sid);
    EXPECT_EQ(restored[i]->type, journal[i].type);
    EXPECT_EQ(restored[i]->at, journal[i].at);
    EXPECT_EQ(restored[i]->wall, journal[i].wall);
    EXPECT_EQ(restored[i]->fields, journal[i].fields);
    EXPECT_GT(restored[i]->seq, journal.back().seq) << "new seqs, after every earlier event";
  }
  const World& w = engine().world(kB);
  EXPECT_EQ(w.seed, s.seed);
  EXPECT_EQ(w.sids.made(), s.sids_made);
  EXPECT_EQ(w.calls_per_second, 5);
  EXPECT_EQ(w.behaviors.for_number("+14155550111").outcome, Outcome::kBusy);
  ASSERT_NE(w.numbers.find("+14155550700"), nullptr);
  EXPECT_EQ(w.numbers.find("+14155550700")->account_sid, kB);

  // Snapshotted again: the same state.
  const AccountSnapshot again = take(kB);
  EXPECT_EQ(again.sids_made, s.sids_made);
  EXPECT_EQ(again.calls.size(), s.calls.size());
  EXPECT_EQ(again.journal.size(), s.journal.size());
}

TEST_F(SnapshotTest, ARestoredWorldGoesOnWithTheSourcesSids) {
  fill();
  const AccountSnapshot s = take();
  SidGenerator source = engine().world(kAc).sids;  // where the source's sequence stands
  const std::string next = source.next("CA");
  engine().reset_account(kAc);
  ASSERT_TRUE(engine().restore(kB, s).ok());
  CreateCall c = call_request();
  c.account_sid = kB;
  Effects out;
  auto made = engine().create_call(c, out);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ((*made)->sid, next);
}

TEST_F(SnapshotTest, RestoringIntoTheSameAccountRewindsIt) {
  fill();
  const AccountSnapshot s = take();
  const size_t events = events_of(kAc).size();
  const std::string later = create();
  advance(30);
  engine().behaviors(kAc).add("+14155550999", behaves(Outcome::kFail));
  ASSERT_TRUE(engine().restore(kAc, s).ok()) << "its own sids are no conflict";
  EXPECT_EQ(engine().find_call(kAc, later), nullptr);
  EXPECT_NE(engine().find_call(kAc, answered), nullptr);
  EXPECT_EQ(events_of(kAc).size(), events);
  EXPECT_EQ(engine().world(kAc).behaviors.rules().size(), 1u);
}

TEST_F(SnapshotTest, ARefusedDocumentChangesNothing) {
  fill();
  AccountSnapshot s = take();
  engine().reset_account(kAc);
  engine().behaviors(kB).add("+14155550999", behaves(Outcome::kFail));
  const size_t journal = engine().journal().events().size();
  auto refused_with = [&](AccountSnapshot doc, int status, const std::string& words) {
    auto r = engine().restore(kB, std::move(doc));
    ASSERT_FALSE(r.ok()) << words;
    EXPECT_EQ(r.error().http_status, status);
    EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
    EXPECT_EQ(engine().world(kB).behaviors.rules().size(), 1u) << "B as it was";
    EXPECT_EQ(engine().journal().events().size(), journal);
    EXPECT_EQ(engine().list_calls(kB, {}, 10, 0, {}, {}).calls.size(), 0u);
  };
  AccountSnapshot live = s;
  live.calls[1].status = CallStatus::kRinging;
  refused_with(live, 400, "live_calls does not describe it");
  AccountSnapshot twice = s;
  twice.calls.push_back(twice.calls[0]);
  refused_with(twice, 400, "twice");
  AccountSnapshot orphan = s;
  orphan.notifications[0].call_sid = "CA" + std::string(32, 'f');
  refused_with(orphan, 400, "does not hold");
  AccountSnapshot numbers = s;
  numbers.numbers.push_back(numbers.numbers[0]);
  refused_with(numbers, 400, "+14155550700");
  AccountSnapshot far = s;
  far.sids_made = kMaxSnapshotSidsMade + 1;
  refused_with(far, 400, "sids.made");
}

TEST_F(SnapshotTest, RestoredCallsAreWrittenToTheStore) {
  rebuild(tracking_config());
  engine().accounts().put(Account{kB, "token-b", kB, "b", {}});
  fill();
  const AccountSnapshot s = take();
  engine().reset_account(kAc);
  (void)engine().take_changes();
  ASSERT_TRUE(engine().restore(kB, s).ok());
  const Changes c = engine().take_changes();
  EXPECT_EQ(c.reset_accounts, std::vector<std::string>{kB});
  EXPECT_EQ(c.calls.size(), 3u);
  EXPECT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(c.events.size(), s.journal.size());
}

}  // namespace
}  // namespace dialtone::core::testing
