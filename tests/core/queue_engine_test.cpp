// Calls in queues (core/queue/): <Enqueue> and its wait loop, <Leave>, <Dial><Queue>, the
// Member update that dequeues a caller, and the Calls API on a caller that waits or is bridged.
// Expectations come from reference/twilio-conferences-queues.md §6-§9; where Twilio is silent,
// the test names the choice docs/queues.md makes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/sid.hpp"
#include "tests/core/interpreter_fixture.hpp"

namespace dialtone::core::testing {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Not;

// ------------------------------------------------------------------ Enqueue / Dial+Queue

class QueueTest : public Interpreter {
 protected:
  const std::string hold_url = kApp + "/hold";
  const std::string enqueue_action = kApp + "/left-queue";
  void SetUp() override {
    on_twiml(hold_url, doc("<Play>https://cdn.example.com/music.mp3</Play>"));  // 5 s
  }
  std::string enqueue_doc() const {
    return "<Enqueue waitUrl=\"" + hold_url + "\" action=\"" + enqueue_action +
           "\">support</Enqueue>";
  }
};

TEST_F(QueueTest, WaitUrlLoopsHoldMusic) {
  const std::string sid = run(enqueue_doc());
  advance(12);
  const auto holds = sent_to(hold_url);
  ASSERT_EQ(holds.size(), 3u) << "fetched at 0, 5 and 10 s";
  EXPECT_EQ(holds[0].at, answered_at_);
  EXPECT_EQ(holds[1].at, at(answered_at_, 5));
  EXPECT_EQ(holds[2].at, at(answered_at_, 10));
  EXPECT_EQ(holds[0].param("QueuePosition"), "1");
  EXPECT_EQ(holds[0].param("CurrentQueueSize"), "1");
  EXPECT_TRUE(is_sid(holds[0].param("QueueSid"), "QU")) << holds[0].param("QueueSid");
  EXPECT_EQ(holds[2].param("QueueTime"), "10");
  EXPECT_EQ(status(sid), CallStatus::kInProgress) << "waiting in a queue does not end the call";
  EXPECT_THAT(sent_to(enqueue_action), IsEmpty());
}

TEST_F(QueueTest, SecondCallerIsSecondInTheQueue) {
  run(enqueue_doc());
  create();
  advance(1);
  const auto holds = sent_to(hold_url);
  ASSERT_EQ(holds.size(), 2u);
  EXPECT_EQ(holds[1].param("QueuePosition"), "2");
  EXPECT_EQ(holds[1].param("CurrentQueueSize"), "2");
}

TEST_F(QueueTest, UpdateRedirectsAWaitingCallerOutOfTheQueue) {
  on_twiml(enqueue_action, doc("<Say>must not run</Say>"));
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string sid = run(enqueue_doc());
  advance(7);
  ASSERT_TRUE(update(sid, redirect_to(kNext)).ok());
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  const Sent left = sent_to(enqueue_action)[0];
  EXPECT_EQ(left.param("QueueResult"), "redirected");
  EXPECT_EQ(left.purpose, WebhookPurpose::kActionNoTwiml);
  EXPECT_EQ(left.param("QueueTime"), "7");
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  const size_t holds = sent_to(hold_url).size();
  expect_ends_after(sid, 7 + 2);
  EXPECT_EQ(sent_to(hold_url).size(), holds) << "the hold music stopped";
  EXPECT_THAT(verbs(sid), Not(Contains("Say")));
}

TEST_F(QueueTest, DialQueueBridgesAWaitingCallerAndTheAgentHangingUpReleasesThem) {
  on_twiml(enqueue_action, doc("<Say>Thanks</Say>"));
  const std::string caller = run(enqueue_doc());
  advance(3);
  on_twiml(kAgentApp, doc("<Dial><Queue>support</Queue></Dial>"));
  const std::string agent = create(call_request(kAgentApp, kAgent));
  advance(1);
  ASSERT_EQ(status(agent), CallStatus::kInProgress);
  const auto bridged = journal(caller, "queue");
  ASSERT_FALSE(bridged.empty());
  EXPECT_EQ(*bridged.back()->field("result"), "bridged");
  const size_t holds = sent_to(hold_url).size();
  advance(20);
  EXPECT_EQ(sent_to(hold_url).size(), holds) << "no hold music while bridged";
  EXPECT_THAT(sent_to(enqueue_action), IsEmpty());

  // The agent hangs up: the caller leaves the queue bridged and its action's TwiML runs.
  ASSERT_TRUE(update(agent, set_status(CallStatus::kCompleted)).ok());
  EXPECT_EQ(status(agent), CallStatus::kCompleted);
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "bridged");
  EXPECT_EQ(sent_to(enqueue_action)[0].purpose, WebhookPurpose::kTwiml);
  EXPECT_EQ(status(caller), CallStatus::kInProgress);
  advance(5);
  EXPECT_EQ(status(caller), CallStatus::kCompleted);
  EXPECT_THAT(verbs(caller), Contains("Say"));
}

TEST_F(QueueTest, AgentWaitingOnAnEmptyQueueTakesTheNextCaller) {
  ASSERT_TRUE(engine().create_queue(kAc, "support", std::nullopt).ok());  // else: failed at once
  const std::string agent_done = kApp + "/agent-done";
  on_twiml(agent_done, doc("<Hangup/>"));
  on_twiml(kAgentApp, doc("<Dial action=\"" + agent_done + "\"><Queue>support</Queue></Dial>"));
  const std::string agent = create(call_request(kAgentApp, kAgent));
  advance(2);
  ASSERT_EQ(status(agent), CallStatus::kInProgress);
  const std::string caller = run(enqueue_doc());
  EXPECT_THAT(sent_to(hold_url), IsEmpty()) << "taken at once, no hold music";
  ASSERT_FALSE(journal(caller, "queue").empty());
  EXPECT_EQ(*journal(caller, "queue").back()->field("result"), "bridged");

  // The caller hangs up: the agent's <Dial> ends and its action runs.
  advance(4);
  ASSERT_TRUE(update(caller, set_status(CallStatus::kCompleted)).ok());
  ASSERT_EQ(sent_to(agent_done).size(), 1u);
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallStatus"), "completed");
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallSid"), caller);
  EXPECT_EQ(status(agent), CallStatus::kCompleted);
}

TEST_F(QueueTest, LeaveInTheWaitUrlTakesTheCallerOutToTheAction) {
  on_twiml(hold_url, doc("<Play>https://cdn.example.com/music.mp3</Play><Leave/>"));
  on_twiml(enqueue_action, doc("<Pause length=\"1\"/>"));
  const std::string sid = run(enqueue_doc());
  advance(5);
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "leave");
  EXPECT_EQ(sent_to(enqueue_action)[0].purpose, WebhookPurpose::kTwiml);
  expect_ends_after(sid, 5 + 1);
}

// ------------------------------------------------------------------ the wait document

TEST_F(QueueTest, CallerHangingUpInTheQueueReportsHangup) {
  const std::string sid = run(enqueue_doc());
  advance(6);
  ASSERT_TRUE(update(sid, set_status(CallStatus::kCompleted)).ok());
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "hangup");
  EXPECT_EQ(sent_to(enqueue_action)[0].param("CallStatus"), "completed");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_EQ(engine().list_queues(kAc).front()->size(), 0u);
  const size_t holds = sent_to(hold_url).size();
  advance(30);
  EXPECT_EQ(sent_to(hold_url).size(), holds);
}

TEST_F(QueueTest, RedirectLoopInTheWaitUrlDocumentDoesNotSpin) {
  // A waitUrl document that redirects to itself and takes no time would loop in zero virtual
  // time; the engine must stop it as it stops a hold document without a timed verb.
  on_twiml(hold_url, doc("<Redirect>" + hold_url + "</Redirect>"));
  const std::string sid = run(enqueue_doc());
  EXPECT_LT(sent_to(hold_url).size(), 100u);
  EXPECT_EQ(status(sid), CallStatus::kInProgress) << "the caller keeps waiting";
  EXPECT_FALSE(engine().notifications(kAc, sid).empty());
}

TEST_F(QueueTest, WaitParametersCarryTheAverageWaitAndTheLimit) {
  run(enqueue_doc());
  advance(4);
  const std::string second_sid = create();
  advance(1);  // the second caller is answered 5 s after the first
  std::vector<Sent> holds;
  for (const Sent& s : sent_to(hold_url))
    if (s.call_sid == second_sid) holds.push_back(s);
  ASSERT_EQ(holds.size(), 1u);
  const Sent& second = holds[0];
  EXPECT_EQ(second.param("QueuePosition"), "2");
  EXPECT_EQ(second.param("QueueTime"), "0");
  EXPECT_EQ(second.param("AvgQueueTime"), "2") << "(5 + 0) / 2, rounded down";
  EXPECT_EQ(second.param("CurrentQueueSize"), "2");
  EXPECT_EQ(second.param("MaxQueueSize"), "1000") << "the documented default";
}

TEST_F(QueueTest, AVerbTwilioDoesNotAllowInTheWaitDocumentTakesTheCallerOutWithAnError) {
  on_twiml(hold_url, doc("<Dial>+14155550999</Dial>"));
  on_twiml(enqueue_action, doc("<Pause length=\"1\"/>"));
  const std::string sid = run(enqueue_doc());
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "error");
  EXPECT_EQ(sent_to(enqueue_action)[0].purpose, WebhookPurpose::kTwiml);
  EXPECT_EQ(engine().list_queues(kAc).front()->size(), 0u);
  expect_ends_after(sid, 1);
}

TEST_F(QueueTest, AWaitDocumentThatCannotBeFetchedTakesTheCallerOutWithAnError) {
  on(hold_url, http_error(500));
  on_twiml(enqueue_action, doc("<Hangup/>"));
  const std::string sid = run(enqueue_doc());
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "error");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
}

// ------------------------------------------------------------------ refused enqueues

TEST_F(QueueTest, AFullQueueRefusesTheCallerWithoutQueueSidOrQueueTime) {
  auto q = engine().create_queue(kAc, "support", 1);
  ASSERT_TRUE(q.ok());
  run(enqueue_doc());
  on_twiml(enqueue_action, doc("<Hangup/>"));
  const std::string second = create();
  advance(1);
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  const Sent refused = sent_to(enqueue_action)[0];
  EXPECT_EQ(refused.call_sid, second);
  EXPECT_EQ(refused.param("QueueResult"), "queue-full");
  EXPECT_FALSE(refused.has("QueueSid"));
  EXPECT_FALSE(refused.has("QueueTime"));
  EXPECT_THAT(notification_codes(second), Contains(14207));
  EXPECT_EQ((*q)->size(), 1u);
}

TEST_F(QueueTest, AQueueNameLongerThan64CharactersIsAnError) {
  const std::string sid = run("<Enqueue>" + std::string(65, 'q') + "</Enqueue><Pause/>");
  EXPECT_THAT(notification_codes(sid), Contains(14205));
  EXPECT_THAT(engine().list_queues(kAc), IsEmpty());
  expect_ends_after(sid, 1);  // no action: the next verb runs
}

TEST_F(QueueTest, EnqueueCreatesAQueueSizedByMaxQueueSize) {
  run("<Enqueue maxQueueSize=\"7\">sales</Enqueue>");
  ASSERT_EQ(engine().list_queues(kAc).size(), 1u);
  EXPECT_EQ(engine().list_queues(kAc).front()->max_size, 7);
  EXPECT_EQ(engine().list_queues(kAc).front()->friendly_name, "sales");
}

// ------------------------------------------------------------------ Member update (dequeue)

TEST_F(QueueTest, DequeueingTheFrontRunsTheNewTwimlAndTheActionHearsRedirected) {
  on_twiml(enqueue_action, doc("<Say>must not run</Say>"));
  on_twiml(kNext, doc("<Pause length=\"3\"/>"));
  const std::string first = run(enqueue_doc());
  const std::string second = create();
  advance(4);
  const std::string qsid = engine().list_queues(kAc).front()->sid;
  Effects effects;
  auto m = engine().dequeue_member(kAc, qsid, "Front", Webhook{kNext, HttpMethod::kPost}, effects);
  pump(effects);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->call_sid, first);
  EXPECT_EQ(m->position, 1);
  EXPECT_EQ(m->wait_time_s, 4);
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "redirected");
  EXPECT_EQ(sent_to(enqueue_action)[0].purpose, WebhookPurpose::kActionNoTwiml);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(sent_to(kNext)[0].call_sid, first);

  // The next caller moves up; the one dequeued is no member any more.
  auto front = engine().find_member(kAc, qsid, "Front");
  ASSERT_TRUE(front.ok());
  EXPECT_EQ(front->call_sid, second);
  EXPECT_EQ(front->position, 1);
  EXPECT_EQ(engine().find_member(kAc, qsid, first).error().http_status, 404);
  auto again =
      engine().dequeue_member(kAc, qsid, first, Webhook{kNext, HttpMethod::kPost}, effects);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().http_status, 400) << "a second dequeue of one call fails";
  EXPECT_THAT(verbs(first), Not(Contains("Say")));
}

TEST_F(QueueTest, FrontOfAnEmptyQueueIsNotFound) {
  auto q = engine().create_queue(kAc, "empty", std::nullopt);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(engine().find_member(kAc, (*q)->sid, "Front").error().http_status, 404);
  Effects effects;
  auto r =
      engine().dequeue_member(kAc, (*q)->sid, "Front", Webhook{kNext, HttpMethod::kPost}, effects);
  EXPECT_EQ(r.error().http_status, 404);
}

// ------------------------------------------------------------------ the Calls API

TEST_F(QueueTest, CancelingAWaitingCallerChangesNothing) {
  const std::string sid = run(enqueue_doc());
  ASSERT_TRUE(update(sid, set_status(CallStatus::kCanceled)).ok());
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
  EXPECT_EQ(engine().list_queues(kAc).front()->size(), 1u);
}

TEST_F(QueueTest, RedirectingABridgedCallerTellsItsActionRedirectedFromBridged) {
  const std::string agent_done = kApp + "/agent-done";
  on_twiml(agent_done, doc("<Pause length=\"1\"/>"));
  on_twiml(kNext, doc("<Pause length=\"2\"/>"));
  const std::string caller = run(enqueue_doc());
  on_twiml(kAgentApp, doc("<Dial action=\"" + agent_done + "\"><Queue>support</Queue></Dial>"));
  const std::string agent = create(call_request(kAgentApp, kAgent));
  advance(5);
  ASSERT_TRUE(update(caller, redirect_to(kNext)).ok());
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "redirected-from-bridged");
  EXPECT_EQ(sent_to(enqueue_action)[0].purpose, WebhookPurpose::kActionNoTwiml);
  ASSERT_EQ(sent_to(agent_done).size(), 1u);
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallStatus"), "completed");
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallSid"), caller);
  EXPECT_EQ(sent_to(agent_done)[0].param("DequeingCallSid"), agent);
  ASSERT_EQ(sent_to(kNext).size(), 1u);
  EXPECT_EQ(status(caller), CallStatus::kInProgress);
}

// ------------------------------------------------------------------ <Dial><Queue>

TEST_F(QueueTest, TheQueueUrlIsRequestedOnTheCallersLegAndTheNextCallerMovesUp) {
  const std::string whisper = kApp + "/whisper";
  on_twiml(whisper, doc("<Say>connecting</Say>"));
  const std::string first = run(enqueue_doc());
  advance(2);
  const std::string second = create();
  advance(3);
  on_twiml(kAgentApp, doc("<Dial><Queue url=\"" + whisper + "\">support</Queue></Dial>"));
  const std::string agent = create(call_request(kAgentApp, kAgent));
  advance(1);
  ASSERT_EQ(sent_to(whisper).size(), 1u);
  const Sent w = sent_to(whisper)[0];
  EXPECT_EQ(w.call_sid, first);
  EXPECT_EQ(w.param("CallSid"), first);
  EXPECT_EQ(w.param("DequeingCallSid"), agent);
  EXPECT_EQ(w.param("QueueTime"), "6");
  EXPECT_TRUE(is_sid(w.param("QueueSid"), "QU"));
  const auto front = engine().find_member(kAc, w.param("QueueSid"), "Front");
  ASSERT_TRUE(front.ok());
  EXPECT_EQ(front->call_sid, second);
  advance(5);
  EXPECT_EQ(sent_to(hold_url).back().param("QueuePosition"), "1");
}

// The <Queue url> document plays on the caller's leg before the bridge (reference §6.5): its
// verbs take their time, the agent's DialCallDuration counts from the connection.
TEST_F(QueueTest, TheWhisperPlaysOnTheCallersLegBeforeTheBridge) {
  const std::string whisper = kApp + "/whisper";
  const std::string agent_done = kApp + "/agent-done";
  on_twiml(whisper, doc("<Pause length=\"3\"/>"));
  on_twiml(agent_done, doc("<Hangup/>"));
  const std::string caller = run(enqueue_doc());
  advance(2);
  on_twiml(kAgentApp, doc("<Dial action=\"" + agent_done + "\"><Queue url=\"" + whisper +
                          "\">support</Queue></Dial>"));
  const std::string agent = create(call_request(kAgentApp, kAgent));
  advance(1);  // the agent answers and takes the caller
  ASSERT_EQ(sent_to(whisper).size(), 1u);
  EXPECT_EQ(sent_to(whisper)[0].purpose, WebhookPurpose::kTwiml) << "its TwiML runs";
  const TimePoint taken = sent_to(whisper)[0].at;
  EXPECT_THAT(verbs(caller), Contains("Pause"));
  advance(2.9);
  EXPECT_TRUE(journal(agent, "dial").empty() ||
              !journal(agent, "dial").back()->field("connected"))
      << "not connected while the whisper plays";
  advance(0.2);
  ASSERT_FALSE(journal(agent, "dial").empty());
  EXPECT_EQ(journal(agent, "dial").back()->field("connected").value_or(""), caller);
  EXPECT_EQ(journal(agent, "dial").back()->at, at(taken, 3));
  const size_t holds = sent_to(hold_url).size();
  advance(7);
  EXPECT_EQ(sent_to(hold_url).size(), holds) << "no hold music while whispered to or bridged";
  ASSERT_TRUE(update(agent, set_status(CallStatus::kCompleted)).ok());
  ASSERT_EQ(sent_to(agent_done).size(), 1u);
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallDuration"), "7") << "10 s taken, 3 whispered";
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "bridged");
}

TEST_F(QueueTest, ACallerHangingUpDuringTheWhisperIsBridgingInProcess) {
  const std::string whisper = kApp + "/whisper";
  const std::string agent_done = kApp + "/agent-done";
  on_twiml(whisper, doc("<Pause length=\"10\"/>"));
  on_twiml(agent_done, doc("<Hangup/>"));
  const std::string caller = run(enqueue_doc());
  on_twiml(kAgentApp, doc("<Dial action=\"" + agent_done + "\"><Queue url=\"" + whisper +
                          "\">support</Queue></Dial>"));
  const std::string agent = create(call_request(kAgentApp, kAgent));
  advance(3);
  ASSERT_EQ(sent_to(whisper).size(), 1u);
  ASSERT_TRUE(update(caller, set_status(CallStatus::kCompleted)).ok());
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "bridging-in-process");
  ASSERT_EQ(sent_to(agent_done).size(), 1u);
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallStatus"), "completed");
  advance(1);
  EXPECT_EQ(status(agent), CallStatus::kCompleted);
}

TEST_F(QueueTest, AWhisperWithAVerbTwilioDoesNotAllowConnectsAtOnce) {
  const std::string whisper = kApp + "/whisper";
  on_twiml(whisper, doc("<Gather/><Pause length=\"30\"/>"));
  const std::string caller = run(enqueue_doc());
  on_twiml(kAgentApp, doc("<Dial><Queue url=\"" + whisper + "\">support</Queue></Dial>"));
  const std::string agent = create(call_request(kAgentApp, kAgent));
  advance(1.5);
  ASSERT_EQ(sent_to(whisper).size(), 1u);
  EXPECT_THAT(notification_codes(caller), Contains(12200));
  ASSERT_FALSE(journal(agent, "dial").empty());
  EXPECT_EQ(journal(agent, "dial").back()->field("connected").value_or(""), caller);
  EXPECT_THAT(verbs(caller), Not(Contains("Pause")));
}

// A <Gather> in the wait document (Twilio allows it there, reference §6.2) runs with the
// callee's scripted input; its action's answer is the next wait document, and the caller waits
// in the queue all along.
TEST_F(QueueTest, AGatherInTheWaitDocumentTakesTheCalleesDigits) {
  const std::string choice = kApp + "/hold-choice";
  on_twiml(hold_url, doc("<Gather numDigits=\"1\" timeout=\"3\" action=\"" + choice +
                         "\"><Play>https://cdn.example.com/menu.mp3</Play></Gather>"));
  on_twiml(choice, doc("<Leave/>"));
  on_twiml(enqueue_action, doc("<Hangup/>"));
  engine().behaviors(kAc).add(kTo, presses({"1"}));
  const std::string sid = run(enqueue_doc());
  advance(5.9);
  EXPECT_THAT(sent_to(choice), IsEmpty()) << "the prompt plays 5 s, the key comes 1 s later";
  EXPECT_EQ(engine().list_queues(kAc).front()->size(), 1u);
  advance(0.2);
  ASSERT_EQ(sent_to(choice).size(), 1u);
  EXPECT_EQ(sent_to(choice)[0].param("Digits"), "1");
  EXPECT_EQ(sent_to(choice)[0].at, at(answered_at_, 6));
  ASSERT_EQ(sent_to(enqueue_action).size(), 1u);
  EXPECT_EQ(sent_to(enqueue_action)[0].param("QueueResult"), "leave");
  EXPECT_EQ(status(sid), CallStatus::kCompleted);
  EXPECT_TRUE(engine().notifications(kAc, sid).empty());
}

TEST_F(QueueTest, AGatherInTheWaitDocumentWithoutInputFallsThroughAndTheMusicLoops) {
  const std::string choice = kApp + "/hold-choice";
  on_twiml(hold_url, doc("<Gather timeout=\"3\" action=\"" + choice +
                         "\"><Play>https://cdn.example.com/menu.mp3</Play></Gather>"
                         "<Pause length=\"2\"/>"));
  on_twiml(choice, doc("<Pause length=\"4\"/>"));
  const std::string sid = run(enqueue_doc());
  advance(10.5);
  EXPECT_THAT(sent_to(choice), IsEmpty());
  ASSERT_EQ(sent_to(hold_url).size(), 2u) << "prompt 5 s, timeout 3 s, pause 2 s, again";
  EXPECT_EQ(sent_to(hold_url)[1].at, at(answered_at_, 10));
  // Keys pressed while the wait document's <Gather> listens go to its action.
  advance(5);
  ASSERT_TRUE(digits(sid, "7#").ok());
  ASSERT_EQ(sent_to(choice).size(), 1u);
  EXPECT_EQ(sent_to(choice)[0].param("Digits"), "7");
  EXPECT_EQ(engine().list_queues(kAc).front()->size(), 1u) << "still waiting";
  advance(4);
  ASSERT_EQ(sent_to(hold_url).size(), 3u) << "the action's document ran out: waitUrl again";
  EXPECT_EQ(status(sid), CallStatus::kInProgress);
}

TEST_F(QueueTest, DialingAQueueThatDoesNotExistFailsAtOnce) {
  const std::string agent_done = kApp + "/agent-done";
  on_twiml(agent_done, doc("<Hangup/>"));
  run("<Dial action=\"" + agent_done + "\"><Queue>nobody</Queue></Dial>");
  ASSERT_EQ(sent_to(agent_done).size(), 1u);
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallStatus"), "failed");
  EXPECT_EQ(sent_to(agent_done)[0].at, answered_at_);
}

TEST_F(QueueTest, DialingAnEmptyQueueTimesOutAsNoAnswer) {
  ASSERT_TRUE(engine().create_queue(kAc, "support", std::nullopt).ok());
  const std::string agent_done = kApp + "/agent-done";
  on_twiml(agent_done, doc("<Hangup/>"));
  run("<Dial timeout=\"5\" action=\"" + agent_done + "\"><Queue>support</Queue></Dial>");
  advance(4.9);
  EXPECT_THAT(sent_to(agent_done), IsEmpty());
  advance(0.1);
  ASSERT_EQ(sent_to(agent_done).size(), 1u);
  EXPECT_EQ(sent_to(agent_done)[0].param("DialCallStatus"), "no-answer");
  EXPECT_THAT(engine().list_queues(kAc).front()->agents, IsEmpty());
}

// ------------------------------------------------------------------ the Queue resource

TEST_F(QueueTest, QueueResourceRules) {
  auto a = engine().create_queue(kAc, "support", std::nullopt);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->max_size, 1000);
  EXPECT_TRUE(is_sid((*a)->sid, "QU"));
  EXPECT_EQ(engine().create_queue(kAc, "support", 5).error().http_status, 400)
      << "one name per account: <Enqueue> finds queues by name";
  EXPECT_EQ(engine().create_queue(kAc, "big", 5001).error().http_status, 400);
  EXPECT_EQ(engine().create_queue(kAc, "none", 0).error().http_status, 400);
  EXPECT_EQ(engine().create_queue(kAc, std::string(65, 'x'), 1).error().http_status, 400);
  const std::string sid = (*a)->sid;

  auto renamed = engine().update_queue(kAc, sid, std::string("help"), 10);
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ((*renamed)->friendly_name, "help");
  EXPECT_EQ((*renamed)->max_size, 10);
  EXPECT_EQ(
      engine().update_queue(kAc, "QU" + std::string(32, '0'), std::nullopt, 3).error().http_status,
      404);

  const std::string caller = run("<Enqueue>help</Enqueue>");
  EXPECT_EQ(engine().delete_queue(kAc, sid).error().http_status, 400) << "a caller waits";
  ASSERT_TRUE(update(caller, set_status(CallStatus::kCompleted)).ok());
  EXPECT_TRUE(engine().delete_queue(kAc, sid).ok());
  EXPECT_EQ(engine().find_queue(kAc, sid), nullptr);
  run("<Enqueue>help</Enqueue>");
  ASSERT_EQ(engine().list_queues(kAc).size(), 1u);
  EXPECT_NE(engine().list_queues(kAc).front()->sid, sid) << "a new queue of that name";
}

TEST_F(QueueTest, LoweringTheLimitEvictsNobody) {
  run(enqueue_doc());
  run(enqueue_doc());
  const std::string sid = engine().list_queues(kAc).front()->sid;
  ASSERT_TRUE(engine().update_queue(kAc, sid, std::nullopt, 1).ok());
  EXPECT_EQ(engine().find_queue(kAc, sid)->size(), 2u);
}

TEST_F(QueueTest, QueuesComeBackFromTheJournal) {
  rebuild(tracking_config());
  ASSERT_TRUE(engine().create_queue(kAc, "a", 3).ok());
  auto b = engine().create_queue(kAc, "b", std::nullopt);
  ASSERT_TRUE(b.ok());
  const std::string b_sid = (*b)->sid;
  ASSERT_TRUE(engine().update_queue(kAc, b_sid, std::string("bee"), 9).ok());
  const std::string a_sid = engine().list_queues(kAc).front()->sid;
  ASSERT_TRUE(engine().delete_queue(kAc, a_sid).ok());
  std::vector<JournalEvent> events(engine().journal().events().begin(),
                                   engine().journal().events().end());

  rebuild(tracking_config());
  for (const JournalEvent& e : events) engine().restore_event(e);
  const auto queues = engine().list_queues(kAc);
  ASSERT_EQ(queues.size(), 1u);
  EXPECT_EQ(queues[0]->sid, b_sid);
  EXPECT_EQ(queues[0]->friendly_name, "bee");
  EXPECT_EQ(queues[0]->max_size, 9);
}

TEST_F(QueueTest, ResetDropsTheAccountsQueues) {
  run(enqueue_doc());
  engine().reset_account(kAc);
  EXPECT_THAT(engine().list_queues(kAc), IsEmpty());
}

}  // namespace
}  // namespace dialtone::core::testing
