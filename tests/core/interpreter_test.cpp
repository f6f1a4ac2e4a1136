// The TwiML interpreter, verb by verb and at each point where an update can interrupt it.
// Expectations come from Twilio's TwiML documentation as summarised in the reference (§4,
// §11.1, §11.3, §13) and DESIGN.md's update table. Where Twilio leaves a number open (how long
// a <Say> lasts), the test names dialtone's documented model instead.
#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/sid.hpp"
#include "tests/core/interpreter_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// ------------------------------------------------------------------ Say / Play / Pause

TEST_F(Interpreter, PauseLastsItsLengthThenTheDocumentRunsOutAndTheCallEnds) {
  const std::string sid = run("<Pause length=\"7\"/>");
  expect_ends_after(sid, 7);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 7);
  EXPECT_THAT(verbs(sid), ElementsAre("Pause", "(end of document)"));
}

TEST_F(Interpreter, PauseDefaultsToOneSecond) {
  const std::string sid = run("<Pause/>");
  expect_ends_after(sid, 1);
}

TEST_F(Interpreter, PlayLastsTheConfiguredClipLengthPerLoop) {
  EngineConfig config;
  config.play_seconds = 4;
  rebuild(config);
  const std::string sid = run("<Play loop=\"3\">https://cdn.example.com/a.mp3</Play>");
  expect_ends_after(sid, 12);
}

TEST_F(Interpreter, SayTakesTimeAndLoopsRepeatIt) {
  // dialtone's model: about 15 characters a second, at least a second. 30 characters: 2 s.
  const std::string text = "Thirty characters of speech..";
  ASSERT_EQ(text.size() + 1, 30u);
  const std::string once = run("<Say>" + text + ".</Say>");
  expect_ends_after(once, 2);
  const std::string twice = run("<Say loop=\"2\">" + text + ".</Say>");
  expect_ends_after(twice, 4);
  const std::string tiny = run("<Say>Hi</Say>");
  expect_ends_after(tiny, 1);
}

TEST_F(Interpreter, VerbsRunInOrderOneAfterAnother) {
  const std::string sid =
      run("<Say>Hi</Say><Pause length=\"3\"/><Play>https://x.example/a.wav</Play>");
  expect_ends_after(sid, 1 + 3 + 5);
  EXPECT_THAT(verbs(sid), ElementsAre("Say", "Pause", "Play", "(end of document)"));
}

TEST_F(Interpreter, EmptyResponseEndsTheCallAtOnce) {
  const std::string sid = run("");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 0);
}

TEST_F(Interpreter, AudioInsteadOfTwimlIsPlayed) {
  on(kVoice, Reply{200, "audio/mpeg", "ID3...", 0, {}});
  const std::string sid = create();
  advance(1);
  answered_at_ = at(t0(), 1);
  EXPECT_THAT(notification_codes(sid), IsEmpty());
  expect_ends_after(sid, 5);
}

// ------------------------------------------------------------------ Gather

TEST_F(Interpreter, GatherPostsTheDigitsToItsActionAndRunsTheResult) {
  engine().behaviors(kAc).add(kTo, presses({"1234#"}));
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string sid =
      run("<Gather action=\"" + kNext + "\"><Say>Press</Say></Gather><Say>no input</Say>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  const Sent action = sent_to(kNext)[0];
  EXPECT_EQ(action.purpose, WebhookPurpose::kTwiml);
  EXPECT_EQ(action.method, HttpMethod::kPost);
  EXPECT_EQ(action.param("Digits"), "1234") << "the finishOnKey (#) is not part of Digits";
  EXPECT_EQ(action.param("CallStatus"), "in-progress");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_THAT(verbs(sid), Not(Contains("Say"))) << "the verb after <Gather> is not reached";
}

TEST_F(Interpreter, GatherStopsAtNumDigits) {
  engine().behaviors(kAc).add(kTo, presses({"1234"}));
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather numDigits=\"2\" action=\"" + kNext + "\"><Say>Press</Say></Gather>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "12");
}

TEST_F(Interpreter, GatherFinishOnKeyIsConfigurable) {
  engine().behaviors(kAc).add(kTo, presses({"12*34"}));
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather finishOnKey=\"*\" action=\"" + kNext + "\"/>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "12");
}

TEST_F(Interpreter, GatherWithEmptyFinishOnKeyTakesHashAsADigitAndEndsOnTimeout) {
  engine().behaviors(kAc).add(kTo, presses({"12#"}));
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather finishOnKey=\"\" timeout=\"3\" action=\"" + kNext + "\"/>");
  advance(1 + 2.9);  // the input comes 1 s into the Gather, the timeout runs from the last key
  EXPECT_THAT(sent_to(kNext), IsEmpty());
  advance(0.1);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "12#");
}

TEST_F(Interpreter, GatherTimeoutWithoutInputFallsThroughToTheNextVerb) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid =
      run("<Gather timeout=\"3\" action=\"" + kNext + "\"><Say>Hi</Say></Gather>"
          "<Pause length=\"2\"/>");
  // The prompt (1 s), the timeout (3 s), then the Pause (2 s).
  expect_ends_after(sid, 1 + 3 + 2);
  EXPECT_THAT(sent_to(kNext), IsEmpty()) << "no input: the action is not requested";
  EXPECT_THAT(verbs(sid), ElementsAre("Gather", "Pause", "(end of document)"));
}

TEST_F(Interpreter, GatherTimeoutDefaultsToFiveSeconds) {
  const std::string sid = run("<Gather/>");
  expect_ends_after(sid, 5);
}

TEST_F(Interpreter, GatherActionOnEmptyResultPostsEmptyDigits) {
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather timeout=\"2\" actionOnEmptyResult=\"true\" action=\"" + kNext + "\"/>");
  advance(2);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "");
}

TEST_F(Interpreter, GatherWithoutActionPostsToTheCurrentDocument) {
  engine().behaviors(kAc).add(kTo, presses({"7"}));
  const std::string sid = run("<Gather numDigits=\"1\" timeout=\"2\"/><Hangup/>");
  advance(10);
  const auto fetches = sent_to(kVoice);
  ASSERT_EQ(fetches.size(), 2u);
  EXPECT_FALSE(fetches[0].has("Digits"));
  EXPECT_EQ(fetches[1].param("Digits"), "7");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(Interpreter, GatherMethodGetIsUsedForTheAction) {
  engine().behaviors(kAc).add(kTo, presses({"5"}));
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather numDigits=\"1\" method=\"GET\" action=\"" + kNext + "\"/>");
  advance(5);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].method, HttpMethod::kGet);
}

TEST_F(Interpreter, RelativeActionUrlsResolveAgainstTheDocumentUrl) {
  const std::string menu = kApp + "/ivr/menu.xml";
  engine().behaviors(kAc).add(kTo, presses({"1", "2"}));
  on_twiml(menu, doc("<Gather numDigits=\"1\" action=\"choice?step=1\"/>"));
  on_twiml(kApp + "/ivr/choice?step=1", doc("<Gather numDigits=\"1\" action=\"/top\"/>"));
  on_twiml(kApp + "/top", doc("<Hangup/>"));
  const std::string sid = create(menu);
  advance(10);
  ASSERT_EQ(sent_to(kApp + "/ivr/choice?step=1").size(), 1u);
  ASSERT_EQ(sent_to(kApp + "/top").size(), 1u);
  EXPECT_EQ(sent_to(kApp + "/top")[0].param("Digits"), "2");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(Interpreter, CalleeDigitsFromTheControlApiFeedAGather) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid =
      run("<Gather timeout=\"10\" action=\"" + kNext + "\"><Say>Enter your PIN</Say></Gather>");
  advance(3);
  ASSERT_TRUE(digits(sid, "42#").ok());
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "42");
  EXPECT_EQ(sent_to(kNext)[0].at, now()) << "the action is requested as the key is pressed";
}

TEST_F(Interpreter, CalleeDigitsArriveInSeveralPresses) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid = run("<Gather timeout=\"4\" action=\"" + kNext + "\"/>");
  advance(1);
  ASSERT_TRUE(digits(sid, "1").ok());
  advance(3);  // less than the timeout after the last key
  ASSERT_TRUE(digits(sid, "2").ok());
  EXPECT_THAT(sent_to(kNext), IsEmpty());
  advance(4);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "12");
}

TEST_F(Interpreter, CalleeDigitsOutsideAGatherAreRefused) {
  const std::string sid = run("<Pause length=\"5\"/>");
  auto r = digits(sid, "1");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
}

TEST_F(Interpreter, GatherSpeechPostsSpeechResult) {
  engine().behaviors(kAc).add(kTo, presses({"speech:sales please"}));
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Gather input=\"speech\" action=\"" + kNext + "\"/>");
  advance(5);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("SpeechResult"), "sales please");
  EXPECT_TRUE(sent_to(kNext)[0].has("Confidence"));
}

// ------------------------------------------------------------------ Dial

class DialTest : public Interpreter {
 protected:
  std::string dial_doc(const std::string& attrs, const std::string& after = "") {
    return "<Dial" + attrs + ">" + kAgent + "</Dial>" + after;
  }
};

TEST_F(DialTest, ChildLegRingsWhileTheParentStaysInProgress) {
  const std::string parent = run(dial_doc(" timeout=\"10\""));
  const std::string child = child_of(parent);
  ASSERT_FALSE(child.empty());
  const Call& c = call(child);
  EXPECT_EQ(c.direction, Direction::kOutboundDial);
  EXPECT_EQ(c.parent_call_sid, parent);
  EXPECT_EQ(c.to, kAgent);
  EXPECT_EQ(c.from, kFrom) << "callerId defaults to the caller's number";
  EXPECT_EQ(c.status, CallStatus::kRinging);
  EXPECT_EQ(status(parent), CallStatus::kInProgress);
  // The leg shows up under ParentCallSid in the list.
  CallFilter f;
  f.parent_call_sid = parent;
  const CallPage page = engine().list_calls(kAc, f, 50, 0, "", "");
  ASSERT_EQ(page.calls.size(), 1u);
  EXPECT_EQ(page.calls[0]->sid, child);
}

TEST_F(DialTest, ChildAnswersAndIsBridgedThenItsHangupPostsTheAction) {
  engine().behaviors(kAc).add(kAgent, hangs_up_after(10));
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string parent = run(dial_doc(" action=\"" + kNext + "\"", "<Say>after</Say>"));
  const std::string child = child_of(parent);
  advance(1);  // the default callee answers after 1 s
  EXPECT_EQ(status(child), CallStatus::kInProgress);
  EXPECT_EQ(status(parent), CallStatus::kInProgress);
  EXPECT_FALSE(journal(parent, "dial").empty()) << "the bridge is journalled";
  EXPECT_THAT(sent_to(kNext), IsEmpty()) << "no action while the call is bridged";
  // The leg runs no TwiML of its own.
  EXPECT_THAT(sent_for(child, WebhookPurpose::kTwiml), IsEmpty());

  advance(10);
  EXPECT_EQ(status(child), CallStatus::kCompleted);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  const Sent action = sent_to(kNext)[0];
  EXPECT_EQ(action.purpose, WebhookPurpose::kTwiml);
  EXPECT_EQ(action.param("DialCallStatus"), "completed");
  EXPECT_EQ(action.param("DialCallSid"), child);
  EXPECT_EQ(action.param("DialCallDuration"), "10");
  EXPECT_EQ(action.param("DialBridged"), "true");
  EXPECT_EQ(action.param("CallStatus"), "in-progress") << "the parent is still up";
  EXPECT_EQ(action.param("CallSid"), parent);
  EXPECT_EQ(status(parent), CallStatus::kCompleted) << "the action's <Hangup/> ran";
  EXPECT_THAT(verbs(parent), Not(Contains("Say"))) << "with an action, the next verb is skipped";
}

TEST_F(DialTest, UnansweredChildPostsNoAnswerToTheAction) {
  engine().behaviors(kAc).add(kAgent, behaves(Outcome::kNoAnswer));
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string parent = run(dial_doc(" timeout=\"5\" action=\"" + kNext + "\""));
  const std::string child = child_of(parent);
  advance(4.9);
  EXPECT_THAT(sent_to(kNext), IsEmpty());
  advance(0.1);
  EXPECT_EQ(status(child), CallStatus::kNoAnswer);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallStatus"), "no-answer");
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallSid"), child);
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallDuration"), "0");
  EXPECT_EQ(sent_to(kNext)[0].param("DialBridged"), "false");
}

TEST_F(DialTest, BusyChildPostsBusyToTheAction) {
  engine().behaviors(kAc).add(kAgent, behaves(Outcome::kBusy, 2));
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string parent = run(dial_doc(" action=\"" + kNext + "\""));
  advance(2);
  EXPECT_EQ(status(child_of(parent)), CallStatus::kBusy);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallStatus"), "busy");
}

TEST_F(DialTest, DialTimeoutDefaultsToThirtySeconds) {
  engine().behaviors(kAc).add(kAgent, behaves(Outcome::kNoAnswer));
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string parent = run(dial_doc(" action=\"" + kNext + "\""));
  advance(29.9);
  EXPECT_THAT(sent_to(kNext), IsEmpty());
  advance(0.1);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(status(child_of(parent)), CallStatus::kNoAnswer);
}

TEST_F(DialTest, WithoutActionTheNextVerbRunsAfterTheDialedCallEnds) {
  engine().behaviors(kAc).add(kAgent, hangs_up_after(4));
  const std::string parent = run(dial_doc("", "<Pause length=\"2\"/>"));
  // Ring 1 s, talk 4 s, then the Pause.
  expect_ends_after(parent, 1 + 4 + 2);
  EXPECT_THAT(verbs(parent), ElementsAre("Dial", "Pause", "(end of document)"));
}

TEST_F(DialTest, UnansweredDialWithoutActionAlsoFallsThrough) {
  engine().behaviors(kAc).add(kAgent, behaves(Outcome::kNoAnswer));
  const std::string parent = run(dial_doc(" timeout=\"3\"", "<Pause length=\"2\"/>"));
  expect_ends_after(parent, 3 + 2);
}

TEST_F(DialTest, DialTimeLimitEndsTheBridge) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string parent = run(dial_doc(" timeLimit=\"6\" action=\"" + kNext + "\""));
  const std::string child = child_of(parent);
  advance(1 + 6);
  EXPECT_EQ(status(child), CallStatus::kCompleted);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallStatus"), "completed");
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallDuration"), "6");
}

TEST_F(DialTest, StatusCompletedWhileTheChildRingsEndsParentAndCancelsChild) {
  engine().behaviors(kAc).add(kAgent, answers_after(5));
  const std::string parent = run(dial_doc(""));
  const std::string child = child_of(parent);
  advance(2);
  ASSERT_EQ(status(child), CallStatus::kRinging);
  // "any call which is currently ringing within a <Dial> verb is in-progress ... you must use
  // Status=completed to cancel it"
  auto r = update(parent, set_status(CallStatus::kCompleted));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(status(parent), CallStatus::kCompleted);
  EXPECT_EQ(status(child), CallStatus::kCanceled);
  advance(10);
  EXPECT_EQ(status(child), CallStatus::kCanceled) << "the leg must not answer later";
}

TEST_F(DialTest, StatusCanceledWhileTheChildRingsChangesNothing) {
  engine().behaviors(kAc).add(kAgent, answers_after(5));
  const std::string parent = run(dial_doc(""));
  const std::string child = child_of(parent);
  advance(2);
  auto r = update(parent, set_status(CallStatus::kCanceled));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->status, CallStatus::kInProgress);
  EXPECT_EQ(status(child), CallStatus::kRinging);
  advance(3);
  EXPECT_EQ(status(child), CallStatus::kInProgress) << "the leg still answers";
}

TEST_F(DialTest, CallerHangingUpEndsTheBridgedLeg) {
  engine().behaviors(kAc).add(kTo, hangs_up_after(5));
  const std::string parent = run(dial_doc(""));
  const std::string child = child_of(parent);
  advance(5);
  EXPECT_EQ(status(parent), CallStatus::kCompleted);
  EXPECT_EQ(status(child), CallStatus::kCompleted);
  EXPECT_EQ(call(child).duration_s.value_or(-1), 4);
}

TEST_F(DialTest, FirstLegToAnswerWinsAndTheOthersAreCanceled) {
  const std::string slow = "+14155550888";
  engine().behaviors(kAc).add(kAgent, answers_after(2));
  engine().behaviors(kAc).add(slow, answers_after(4));
  const std::string parent =
      run("<Dial><Number>" + kAgent + "</Number><Number>" + slow + "</Number></Dial>");
  ASSERT_EQ(call(parent).child_sids.size(), 2u);
  const std::string fast_leg = call(parent).child_sids[0];
  const std::string slow_leg = call(parent).child_sids[1];
  advance(2);
  EXPECT_EQ(status(fast_leg), CallStatus::kInProgress);
  EXPECT_EQ(status(slow_leg), CallStatus::kCanceled);
  advance(5);
  EXPECT_EQ(status(slow_leg), CallStatus::kCanceled) << "a canceled leg never answers";
}

TEST_F(DialTest, InvalidNumberFails) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string parent =
      run("<Dial action=\"" + kNext + "\"><Number>not-a-number</Number></Dial>");
  advance(1);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallStatus"), "failed");
  EXPECT_EQ(status(child_of(parent)), CallStatus::kFailed);
}

TEST_F(DialTest, CallerIdAttributeSetsTheLegsFrom) {
  const std::string parent = run("<Dial callerId=\"+15005550009\">" + kAgent + "</Dial>");
  EXPECT_EQ(call(child_of(parent)).from, "+15005550009");
}

TEST_F(DialTest, NumberStatusCallbackReportsTheLegsEvents) {
  engine().behaviors(kAc).add(kAgent, hangs_up_after(3));
  const std::string leg_status = kApp + "/leg-status";
  const std::string parent =
      run("<Dial><Number statusCallback=\"" + leg_status +
          "\" statusCallbackEvent=\"initiated ringing answered completed\">" + kAgent +
          "</Number></Dial>");
  const std::string child = child_of(parent);
  advance(1 + 3);
  EXPECT_EQ(status(child), CallStatus::kCompleted);
  EXPECT_THAT(callback_statuses(child),
              ElementsAre("initiated", "ringing", "in-progress", "completed"));
  const auto cbs = callbacks(child);
  ASSERT_EQ(cbs.size(), 4u);
  EXPECT_EQ(cbs[0].url, leg_status);
  EXPECT_EQ(cbs[3].param("ParentCallSid"), parent);
  EXPECT_EQ(cbs[3].param("Direction"), "outbound-dial");
  EXPECT_EQ(cbs[3].param("CallDuration"), "3");
}

TEST_F(DialTest, ParentTimeLimitEndsTheBridgeToo) {
  CreateCall c = call_request(kVoice);
  c.time_limit_s = 5;
  const std::string parent = run(dial_doc(""), c);
  const std::string child = child_of(parent);
  advance(5);
  EXPECT_EQ(status(parent), CallStatus::kCompleted);
  EXPECT_EQ(status(child), CallStatus::kCompleted);
  EXPECT_EQ(call(child).duration_s.value_or(-1), 4);
}

TEST_F(DialTest, StatusCompletedWhileBridgedHangsUpBothLegs) {
  const std::string parent = run(dial_doc(""));
  const std::string child = child_of(parent);
  advance(4);
  ASSERT_TRUE(update(parent, set_status(CallStatus::kCompleted)).ok());
  EXPECT_EQ(status(parent), CallStatus::kCompleted);
  EXPECT_EQ(status(child), CallStatus::kCompleted);
  EXPECT_EQ(call(parent).duration_s.value_or(-1), 4);
  EXPECT_EQ(call(child).duration_s.value_or(-1), 3);
}

TEST_F(DialTest, RedirectMidDialWithoutActionSendsNoAction) {
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string parent = run(dial_doc("", "<Say>never</Say>"));
  advance(3);
  const size_t before = sent().size();
  ASSERT_TRUE(update(parent, redirect_to(kNext)).ok());
  std::vector<std::string> urls;
  for (size_t i = before; i < sent().size(); ++i)
    if (sent()[i].call_sid == parent) urls.push_back(sent()[i].url);
  EXPECT_THAT(urls, ElementsAre(kNext));
  expect_ends_after(parent, 3 + 2);
  EXPECT_THAT(verbs(parent), Not(Contains("Say")));
}

TEST_F(DialTest, HangingUpTheChildLegThroughTheApiResumesTheParent) {
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string parent = run(dial_doc(" action=\"" + kNext + "\""));
  const std::string child = child_of(parent);
  advance(4);
  ASSERT_TRUE(update(child, set_status(CallStatus::kCompleted)).ok());
  EXPECT_EQ(status(child), CallStatus::kCompleted);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallStatus"), "completed");
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallDuration"), "3");
  EXPECT_EQ(status(parent), CallStatus::kInProgress);
  expect_ends_after(parent, 4 + 2);
}

TEST_F(DialTest, RedirectingTheChildLegBreaksTheBridgeAndResumesTheParent) {
  // Redirecting either leg of a bridge takes it out of the bridge; the other leg's <Dial>
  // ends and goes on to its action (the usual way to transfer the called party elsewhere).
  const std::string child_next = kApp + "/child-next";
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  on_twiml(child_next, doc("<Pause length=\"10\"/>"));
  const std::string parent = run(dial_doc(" action=\"" + kNext + "\""));
  const std::string child = child_of(parent);
  advance(4);
  ASSERT_TRUE(update(child, redirect_to(child_next)).ok());
  EXPECT_EQ(sent_to(child_next).size(), 1u);
  EXPECT_EQ(status(child), CallStatus::kInProgress) << "the child runs its new TwiML";
  ASSERT_EQ(sent_to(kNext).size(), 1u) << "the parent's <Dial> ended";
  EXPECT_EQ(sent_to(kNext)[0].param("DialCallStatus"), "completed");
  advance(2);
  EXPECT_EQ(status(parent), CallStatus::kCompleted);
  EXPECT_EQ(status(child), CallStatus::kInProgress);
  advance(8);
  EXPECT_EQ(status(child), CallStatus::kCompleted);
}

// ------------------------------------------------------------------ redirects (update Url)

TEST_F(Interpreter, RedirectMidPauseInterruptsItAndRunsTheNewTwiml) {
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string sid = run("<Pause length=\"30\"/><Say>never</Say>");
  advance(5);
  auto r = update(sid, redirect_to(kNext));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->status, CallStatus::kInProgress);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].at, now()) << "Twilio fetches the new Url immediately";
  EXPECT_EQ(sent_to(kNext)[0].param("CallStatus"), "in-progress");
  expect_ends_after(sid, 5 + 2);
  EXPECT_THAT(verbs(sid), Not(Contains("Say")));
}

TEST_F(Interpreter, TwimlUpdateMidPauseReplacesTheDocumentWithoutAFetch) {
  const std::string sid = run("<Pause length=\"30\"/><Say>never</Say>");
  advance(5);
  UpdateCall u;
  u.twiml = "<Response><Pause length=\"3\"/></Response>";
  const size_t sent_before = sent().size();
  ASSERT_TRUE(update(sid, u).ok());
  EXPECT_EQ(sent().size(), sent_before);
  expect_ends_after(sid, 5 + 3);
  EXPECT_THAT(verbs(sid), Not(Contains("Say")));
}

TEST_F(Interpreter, RedirectMidGatherAbandonsTheGather) {
  engine().behaviors(kAc).add(kTo, presses({"1#"}));
  const std::string gather_action = kApp + "/gathered";
  on_twiml(gather_action, doc("<Hangup/>"));
  on_twiml(kNext, doc("<Pause length=\"4\"/>"));
  const std::string sid =
      run("<Gather action=\"" + gather_action + "\"><Say>Press one</Say></Gather>");
  advance(0.5);  // mid-prompt; the scripted key press would come at 2 s
  ASSERT_TRUE(update(sid, redirect_to(kNext)).ok());
  advance(20);
  EXPECT_THAT(sent_to(gather_action), IsEmpty());
  EXPECT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 0 + 4) << "0.5 s + 4 s, truncated to seconds";
}

TEST_F(Interpreter, RedirectWhileAFetchIsInFlightDropsTheOldDocument) {
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  on_twiml(kVoice, doc("<Say>old</Say>"));
  hold(true);
  const std::string sid = create();
  advance(1);
  ASSERT_EQ(held_count(), 1u);  // the /voice fetch
  hold(false);
  ASSERT_TRUE(update(sid, redirect_to(kNext)).ok());
  release();  // /voice answers late: superseded
  EXPECT_THAT(verbs(sid), ElementsAre("Pause"));
  advance(2);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(DialTest, RedirectMidDialEndsTheLegPostsTheActionThenRunsTheNewUrl) {
  const std::string dial_action = kApp + "/dial-done";
  on_twiml(dial_action, doc("<Say>must not run</Say>"));
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string parent = run(dial_doc(" action=\"" + dial_action + "\""));
  const std::string child = child_of(parent);
  advance(3);  // bridged at 1 s
  ASSERT_EQ(status(child), CallStatus::kInProgress);
  const size_t before = sent().size();
  ASSERT_TRUE(update(parent, redirect_to(kNext)).ok());

  EXPECT_EQ(status(parent), CallStatus::kInProgress);
  EXPECT_EQ(status(child), CallStatus::kCompleted) << "the child leg ends";
  // The interrupted <Dial action> is requested, then the redirect target; only the target's
  // TwiML takes control (reference §4).
  std::vector<Sent> after(sent().begin() + static_cast<std::ptrdiff_t>(before), sent().end());
  std::vector<std::string> urls;
  for (const auto& s : after)
    if (s.call_sid == parent) urls.push_back(s.url);
  EXPECT_THAT(urls, ElementsAre(dial_action, kNext));
  ASSERT_EQ(sent_to(dial_action).size(), 1u);
  EXPECT_EQ(sent_to(dial_action)[0].purpose, WebhookPurpose::kActionNoTwiml);
  EXPECT_EQ(sent_to(dial_action)[0].param("DialCallStatus"), "completed");
  EXPECT_EQ(sent_to(dial_action)[0].param("DialCallSid"), child);
  EXPECT_EQ(sent_to(kNext)[0].purpose, WebhookPurpose::kTwiml);
  expect_ends_after(parent, 3 + 2);
  EXPECT_THAT(verbs(parent), Not(Contains("Say")));
}

TEST_F(DialTest, RedirectWhileTheChildRingsCancelsTheLeg) {
  engine().behaviors(kAc).add(kAgent, answers_after(10));
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string parent = run(dial_doc(""));
  const std::string child = child_of(parent);
  advance(2);
  ASSERT_TRUE(update(parent, redirect_to(kNext)).ok());
  EXPECT_EQ(status(child), CallStatus::kCanceled);
  EXPECT_EQ(status(parent), CallStatus::kInProgress);
  advance(20);
  EXPECT_EQ(status(child), CallStatus::kCanceled);
  EXPECT_EQ(status(parent), CallStatus::kCompleted);
}

TEST_F(Interpreter, HangupDuringRecordStillPostsTheRecording) {
  engine().behaviors(kAc).add(kTo, hangs_up_after(3));
  on_twiml(kNext, doc("<Say>ignored</Say>"));
  const std::string sid = run("<Record action=\"" + kNext + "\"/>");
  advance(3);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].purpose, WebhookPurpose::kActionNoTwiml);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "hangup");
  EXPECT_EQ(sent_to(kNext)[0].param("RecordingDuration"), "3");
}

// ------------------------------------------------------------------ Record

TEST_F(Interpreter, RecordPostsTheRecordingToItsAction) {
  on_twiml(kNext, doc("<Hangup/>"));
  // The default callee speaks 5 s, then stays silent until the 3 s timeout.
  const std::string sid = run("<Record timeout=\"3\" action=\"" + kNext + "\"/>");
  advance(7.9);
  EXPECT_THAT(sent_to(kNext), IsEmpty());
  advance(0.1);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  const Sent rec = sent_to(kNext)[0];
  EXPECT_TRUE(is_sid(rec.param("RecordingSid"), "RE")) << rec.param("RecordingSid");
  EXPECT_EQ(rec.param("RecordingUrl"), "https://api.twilio.com/2010-04-01/Accounts/" + kAc +
                                           "/Recordings/" + rec.param("RecordingSid"));
  EXPECT_EQ(rec.param("RecordingDuration"), "5");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(Interpreter, RecordStopsAtMaxLength) {
  Behavior talker;
  talker.record_seconds = 30;
  engine().behaviors(kAc).add(kTo, talker);
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Record maxLength=\"10\" action=\"" + kNext + "\"/>");
  advance(10);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("RecordingDuration"), "10");
}

TEST_F(Interpreter, RecordEndsOnAFinishKey) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid = run("<Record action=\"" + kNext + "\"/>");
  advance(3);
  ASSERT_TRUE(digits(sid, "#").ok());
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "#");
  EXPECT_EQ(sent_to(kNext)[0].param("RecordingDuration"), "3");
}

// ------------------------------------------------------------------ Redirect / Hangup / Reject

TEST_F(Interpreter, RedirectVerbFetchesItsUrlAndSkipsTheRest) {
  const std::string menu = kApp + "/ivr/start";
  on_twiml(menu, doc("<Redirect>step2</Redirect><Say>never</Say>"));
  on_twiml(kApp + "/ivr/step2", doc("<Pause length=\"2\"/>"));
  const std::string sid = create(menu);
  advance(1);
  answered_at_ = at(t0(), 1);
  ASSERT_EQ(sent_to(kApp + "/ivr/step2").size(), 1u) << "relative to the document's URL";
  EXPECT_EQ(sent_to(kApp + "/ivr/step2")[0].method, HttpMethod::kPost) << "POST by default";
  expect_ends_after(sid, 2);
  EXPECT_THAT(verbs(sid), Not(Contains("Say")));
}

TEST_F(Interpreter, RedirectVerbHonoursMethodGet) {
  on_twiml(kNext, doc("<Hangup/>"));
  run("<Redirect method=\"GET\">" + kNext + "</Redirect>");
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].method, HttpMethod::kGet);
}

TEST_F(Interpreter, HangupEndsTheCallAndNothingAfterItRuns) {
  const std::string sid = run("<Hangup/><Say>never</Say>");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 0);
  EXPECT_THAT(verbs(sid), ElementsAre("Hangup"));
}

class Inbound : public Interpreter {
 protected:
  const std::string voice = kApp + "/incoming";
};

TEST_F(Inbound, FirstRequestSaysRingingAndInbound) {
  on_twiml(voice, doc("<Pause length=\"2\"/>"));
  auto r = inbound(voice);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string sid = (*r)->sid;
  ASSERT_EQ(sent_to(voice).size(), 1u);
  EXPECT_EQ(sent_to(voice)[0].param("CallStatus"), "ringing");
  EXPECT_EQ(sent_to(voice)[0].param("Direction"), "inbound");
  EXPECT_EQ(call(sid).direction, Direction::kInbound);
  EXPECT_EQ(status(sid), CallStatus::kInProgress) << "answered by its first verb";
  advance(2);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(call(sid).duration_s.value_or(-1), 2);
}

TEST_F(Inbound, RejectBusyEndsTheCallBusyUnanswered) {
  on_twiml(voice, doc("<Reject reason=\"busy\"/>"));
  auto r = inbound(voice, Webhook{kApp + "/status", HttpMethod::kPost});
  ASSERT_TRUE(r.ok());
  const std::string sid = (*r)->sid;
  EXPECT_EQ(status(sid), CallStatus::kBusy);
  EXPECT_FALSE(call(sid).start_time) << "a rejected call is never answered";
  EXPECT_FALSE(call(sid).duration_s);
  ASSERT_EQ(callbacks(sid).size(), 1u);
  EXPECT_EQ(callbacks(sid)[0].param("CallStatus"), "busy");
}

TEST_F(Inbound, RejectDefaultReasonEndsTheCallNoAnswer) {
  on_twiml(voice, doc("<Reject/>"));
  auto r = inbound(voice);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(status((*r)->sid), CallStatus::kNoAnswer);
  EXPECT_FALSE(call((*r)->sid).start_time);
}

TEST_F(Interpreter, RejectAfterAnswerJustHangsUp) {
  const std::string sid = run("<Pause length=\"2\"/><Reject/>");
  advance(2);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

// ------------------------------------------------------------------ unsupported verbs

TEST_F(Interpreter, UnsupportedVerbIsAWarningAndTheCallContinues) {
  const std::string sid =
      run("<Pay input=\"dtmf\"/><Pause length=\"2\"/>");
  const auto notes = engine().notifications(kAc, sid);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]->log, 1) << "a warning, not an error";
  EXPECT_EQ(notes[0]->error_code / 100, 122) << "a 12200-series schema warning";
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  expect_ends_after(sid, 2);
}

TEST_F(Interpreter, UnknownVerbIsAWarningToo) {
  const std::string sid = run("<Dance/><Pause length=\"1\"/>");
  ASSERT_EQ(notification_codes(sid).size(), 1u);
  EXPECT_EQ(engine().notifications(kAc, sid)[0]->log, 1);
  expect_ends_after(sid, 1);
}

// ------------------------------------------------------------------ hanging up mid-verb

TEST_F(Interpreter, StatusCompletedMidGatherEndsTheCallWithoutTheAction) {
  engine().behaviors(kAc).add(kTo, presses({"1#"}));
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid = run("<Gather action=\"" + kNext + "\"><Say>Press one</Say></Gather>");
  advance(0.5);
  ASSERT_TRUE(update(sid, set_status(CallStatus::kCompleted)).ok());
  advance(20);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_THAT(sent_to(kNext), IsEmpty());
}

TEST_F(Interpreter, CallEndingWhileAFetchIsInFlightIgnoresTheLateDocument) {
  on_twiml(kVoice, doc("<Say>too late</Say>"));
  hold(true);
  const std::string sid = create();
  advance(1);
  ASSERT_EQ(held_count(), 1u);
  hold(false);
  ASSERT_TRUE(update(sid, set_status(CallStatus::kCompleted)).ok());
  release();
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_THAT(verbs(sid), IsEmpty());
  advance(10);
}

TEST_F(Interpreter, TimeLimitUpdateOnALiveCallMovesItsEnd) {
  const std::string sid = run("<Pause length=\"100\"/>");
  advance(5);
  UpdateCall u;
  u.time_limit_s = 8;
  auto r = update(sid, u);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(status(sid), CallStatus::kInProgress) << "TimeLimit alone neither redirects nor ends";
  expect_ends_after(sid, 8);
}

TEST_F(Interpreter, GatherInputBargesInOnThePrompt) {
  on_twiml(kNext, doc("<Hangup/>"));
  const std::string sid = run("<Gather numDigits=\"1\" action=\"" + kNext +
                              "\"><Say>A rather long prompt that takes several seconds to say"
                              "</Say></Gather>");
  advance(1);
  ASSERT_TRUE(digits(sid, "3").ok());
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].param("Digits"), "3");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(Interpreter, GatherPlaysEachNestedPromptInTurn) {
  const std::string sid =
      run("<Gather timeout=\"2\"><Say>Hi</Say><Pause length=\"3\"/>"
          "<Play>https://x.example/a.wav</Play></Gather>");
  // 1 s + 3 s + 5 s of prompts, then the 2 s timeout; nothing follows.
  expect_ends_after(sid, 1 + 3 + 5 + 2);
}

TEST_F(Inbound, FetchFailureWithoutFallbackEndsTheCallCompleted) {
  on(voice, http_error(500));
  auto r = inbound(voice);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(status((*r)->sid), CallStatus::kCompleted)
      << "Twilio answers to play its error message, then hangs up";
  EXPECT_THAT(notification_codes((*r)->sid), ElementsAre(11200));
}

TEST_F(Inbound, VoiceFallbackUrlIsUsed) {
  on(voice, http_error(500));
  on_twiml(kFallback, doc("<Pause length=\"1\"/>"));
  auto r = inbound(voice, {}, Webhook{kFallback, HttpMethod::kPost});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(sent_to(kFallback).size(), 1u);
  EXPECT_EQ(sent_to(kFallback)[0].param("ErrorCode"), "11200");
  EXPECT_EQ(status((*r)->sid), CallStatus::kInProgress);
}

TEST_F(Interpreter, PollingWithPauseAndRedirectIsNotARedirectLoop) {
  // A common pattern: wait, then ask the app again. Each document takes time, so however many
  // there are, none of it is a redirect loop.
  const std::string poll = kApp + "/poll";
  on_twiml(poll, doc("<Pause length=\"5\"/><Redirect>" + poll + "</Redirect>"));
  const std::string sid = create(poll);
  advance(1 + 5 * 60);
  EXPECT_EQ(status(sid), CallStatus::kInProgress)
      << "ended after " << sent_to(poll).size() << " documents";
  EXPECT_GE(sent_to(poll).size(), 60u);
}

// ------------------------------------------------------------------ fetch failures, fallback

struct FetchFailure {
  const char* name;
  Reply reply;
  int code;
};

class Fallback : public Interpreter, public ::testing::WithParamInterface<FetchFailure> {
 protected:
  CreateCall with_fallback() const {
    CreateCall c = call_request(kVoice);
    c.fallback = Webhook{kFallback, HttpMethod::kPost};
    return c;
  }
};

TEST_P(Fallback, FailureRequestsTheFallbackWithErrorCodeAndErrorUrl) {
  on(kVoice, GetParam().reply);
  on_twiml(kFallback, doc("<Say>Sorry</Say>"));
  const std::string sid = create(with_fallback());
  advance(1);
  ASSERT_EQ(sent_to(kFallback).size(), 1u);
  const Sent fb = sent_to(kFallback)[0];
  EXPECT_EQ(fb.purpose, WebhookPurpose::kFallback);
  EXPECT_EQ(fb.at, at(t0(), 1)) << "requested immediately";
  EXPECT_EQ(fb.param("ErrorCode"), std::to_string(GetParam().code));
  EXPECT_EQ(fb.param("ErrorUrl"), kVoice);
  EXPECT_EQ(fb.param("CallSid"), sid);
  EXPECT_THAT(notification_codes(sid), ElementsAre(GetParam().code));
  EXPECT_EQ(engine().notifications(kAc, sid)[0]->log, 0) << "an error";
  // The fallback's TwiML runs.
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  advance(1);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_THAT(verbs(sid), Contains("Say"));
}

TEST_P(Fallback, WithoutFallbackTheCallEndsCompleted) {
  on(kVoice, GetParam().reply);
  const std::string sid = create();
  advance(1);
  EXPECT_EQ(status(sid), CallStatus::kCompleted) << "it was answered";
  EXPECT_THAT(notification_codes(sid), ElementsAre(GetParam().code));
}

INSTANTIATE_TEST_SUITE_P(
    Failures, Fallback,
    ::testing::Values(
        FetchFailure{"http500", http_error(500), 11200},
        FetchFailure{"http404", http_error(404), 11200},
        FetchFailure{"invalidXml", twiml("<Response><Say>unclosed</Response>"), 12100},
        FetchFailure{"notXml", twiml("Hello, world"), 12100},
        FetchFailure{"rootNotResponse", twiml("<Reply><Say>hi</Say></Reply>"), 12102},
        FetchFailure{"jsonContentType",
                     Reply{200, "application/json", "{\"say\":\"hi\"}", 0, {}}, 12300},
        FetchFailure{"noContentType", Reply{200, "", "<Response/>", 0, {}}, 12300},
        FetchFailure{"timeout", transport_error(11205, "timed out after 15 s"), 11205},
        FetchFailure{"badHost", transport_error(11210, "no such host"), 11210}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(Interpreter, FallbackFailingTooEndsTheCallCompleted) {
  on(kVoice, http_error(500));
  on(kFallback, http_error(503));
  CreateCall c = call_request(kVoice);
  c.fallback = Webhook{kFallback, HttpMethod::kGet};
  const std::string sid = create(c);
  advance(1);
  ASSERT_EQ(sent_to(kFallback).size(), 1u) << "the fallback is tried once";
  EXPECT_EQ(sent_to(kFallback)[0].method, HttpMethod::kGet);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_THAT(notification_codes(sid), ElementsAre(11200, 11200));
  const auto notes = engine().notifications(kAc, sid);  // newest first
  EXPECT_EQ(notes[0]->request_url, kFallback);
  EXPECT_EQ(notes[1]->request_url, kVoice);
}

TEST_F(Interpreter, NotificationRecordsTheRequestAndResponse) {
  on(kVoice, http_error(500));
  const std::string sid = create();
  advance(1);
  const auto notes = engine().notifications(kAc, sid);
  ASSERT_EQ(notes.size(), 1u);
  const Notification& n = *notes[0];
  EXPECT_TRUE(is_sid(n.sid, "NO")) << n.sid;
  EXPECT_EQ(n.call_sid, sid);
  EXPECT_EQ(n.account_sid, kAc);
  EXPECT_EQ(n.request_url, kVoice);
  EXPECT_EQ(n.request_method, "POST");
  EXPECT_NE(n.request_variables.find("CallSid=" + sid), std::string::npos);
  EXPECT_EQ(n.response_body, "<h1>error</h1>");
  EXPECT_EQ(n.date_created, now());
}

TEST_F(Interpreter, FailedActionFetchAlsoUsesTheFallback) {
  engine().behaviors(kAc).add(kTo, presses({"1"}));
  on(kNext, http_error(500));
  on_twiml(kFallback, doc("<Hangup/>"));
  on_twiml(kVoice, doc("<Gather numDigits=\"1\" action=\"" + kNext + "\"/>"));
  CreateCall c = call_request(kVoice);
  c.fallback = Webhook{kFallback, HttpMethod::kPost};
  const std::string sid = create(c);
  advance(5);
  ASSERT_EQ(sent_to(kFallback).size(), 1u);
  EXPECT_EQ(sent_to(kFallback)[0].param("ErrorUrl"), kNext);
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

TEST_F(Interpreter, RedirectLoopGuardEndsTheCallWithANotification) {
  EngineConfig config;
  config.max_documents_per_call = 5;
  rebuild(config);
  const std::string loop = kApp + "/loop";
  on_twiml(loop, doc("<Redirect>" + loop + "</Redirect>"));
  const std::string sid = create(loop);
  advance(1);
  EXPECT_EQ(sent_to(loop).size(), 5u) << "the guard allows exactly max_documents_per_call";
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  const auto notes = engine().notifications(kAc, sid);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]->log, 0) << "an error";
}

}  // namespace
}  // namespace dialtone::core::testing

namespace dialtone::core::testing {
namespace {

// Inline TwiML has no document URL, so a relative action cannot be resolved: dialtone records
// 11100 and never sends a request to a relative "URL".
TEST_F(EngineTest, RelativeActionInInlineTwimlIsAnInvalidUrlNotARequest) {
  CreateCall req = call_request();
  req.url = {};
  req.twiml = "<Response><Gather action=\"/next\" numDigits=\"1\"/></Response>";
  engine().behaviors(kAc).add(kTo, presses({"5"}));
  const std::string sid = create(req);
  advance(5);
  for (const auto& s : sent()) EXPECT_NE(s.url, "/next");
  EXPECT_THAT(notification_codes(sid), ::testing::Contains(11100));
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

}  // namespace
}  // namespace dialtone::core::testing
