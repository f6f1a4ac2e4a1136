// A call's life in the engine: placing, ringing, answering or not, ending; update semantics
// (DESIGN.md's table, row by row); delete; list paging; status callbacks. Expectations come
// from Twilio's documented behaviour (reference §3, §4, §5, §6, §10, §11.2).
#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/engine_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using std::chrono::seconds;

constexpr uint8_t kAllEvents = kEventInitiated | kEventRinging | kEventAnswered | kEventCompleted;
const std::string kStatusUrl = kApp + "/status";

class Lifecycle : public EngineTest {
 protected:
  Lifecycle() { on_twiml(kVoice, "<Response><Pause length=\"10\"/></Response>"); }

  CreateCall with_callbacks(uint8_t events, const std::string& to = kTo) const {
    CreateCall c = call_request(kVoice, to);
    c.status_callback = Webhook{kStatusUrl, HttpMethod::kPost};
    c.status_callback_events = events;
    return c;
  }
};

// ------------------------------------------------------------------ the happy path

TEST_F(Lifecycle, QueuedThenRingingThenInProgressAfterOneSecondThenCompleted) {
  const std::string sid = create();
  // The 201 shows the call queued, with nothing dialled yet.
  EXPECT_EQ(status(sid), CallStatus::kQueued);
  EXPECT_EQ(call(sid).direction, Direction::kOutboundApi);
  EXPECT_FALSE(call(sid).start_time);
  EXPECT_FALSE(call(sid).end_time);
  EXPECT_FALSE(call(sid).duration_s);
  EXPECT_THAT(sent(), IsEmpty());

  settle();
  EXPECT_EQ(status(sid), CallStatus::kRinging);
  EXPECT_THAT(sent(), IsEmpty()) << "no TwiML is fetched before the callee answers";

  advance(0.999);
  EXPECT_EQ(status(sid), CallStatus::kRinging);
  advance(0.001);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  ASSERT_TRUE(call(sid).start_time);
  EXPECT_EQ(*call(sid).start_time, at(t0(), 1));

  // The answered call fetches its Url with the call's parameters (reference §11.1).
  ASSERT_EQ(sent_to(kVoice).size(), 1u);
  const Sent fetch = sent_to(kVoice)[0];
  EXPECT_EQ(fetch.purpose, WebhookPurpose::kTwiml);
  EXPECT_EQ(fetch.method, HttpMethod::kPost);
  EXPECT_EQ(fetch.param("CallSid"), sid);
  EXPECT_EQ(fetch.param("AccountSid"), kAc);
  EXPECT_EQ(fetch.param("CallStatus"), "in-progress");
  EXPECT_EQ(fetch.param("Direction"), "outbound-api");
  EXPECT_EQ(fetch.param("From"), kFrom);
  EXPECT_EQ(fetch.param("To"), kTo);
  EXPECT_EQ(fetch.param("ApiVersion"), "2010-04-01");
  EXPECT_EQ(fetch.param("Called"), kTo);
  EXPECT_EQ(fetch.param("Caller"), kFrom);

  advance(9.999);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  advance(0.001);  // the Pause ends, the document runs out: the call ends
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  ASSERT_TRUE(call(sid).end_time);
  EXPECT_EQ(*call(sid).end_time, at(t0(), 11));
  ASSERT_TRUE(call(sid).duration_s);
  EXPECT_EQ(*call(sid).duration_s, 10);
  EXPECT_THAT(statuses(sid), ElementsAre("queued", "ringing", "in-progress", "completed"));
}

TEST_F(Lifecycle, RingTimeComesFromTheConfiguration) {
  EngineConfig config;
  config.ring_seconds = 4;
  rebuild(config);
  on_twiml(kVoice, "<Response><Pause length=\"10\"/></Response>");
  const std::string sid = create();
  advance(3.9);
  EXPECT_EQ(status(sid), CallStatus::kRinging);
  advance(0.1);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
}

TEST_F(Lifecycle, CalleeHangingUpEndsTheCallCompletedWithItsDuration) {
  engine().behaviors(kAc).add(kTo, hangs_up_after(7));
  on_twiml(kVoice, "<Response><Pause length=\"100\"/></Response>");
  const std::string sid = create();
  advance(1 + 7);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 7);
}

// ------------------------------------------------------------------ calls that never connect

TEST_F(Lifecycle, NoAnswerWhenTheCalleeNeverPicksUpWithinTimeout) {
  engine().behaviors(kAc).add(kTo, behaves(Outcome::kNoAnswer));
  CreateCall c = call_request();
  c.timeout_s = 20;
  const std::string sid = create(c);
  settle();
  advance(19.999);
  EXPECT_EQ(status(sid), CallStatus::kRinging);
  advance(0.001);
  EXPECT_EQ(status(sid), CallStatus::kNoAnswer);
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
  EXPECT_FALSE(call(sid).end_time) << "end_time is empty when the call did not complete";
  EXPECT_FALSE(call(sid).duration_s) << "duration is null for unanswered calls";
}

TEST_F(Lifecycle, CalleeSlowerThanTimeoutIsNoAnswer) {
  engine().behaviors(kAc).add(kTo, answers_after(30));
  CreateCall c = call_request();
  c.timeout_s = 10;
  const std::string sid = create(c);
  advance(10);
  EXPECT_EQ(status(sid), CallStatus::kNoAnswer);
  advance(60);
  EXPECT_EQ(status(sid), CallStatus::kNoAnswer) << "it must not answer after giving up";
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
}

TEST_F(Lifecycle, BusyCalleeEndsBusyWithoutFetchingTwiml) {
  engine().behaviors(kAc).add(kTo, behaves(Outcome::kBusy, 3));
  const std::string sid = create(with_callbacks(kEventCompleted));
  advance(2.9);
  EXPECT_EQ(status(sid), CallStatus::kRinging);
  advance(0.1);
  EXPECT_EQ(status(sid), CallStatus::kBusy);
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
  EXPECT_FALSE(call(sid).duration_s);
  ASSERT_EQ(callbacks(sid).size(), 1u);
  EXPECT_EQ(callbacks(sid)[0].param("CallStatus"), "busy");
  EXPECT_EQ(callbacks(sid)[0].param("SipResponseCode"), "486");
  EXPECT_EQ(callbacks(sid)[0].param("CallDuration"), "0");
  EXPECT_EQ(callbacks(sid)[0].param("Duration"), "0");
}

TEST_F(Lifecycle, FailingCalleeEndsFailedWithoutRinging) {
  engine().behaviors(kAc).add(kTo, behaves(Outcome::kFail));
  const std::string sid = create(with_callbacks(kAllEvents));
  advance(5);
  EXPECT_EQ(status(sid), CallStatus::kFailed);
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
  EXPECT_THAT(statuses(sid), ElementsAre("queued", "failed"));
  // The call was dialled (initiated) but never rang and never answered.
  EXPECT_THAT(callback_statuses(sid), ElementsAre("initiated", "failed"));
}

TEST_F(Lifecycle, NoAnswerReportsSip487) {
  engine().behaviors(kAc).add(kTo, behaves(Outcome::kNoAnswer));
  CreateCall c = with_callbacks(kEventCompleted);
  c.timeout_s = 5;
  const std::string sid = create(c);
  advance(5);
  ASSERT_EQ(callbacks(sid).size(), 1u);
  EXPECT_EQ(callbacks(sid)[0].param("CallStatus"), "no-answer");
  EXPECT_EQ(callbacks(sid)[0].param("SipResponseCode"), "487");
  EXPECT_EQ(callbacks(sid)[0].param("Duration"), "0");
}

// ------------------------------------------------------------------ TimeLimit

TEST_F(Lifecycle, TimeLimitEndsAnInProgressCall) {
  on_twiml(kVoice, "<Response><Pause length=\"100\"/></Response>");
  CreateCall c = call_request();
  c.time_limit_s = 30;
  const std::string sid = create(c);
  advance(1 + 29.999);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  advance(0.001);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 30);
}

TEST_F(Lifecycle, TimeLimitCountsFromAnswerNotFromCreate) {
  on_twiml(kVoice, "<Response><Pause length=\"100\"/></Response>");
  engine().behaviors(kAc).add(kTo, answers_after(8));
  CreateCall c = call_request();
  c.time_limit_s = 5;
  const std::string sid = create(c);
  advance(8 + 4.9);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  advance(0.1);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 5);
}

// ------------------------------------------------------------------ update: Status=canceled

TEST_F(Lifecycle, CanceledOnQueuedCallCancelsIt) {
  const std::string sid = create(with_callbacks(kEventCompleted));
  auto r = update(sid, set_status(CallStatus::kCanceled));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status, CallStatus::kCanceled) << "the response shows the new status";
  advance(120);
  EXPECT_EQ(status(sid), CallStatus::kCanceled);
  EXPECT_THAT(sent_to(kVoice), IsEmpty()) << "a canceled call is never answered";
  EXPECT_FALSE(call(sid).duration_s);
  EXPECT_THAT(callback_statuses(sid), ElementsAre("canceled"));
}

TEST_F(Lifecycle, CanceledOnRingingCallCancelsIt) {
  const std::string sid = create();
  settle();
  ASSERT_EQ(status(sid), CallStatus::kRinging);
  auto r = update(sid, set_status(CallStatus::kCanceled));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status, CallStatus::kCanceled);
  advance(120);
  EXPECT_EQ(status(sid), CallStatus::kCanceled);
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
}

TEST_F(Lifecycle, CanceledOnInProgressCallChangesNothingAndSendsNothing) {
  const std::string sid = answered_call();
  advance(2);
  const Call before = call(sid);
  const size_t sent_before = sent().size();
  const size_t journal_statuses = statuses(sid).size();

  Effects effects;
  auto r = engine().update_call(kAc, sid, set_status(CallStatus::kCanceled), effects);
  ASSERT_TRUE(r.ok()) << "Twilio answers 200 and leaves the call alone";
  EXPECT_THAT(effects.webhooks, IsEmpty());
  EXPECT_EQ((*r)->status, CallStatus::kInProgress);
  EXPECT_EQ((*r)->date_updated, before.date_updated);
  EXPECT_EQ(sent().size(), sent_before);
  EXPECT_EQ(statuses(sid).size(), journal_statuses);

  // The call goes on as if nothing happened: its 10 s Pause ends at 1 + 10.
  advance(7.9);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  advance(0.1);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 10);
}

// ------------------------------------------------------------------ update: Status=completed

TEST_F(Lifecycle, CompletedOnInProgressCallHangsItUp) {
  const std::string sid = create(with_callbacks(kEventCompleted));
  advance(1 + 3);
  auto r = update(sid, set_status(CallStatus::kCompleted));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status, CallStatus::kCompleted);
  EXPECT_EQ(call(sid).end_time.value_or(TimePoint{}), now());
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 3);
  ASSERT_EQ(callbacks(sid).size(), 1u);
  EXPECT_EQ(callbacks(sid)[0].param("CallStatus"), "completed");
  EXPECT_EQ(callbacks(sid)[0].param("CallDuration"), "3");
  advance(60);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(callbacks(sid).size(), 1u) << "the Pause timer must not fire into an ended call";
}

TEST_F(Lifecycle, CompletedOnQueuedCallEndsItCanceled) {
  const std::string sid = create();
  auto r = update(sid, set_status(CallStatus::kCompleted));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status, CallStatus::kCanceled) << "it never connected";
  advance(60);
  EXPECT_EQ(status(sid), CallStatus::kCanceled);
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
}

TEST_F(Lifecycle, CompletedOnRingingCallEndsItCanceled) {
  const std::string sid = create();
  settle();
  auto r = update(sid, set_status(CallStatus::kCompleted));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status, CallStatus::kCanceled);
  advance(60);
  EXPECT_EQ(status(sid), CallStatus::kCanceled);
  EXPECT_FALSE(call(sid).duration_s);
}

// ------------------------------------------------------------------ update of ended calls

class EndedCallUpdate : public Lifecycle {
 protected:
  // One call in each ended status.
  std::vector<std::pair<CallStatus, std::string>> ended_calls() {
    const std::string busy = "+14155550201", fail = "+14155550202", na = "+14155550203";
    engine().behaviors(kAc).add(busy, behaves(Outcome::kBusy));
    engine().behaviors(kAc).add(fail, behaves(Outcome::kFail));
    engine().behaviors(kAc).add(na, behaves(Outcome::kNoAnswer));
    on_twiml(kApp + "/hangup", "<Response><Hangup/></Response>");
    const std::string completed = create(kApp + "/hangup");
    const std::string b = create(call_request(kVoice, busy));
    const std::string f = create(call_request(kVoice, fail));
    CreateCall nac = call_request(kVoice, na);
    nac.timeout_s = 5;
    const std::string n = create(nac);
    const std::string canceled = create();
    EXPECT_TRUE(update(canceled, set_status(CallStatus::kCanceled)).ok());
    advance(10);
    std::vector<std::pair<CallStatus, std::string>> out = {{CallStatus::kCompleted, completed},
                                                           {CallStatus::kBusy, b},
                                                           {CallStatus::kFailed, f},
                                                           {CallStatus::kNoAnswer, n},
                                                           {CallStatus::kCanceled, canceled}};
    for (const auto& [want, sid] : out) EXPECT_EQ(status(sid), want) << sid;
    return out;
  }
};

TEST_F(EndedCallUpdate, EveryUpdateOfAnEndedCallIs21220) {
  UpdateCall twiml_update;
  twiml_update.twiml = "<Response><Say>hi</Say></Response>";
  UpdateCall callback_only;
  callback_only.status_callback = Webhook{kStatusUrl, HttpMethod::kPost};
  const std::vector<std::pair<std::string, UpdateCall>> updates = {
      {"Status=canceled", set_status(CallStatus::kCanceled)},
      {"Status=completed", set_status(CallStatus::kCompleted)},
      {"Url", redirect_to(kApp + "/other")},
      {"Twiml", twiml_update},
      {"StatusCallback", callback_only},
  };
  for (const auto& [status_now, sid] : ended_calls()) {
    for (const auto& [name, u] : updates) {
      SCOPED_TRACE(std::string(to_wire(status_now)) + " + " + name);
      const size_t sent_before = sent().size();
      auto r = update(sid, u);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().http_status, 400);
      EXPECT_EQ(r.error().code, 21220);
      EXPECT_EQ(r.error().message, "Call is not in-progress. Cannot redirect.");
      EXPECT_EQ(status(sid), status_now);
      EXPECT_EQ(sent().size(), sent_before);
    }
  }
}

TEST_F(Lifecycle, UpdateOfUnknownCallIs404) {
  auto r = update("CA" + std::string(32, '0'), set_status(CallStatus::kCompleted));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 404);
  EXPECT_EQ(r.error().code, 20404);
}

TEST_F(Lifecycle, UpdateFromAnotherAccountIs404) {
  const std::string sid = create();
  Effects effects;
  auto r = engine().update_call("AC" + std::string(32, 'b'), sid,
                                set_status(CallStatus::kCanceled), effects);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 20404);
  EXPECT_EQ(status(sid), CallStatus::kQueued);
}

// ------------------------------------------------------------------ update: Url/Twiml, unanswered

TEST_F(Lifecycle, RedirectOnQueuedCallReplacesWhatRunsOnAnswer) {
  on_twiml(kApp + "/other", "<Response><Pause length=\"2\"/></Response>");
  const std::string sid = create();
  auto r = update(sid, redirect_to(kApp + "/other"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status, CallStatus::kQueued);
  EXPECT_THAT(sent(), IsEmpty()) << "nothing is fetched before the call is answered";
  advance(1);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
  ASSERT_EQ(sent_to(kApp + "/other").size(), 1u);
  advance(2);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 2);
}

TEST_F(Lifecycle, RedirectOnRingingCallReplacesWhatRunsOnAnswer) {
  on_twiml(kApp + "/other", "<Response><Hangup/></Response>");
  const std::string sid = create();
  settle();
  ASSERT_TRUE(update(sid, redirect_to(kApp + "/other")).ok());
  EXPECT_EQ(status(sid), CallStatus::kRinging);
  advance(1);
  EXPECT_THAT(sent_to(kVoice), IsEmpty());
  EXPECT_EQ(sent_to(kApp + "/other").size(), 1u);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(Lifecycle, TwimlOnQueuedCallReplacesTheUrl) {
  const std::string sid = create();
  UpdateCall u;
  u.twiml = "<Response><Pause length=\"3\"/></Response>";
  ASSERT_TRUE(update(sid, u).ok());
  advance(1);
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  EXPECT_THAT(sent_to(kVoice), IsEmpty()) << "the inline TwiML replaced the Url";
  advance(3);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 3);
}

TEST_F(Lifecycle, InvalidTwimlOnUpdateIsRejectedAndChangesNothing) {
  const std::string sid = create();
  UpdateCall u;
  u.twiml = "<Response><Say>unclosed</Response>";
  auto r = update(sid, u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 400);
  advance(1);
  EXPECT_EQ(sent_to(kVoice).size(), 1u) << "the original Url still runs";
}

// ------------------------------------------------------------------ delete

TEST_F(Lifecycle, DeleteOfALiveCallIs20009) {
  const std::string sid = create();
  for (CallStatus want : {CallStatus::kQueued, CallStatus::kRinging, CallStatus::kInProgress}) {
    if (want == CallStatus::kRinging) settle();
    if (want == CallStatus::kInProgress) advance(1);
    ASSERT_EQ(status(sid), want);
    auto r = engine().delete_call(kAc, sid);
    ASSERT_FALSE(r.ok()) << to_wire(want);
    EXPECT_EQ(r.error().code, 20009);
    EXPECT_EQ(r.error().http_status, 400);
    EXPECT_NE(engine().find_call(kAc, sid), nullptr);
  }
}

TEST_F(Lifecycle, DeleteOfAnEndedCallRemovesIt) {
  const std::string sid = create();
  ASSERT_TRUE(update(sid, set_status(CallStatus::kCanceled)).ok());
  auto r = engine().delete_call(kAc, sid);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(engine().find_call(kAc, sid), nullptr);
  EXPECT_EQ(engine().call_count(), 0u);
  // Afterwards the call is unknown everywhere.
  auto again = engine().delete_call(kAc, sid);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, 20404);
  auto u = update(sid, set_status(CallStatus::kCompleted));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, 20404);
  EXPECT_THAT(engine().list_calls(kAc, {}, 50, 0, "", "").calls, IsEmpty());
}

// ------------------------------------------------------------------ list

class ListCalls : public Lifecycle {
 protected:
  void SetUp() override {
    on_twiml(kApp + "/hangup", "<Response><Hangup/></Response>");
    // Five calls a second apart, oldest first: a..e. c ends busy, the others complete.
    engine().behaviors(kAc).add("+14155550003", behaves(Outcome::kBusy));
    for (int i = 1; i <= 5; ++i) {
      sids_.push_back(create(call_request(kApp + "/hangup", "+1415555000" + std::to_string(i))));
      advance(1);
    }
    advance(5);
  }
  std::vector<std::string> list(size_t limit, size_t skip = 0, const std::string& after = "",
                                const std::string& before = "", const CallFilter& f = {},
                                bool* more = nullptr) {
    CallPage page = engine().list_calls(kAc, f, limit, skip, after, before);
    if (more) *more = page.has_more;
    std::vector<std::string> out;
    for (const Call* c : page.calls) out.push_back(c->sid);
    return out;
  }
  const std::string& a() const { return sids_[0]; }
  const std::string& b() const { return sids_[1]; }
  const std::string& c() const { return sids_[2]; }
  const std::string& d() const { return sids_[3]; }
  const std::string& e() const { return sids_[4]; }
  std::vector<std::string> sids_;
};

TEST_F(ListCalls, NewestFirst) {
  bool more = true;
  EXPECT_THAT(list(50, 0, "", "", {}, &more), ElementsAre(e(), d(), c(), b(), a()));
  EXPECT_FALSE(more);
}

TEST_F(ListCalls, PagesForwardWithAfterSid) {
  bool more = false;
  EXPECT_THAT(list(2, 0, "", "", {}, &more), ElementsAre(e(), d()));
  EXPECT_TRUE(more);
  EXPECT_THAT(list(2, 0, d(), "", {}, &more), ElementsAre(c(), b()));
  EXPECT_TRUE(more);
  EXPECT_THAT(list(2, 0, b(), "", {}, &more), ElementsAre(a()));
  EXPECT_FALSE(more);
}

TEST_F(ListCalls, ExactlyFullLastPageHasNoMore) {
  bool more = true;
  EXPECT_THAT(list(5, 0, "", "", {}, &more), ElementsAre(e(), d(), c(), b(), a()));
  EXPECT_FALSE(more);
}

TEST_F(ListCalls, PagesBackwardWithBeforeSid) {
  bool more = false;
  // The page just newer than c, still newest first.
  EXPECT_THAT(list(2, 0, "", c(), {}, &more), ElementsAre(e(), d()));
  EXPECT_TRUE(more);
  EXPECT_THAT(list(2, 0, "", a(), {}, &more), ElementsAre(c(), b()));
}

TEST_F(ListCalls, SkipSkipsMatchingCalls) {
  EXPECT_THAT(list(2, 1), ElementsAre(d(), c()));
}

TEST_F(ListCalls, FiltersByToFromStatusAndParent) {
  CallFilter to;
  to.to = "+14155550002";
  EXPECT_THAT(list(50, 0, "", "", to), ElementsAre(b()));

  CallFilter from;
  from.from = kFrom;
  EXPECT_EQ(list(50, 0, "", "", from).size(), 5u);
  from.from = "+19999999999";
  EXPECT_THAT(list(50, 0, "", "", from), IsEmpty());

  CallFilter busy;
  busy.status = CallStatus::kBusy;
  EXPECT_THAT(list(50, 0, "", "", busy), ElementsAre(c()));
  CallFilter completed;
  completed.status = CallStatus::kCompleted;
  EXPECT_THAT(list(50, 0, "", "", completed), ElementsAre(e(), d(), b(), a()));

  CallFilter parent;
  parent.parent_call_sid = a();
  EXPECT_THAT(list(50, 0, "", "", parent), IsEmpty());
}

TEST_F(ListCalls, FiltersCombineWithPaging) {
  CallFilter completed;
  completed.status = CallStatus::kCompleted;
  bool more = false;
  EXPECT_THAT(list(2, 0, "", "", completed, &more), ElementsAre(e(), d()));
  EXPECT_TRUE(more);
  EXPECT_THAT(list(2, 0, d(), "", completed, &more), ElementsAre(b(), a()));
  EXPECT_FALSE(more);
}

TEST_F(ListCalls, FiltersByStartTime) {
  // Calls answered at t0+1 (a), t0+2 (b), t0+4 (d), t0+5 (e); c never started. StartTime> is
  // "on or after", StartTime< is "before".
  CallFilter f;
  f.start_from = at(t0(), 2);
  f.start_before = at(t0(), 5);
  EXPECT_THAT(list(50, 0, "", "", f), ElementsAre(d(), b()));
}

TEST_F(ListCalls, OtherAccountsSeeNothing) {
  EXPECT_TRUE(engine().list_calls("AC" + std::string(32, 'b'), {}, 50, 0, "", "").calls.empty());
}

// ------------------------------------------------------------------ status callbacks

TEST_F(Lifecycle, ByDefaultOnlyCompletedIsReported) {
  const std::string sid = create(with_callbacks(kEventCompleted));
  advance(1 + 10);
  ASSERT_EQ(status(sid), CallStatus::kCompleted);
  ASSERT_EQ(callbacks(sid).size(), 1u);
  const Sent cb = callbacks(sid)[0];
  EXPECT_EQ(cb.url, kStatusUrl);
  EXPECT_EQ(cb.method, HttpMethod::kPost);
  EXPECT_EQ(cb.param("CallStatus"), "completed");
  EXPECT_EQ(cb.param("CallSid"), sid);
  EXPECT_EQ(cb.param("CallbackSource"), "call-progress-events");
  EXPECT_EQ(cb.param("SequenceNumber"), "0");
  EXPECT_EQ(cb.param("Timestamp"), format_rfc2822(now()));
  EXPECT_EQ(cb.param("CallDuration"), "10");
  EXPECT_EQ(cb.param("Duration"), "1") << "billed minutes, rounded up";
  EXPECT_EQ(cb.param("SipResponseCode"), "200");
}

TEST_F(Lifecycle, RequestedEventsEachOnceInOrderWithSequenceNumbers) {
  const std::string sid = create(with_callbacks(kAllEvents));
  advance(1 + 10 + 30);
  // `answered` is reported as CallStatus=in-progress.
  EXPECT_THAT(callback_statuses(sid),
              ElementsAre("initiated", "ringing", "in-progress", "completed"));
  const auto cbs = callbacks(sid);
  ASSERT_EQ(cbs.size(), 4u);
  for (size_t i = 0; i < cbs.size(); ++i) {
    EXPECT_EQ(cbs[i].param("SequenceNumber"), std::to_string(i));
    EXPECT_EQ(cbs[i].param("CallbackSource"), "call-progress-events");
  }
  EXPECT_EQ(cbs[0].at, t0());
  EXPECT_EQ(cbs[1].at, t0());
  EXPECT_EQ(cbs[2].at, at(t0(), 1));
  EXPECT_EQ(cbs[3].at, at(t0(), 11));
  // Only the completed event carries the duration fields.
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(cbs[i].has("CallDuration")) << i;
  EXPECT_EQ(cbs[3].param("CallDuration"), "10");
}

TEST_F(Lifecycle, OnlySelectedEventsAreSent) {
  const std::string sid = create(with_callbacks(kEventRinging | kEventAnswered));
  advance(1 + 10);
  EXPECT_THAT(callback_statuses(sid), ElementsAre("ringing", "in-progress"));
  EXPECT_EQ(callbacks(sid)[0].param("SequenceNumber"), "0");
  EXPECT_EQ(callbacks(sid)[1].param("SequenceNumber"), "1");
}

TEST_F(Lifecycle, DurationIsBilledInWholeMinutes) {
  on_twiml(kVoice, "<Response><Pause length=\"61\"/></Response>");
  const std::string sid = create(with_callbacks(kEventCompleted));
  advance(1 + 61);
  ASSERT_EQ(callbacks(sid).size(), 1u);
  EXPECT_EQ(callbacks(sid)[0].param("CallDuration"), "61");
  EXPECT_EQ(callbacks(sid)[0].param("Duration"), "2");
}

TEST_F(Lifecycle, NoStatusCallbackUrlMeansNoCallbacks) {
  CreateCall c = call_request();
  c.status_callback_events = kAllEvents;
  const std::string sid = create(c);
  advance(20);
  EXPECT_THAT(callbacks(sid), IsEmpty());
}

TEST_F(Lifecycle, StatusCallbackOnUpdateReplacesTheCallsForTheRestOfItsLife) {
  const std::string other = kApp + "/status-b";
  on_twiml(kApp + "/next", "<Response><Pause length=\"2\"/></Response>");
  const std::string sid = create(with_callbacks(kAllEvents));
  advance(1 + 3);
  UpdateCall u = redirect_to(kApp + "/next");
  u.status_callback = Webhook{other, HttpMethod::kPost};
  ASSERT_TRUE(update(sid, u).ok());
  advance(2);
  ASSERT_EQ(status(sid), CallStatus::kCompleted);
  const auto first = sent_to(kStatusUrl);
  const auto second = sent_to(other);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 1u) << "old events are not replayed to the new URL";
  EXPECT_EQ(second[0].param("CallStatus"), "completed");
  EXPECT_EQ(second[0].param("SequenceNumber"), "3") << "the sequence goes on for the call";
}

TEST_F(Lifecycle, StatusCallbackOnUpdateAloneAlsoReplacesIt) {
  const std::string other = kApp + "/status-b";
  const std::string sid = create(with_callbacks(kEventCompleted));
  advance(1 + 3);
  UpdateCall u;
  u.status_callback = Webhook{other, HttpMethod::kGet};
  ASSERT_TRUE(update(sid, u).ok());
  EXPECT_EQ(status(sid), CallStatus::kInProgress) << "it neither redirects nor ends the call";
  advance(10);
  EXPECT_THAT(sent_to(kStatusUrl), IsEmpty());
  ASSERT_EQ(sent_to(other).size(), 1u);
  EXPECT_EQ(sent_to(other)[0].method, HttpMethod::kGet);
}

TEST_F(Lifecycle, FailingStatusCallbackIsAWarningAndTheCallGoesOn) {
  on(kStatusUrl, http_error(500));
  const std::string sid = create(with_callbacks(kAllEvents));
  advance(1 + 10);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(callbacks(sid).size(), 4u);
  const auto notes = engine().notifications(kAc, sid);
  ASSERT_EQ(notes.size(), 4u);
  for (const Notification* n : notes) {
    EXPECT_EQ(n->error_code, 15003);
    EXPECT_EQ(n->log, 1) << "a warning, not an error";
  }
}

}  // namespace
}  // namespace dialtone::core::testing
