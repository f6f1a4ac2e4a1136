// The call state machine, every (status, event) pair. The expected table below is written from
// DESIGN.md's update-semantics table and Twilio's documented lifecycle (reference §10):
//   queued -> ringing -> in-progress -> completed, with busy / no-answer / failed / canceled
//   as the terminal alternatives of a call that never connected.
// It is deliberately not derived from call_status.cpp: a disagreement is a finding.
#include "core/call_status.hpp"

#include <array>
#include <string>

#include <gtest/gtest.h>

namespace dialtone::core {
namespace {

using S = CallStatus;
using E = CallEvent;

// What one pair must do.
enum class Want : uint8_t {
  kGo,       // accepted, the call moves to `next` (which may be the same status: redirect)
  kNoOp,     // accepted, nothing changes (Status=canceled on an in-progress call)
  kEnded,    // 400 / 21220 "Call is not in-progress. Cannot redirect."
  kIllegal,  // cannot happen in that state: an error that is NOT 21220
};

struct Expect {
  Want want;
  S next = S::kQueued;  // only for kGo
};

constexpr Expect Go(S s) { return {Want::kGo, s}; }
constexpr Expect kNo{Want::kNoOp};
constexpr Expect kEnd{Want::kEnded};
constexpr Expect kX{Want::kIllegal};

constexpr std::array<S, kCallStatusCount> kStatuses = {
    S::kQueued, S::kRinging, S::kInProgress, S::kCompleted,
    S::kBusy,   S::kFailed,  S::kNoAnswer,   S::kCanceled};

constexpr std::array<E, kCallEventCount> kEvents = {
    E::kDial,   E::kAnswer,    E::kBusy,        E::kNoAnswer,    E::kFail,
    E::kHangup, E::kApiCancel, E::kApiComplete, E::kApiRedirect, E::kReject};

// Rows: events (order of kEvents). Columns: statuses (order of kStatuses).
//
// Why each row is what it is:
// - Dial places a queued call; nothing else can be placed again.
// - Answer needs a ringing phone: a queued call has not rung yet, an ended one is gone.
// - Busy / NoAnswer / Fail are the carrier's verdicts on a call that has not connected. A
//   carrier may say busy (SIP 486) or fail before any 180 Ringing, so queued is allowed too.
//   Once connected, a call can only complete.
// - Hangup ends a connected call as `completed`; an unanswered call cannot be "hung up" (that
//   is no-answer or canceled, other events).
// - Status=canceled: "will attempt to hangup calls that are queued or ringing but not affect
//   calls already in progress"; ended calls -> 21220.
// - Status=completed: hangs up "even if it's already in progress"; a call that never
//   connected ends `canceled` (DESIGN's table); ended calls -> 21220.
// - Url/Twiml: accepted on every live call without changing its status; ended -> 21220.
// - <Reject> is TwiML for inbound calls, which start ringing; an outbound call runs no TwiML
//   before it is answered, so a queued call cannot reject. After answering, <Reject> is a
//   plain hangup (Hangup event), so in-progress cannot reject either.
constexpr std::array<std::array<Expect, kCallStatusCount>, kCallEventCount> kWant = {{
    //            queued               ringing                  in-progress
    //            completed busy  failed  no-answer canceled
    /* Dial     */ {{Go(S::kRinging), kX, kX, kX, kX, kX, kX, kX}},
    /* Answer   */ {{kX, Go(S::kInProgress), kX, kX, kX, kX, kX, kX}},
    /* Busy     */ {{Go(S::kBusy), Go(S::kBusy), kX, kX, kX, kX, kX, kX}},
    /* NoAnswer */ {{Go(S::kNoAnswer), Go(S::kNoAnswer), kX, kX, kX, kX, kX, kX}},
    /* Fail     */ {{Go(S::kFailed), Go(S::kFailed), kX, kX, kX, kX, kX, kX}},
    /* Hangup   */ {{kX, kX, Go(S::kCompleted), kX, kX, kX, kX, kX}},
    /* Cancel   */ {{Go(S::kCanceled), Go(S::kCanceled), kNo, kEnd, kEnd, kEnd, kEnd, kEnd}},
    /* Complete */ {{Go(S::kCanceled), Go(S::kCanceled), Go(S::kCompleted),
                     kEnd, kEnd, kEnd, kEnd, kEnd}},
    /* Redirect */ {{Go(S::kQueued), Go(S::kRinging), Go(S::kInProgress),
                     kEnd, kEnd, kEnd, kEnd, kEnd}},
    /* Reject   */ {{kX, Go(S::kBusy), kX, kX, kX, kX, kX, kX}},
}};

std::string describe(S s, E e) {
  return std::string(to_wire(s)) + " + " + std::string(to_string(e));
}

TEST(CallStatus, EveryStatusEventPairMatchesTheLifecycle) {
  int checked = 0;
  for (size_t ei = 0; ei < kEvents.size(); ++ei) {
    for (size_t si = 0; si < kStatuses.size(); ++si) {
      const S from = kStatuses[si];
      const E event = kEvents[ei];
      const Expect want = kWant[ei][si];
      SCOPED_TRACE(describe(from, event));
      const Result<Transition> got = apply_event(from, event);
      switch (want.want) {
        case Want::kGo:
          ASSERT_TRUE(got.ok()) << got.error().message;
          EXPECT_EQ(got->from, from);
          EXPECT_EQ(got->next, want.next);
          EXPECT_FALSE(got->no_op);
          break;
        case Want::kNoOp:
          ASSERT_TRUE(got.ok()) << got.error().message;
          EXPECT_EQ(got->from, from);
          EXPECT_EQ(got->next, from);
          EXPECT_TRUE(got->no_op);
          break;
        case Want::kEnded:
          ASSERT_FALSE(got.ok());
          EXPECT_EQ(got.error().http_status, 400);
          EXPECT_EQ(got.error().code, 21220);
          EXPECT_EQ(got.error().message, "Call is not in-progress. Cannot redirect.");
          break;
        case Want::kIllegal:
          ASSERT_FALSE(got.ok());
          EXPECT_NE(got.error().code, 21220) << "21220 is only for API updates of ended calls";
          EXPECT_FALSE(got.error().message.empty());
          break;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, kCallStatusCount * kCallEventCount);
}

// Only the three live statuses may ever be left; an ended call accepts no event at all.
TEST(CallStatus, EndedCallsAcceptNothing) {
  for (S s : kStatuses) {
    if (is_live(s)) continue;
    for (E e : kEvents) {
      SCOPED_TRACE(describe(s, e));
      EXPECT_FALSE(apply_event(s, e).ok());
    }
  }
}

TEST(CallStatus, LiveMeansQueuedRingingOrInProgress) {
  EXPECT_TRUE(is_live(S::kQueued));
  EXPECT_TRUE(is_live(S::kRinging));
  EXPECT_TRUE(is_live(S::kInProgress));
  for (S s : {S::kCompleted, S::kBusy, S::kFailed, S::kNoAnswer, S::kCanceled})
    EXPECT_FALSE(is_live(s)) << to_wire(s);
}

// The wire strings are Twilio's call_enum_status values, exactly.
TEST(CallStatus, WireStringsAreTwiliosAndRoundTrip) {
  const std::array<std::string_view, kCallStatusCount> wire = {
      "queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"};
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    EXPECT_EQ(to_wire(kStatuses[i]), wire[i]);
    const auto back = status_from_wire(wire[i]);
    ASSERT_TRUE(back.has_value()) << wire[i];
    EXPECT_EQ(*back, kStatuses[i]);
  }
}

TEST(CallStatus, UnknownWireStringsAreRejected) {
  // `initiated` is a status-callback value only, never a Call status (reference §2).
  for (std::string_view bad : {"", "initiated", "answered", "In-Progress", "in_progress",
                               "inprogress", "cancelled", "COMPLETED", " queued", "queued "}) {
    EXPECT_FALSE(status_from_wire(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(CallStatus, EveryEventHasAName) {
  for (E e : kEvents) EXPECT_FALSE(to_string(e).empty());
}

}  // namespace
}  // namespace dialtone::core
