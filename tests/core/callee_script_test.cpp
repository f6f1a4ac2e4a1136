// core/callee: the script's written form and the runner that takes its turns against a clock
// the test moves, told when the agent speaks. docs/conversations.md has the model: 150 words a
// minute (400 ms a word), a 500 ms pause before answering the agent.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/callee/conversation.hpp"
#include "core/callee/script.hpp"
#include "core/callee/script_runner.hpp"

namespace dialtone::core::callee {
namespace {

const TimePoint kT0{Millis{1767225600000}};
TimePoint at_ms(int64_t ms) { return kT0 + Millis{ms}; }

std::shared_ptr<const std::vector<Turn>> script(const std::vector<std::string>& turns) {
  auto s = make_script(turns);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : nullptr;
}

// What the runner did, one line per action: "1200 end one two three".
std::vector<std::string> run_to(ScriptRunner& r, int64_t ms) {
  std::vector<Action> actions;
  r.advance(at_ms(ms), actions);
  std::vector<std::string> out;
  static const char* kNames[] = {"start", "word", "end", "press", "hangup"};
  for (const auto& a : actions) {
    std::string line = std::to_string((a.at - kT0).count()) + " " +
                       kNames[static_cast<int>(a.kind)];
    if (!a.text.empty()) line += " " + a.text;
    if (a.interrupting) line += " (interrupting)";
    out.push_back(line);
  }
  return out;
}

int64_t due_ms(const ScriptRunner& r) {
  auto d = r.next_due();
  return d ? (*d - kT0).count() : -1;
}

TEST(CalleeScript, ParsesEachKindOfTurnAndWritesItBack) {
  const std::vector<std::string> written = {
      "say:Hello there",  "say(2500ms, confidence=0.75):I need help", "press:12#",
      "silence:3s",       "wait",                                    "wait:10s",
      "interrupt(800ms):Stop please", "hangup"};
  auto parsed = parse_script(written);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const auto& t = *parsed;
  EXPECT_EQ(t[0].kind, Turn::Kind::kSay);
  EXPECT_EQ(t[0].text, "Hello there");
  EXPECT_FALSE(t[0].duration);
  EXPECT_EQ(*t[1].duration, Millis{2500});
  EXPECT_DOUBLE_EQ(t[1].confidence, 0.75);
  EXPECT_EQ(t[2].text, "12#");
  EXPECT_EQ(*t[3].duration, Millis{3000});
  EXPECT_FALSE(t[4].duration);
  EXPECT_EQ(*t[5].duration, Millis{10000});
  EXPECT_EQ(t[6].kind, Turn::Kind::kInterrupt);
  EXPECT_EQ(t[6].after, Millis{800});
  EXPECT_EQ(t[7].kind, Turn::Kind::kHangup);
  EXPECT_EQ(format_script(t), written);
}

TEST(CalleeScript, BadTurnsSayWhatIsWrong) {
  for (const char* bad : {"shout:hi", "say:", "press:12a", "silence", "silence:soon",
                          "wait:-1s", "say(2s:hi", "say(confidence=2):hi", "hangup:now",
                          "press(1s):1", "say(1s, 2s):hi"}) {
    auto t = parse_turn(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.error().message.find("Script turn"), std::string::npos) << bad;
    }
  }
  auto s = parse_script({"say:ok", "nope"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("Script[1]"), std::string::npos);
  EXPECT_FALSE(make_script(std::vector<std::string>(kMaxTurns + 1, "wait")).ok());
}

TEST(CalleeScript, SpeakingTimeIsFourHundredMillisecondsAWord) {
  EXPECT_EQ(speaking_time("one two  three"), Millis{1200});
  EXPECT_EQ(speaking_time(""), Millis{400});
  EXPECT_EQ(word_count(" a\tb\nc "), 3u);
}

TEST(ScriptRunner, SaysTurnsOneAfterAnotherInSimulatedTime) {
  ScriptRunner r(script({"say:one two three", "silence:1s", "press:5", "say(2s):bye", "hangup"}));
  EXPECT_EQ(run_to(r, 0), std::vector<std::string>{"0 start one two three"});
  EXPECT_EQ(due_ms(r), 1200);
  EXPECT_TRUE(run_to(r, 1199).empty());
  EXPECT_EQ(run_to(r, 1200), std::vector<std::string>{"1200 end one two three"});
  EXPECT_EQ(due_ms(r), 2200);
  EXPECT_EQ(run_to(r, 2200), (std::vector<std::string>{"2200 press 5", "2200 start bye"}));
  EXPECT_EQ(run_to(r, 4200), (std::vector<std::string>{"4200 end bye", "4200 hangup"}));
  EXPECT_TRUE(r.hung_up());
  EXPECT_EQ(due_ms(r), -1);
}

TEST(ScriptRunner, WaitLastsUntilTheAgentHasFinishedThenAPause) {
  ScriptRunner r(script({"wait", "say:hi"}));
  EXPECT_TRUE(run_to(r, 0).empty());
  EXPECT_EQ(due_ms(r), -1) << "no limit: nothing to do until the agent speaks";
  r.agent_speaking(at_ms(100), at_ms(3000));
  EXPECT_EQ(due_ms(r), 3500);
  // Back-to-back prompts are one utterance: the wait moves on with them.
  r.agent_speaking(at_ms(3000), at_ms(4000));
  EXPECT_EQ(due_ms(r), 4500);
  EXPECT_TRUE(run_to(r, 4499).empty());
  EXPECT_EQ(run_to(r, 4500), std::vector<std::string>{"4500 start hi"});
}

TEST(ScriptRunner, WaitWithALimitGivesUpOnASilentAgent) {
  ScriptRunner r(script({"wait:2s", "say:anyone"}));
  run_to(r, 0);
  EXPECT_EQ(due_ms(r), 2000);
  EXPECT_EQ(run_to(r, 2000), std::vector<std::string>{"2000 start anyone"});
}

TEST(ScriptRunner, AnAgentUtteranceOverBeforeTheWaitBeganDoesNotCount) {
  ScriptRunner r(script({"say:one", "wait", "say:two"}));
  r.agent_speaking(at_ms(0), at_ms(300));
  run_to(r, 0);
  run_to(r, 400);  // "one" ends; the wait begins after the agent's utterance
  EXPECT_EQ(due_ms(r), -1);
}

TEST(ScriptRunner, InterruptSpeaksOverTheAgentAfterItsTime) {
  ScriptRunner r(script({"interrupt(800ms):stop please"}));
  run_to(r, 0);
  EXPECT_EQ(due_ms(r), -1);
  r.agent_speaking(at_ms(1000), at_ms(6000));
  EXPECT_EQ(due_ms(r), 1800);
  EXPECT_EQ(run_to(r, 1800), std::vector<std::string>{"1800 start stop please (interrupting)"});
  EXPECT_TRUE(r.speaking());
}

TEST(ScriptRunner, InterruptOfAShortUtteranceSpeaksAfterIt) {
  ScriptRunner r(script({"interrupt(2s):late"}));
  run_to(r, 0);
  r.agent_speaking(at_ms(0), at_ms(1000));
  EXPECT_EQ(due_ms(r), 1500);
  EXPECT_EQ(run_to(r, 1500), std::vector<std::string>{"1500 start late"});
}

TEST(ScriptRunner, APromptCutShortEndsTheAgentsUtteranceThere) {
  ScriptRunner r(script({"wait", "say:ok"}));
  run_to(r, 0);
  r.agent_speaking(at_ms(0), at_ms(10000));
  r.agent_stopped(at_ms(2000));
  EXPECT_EQ(due_ms(r), 2500);
  EXPECT_FALSE(r.agent_speaking_at(at_ms(2000)));
}

TEST(ScriptRunner, PartialsGiveEachWordAsItIsSaid) {
  ScriptRunner r(script({"say:I need help"}));
  r.set_partials(true);
  EXPECT_EQ(run_to(r, 0), std::vector<std::string>{"0 start I need help"});
  EXPECT_EQ(due_ms(r), 400);
  EXPECT_EQ(run_to(r, 1200), (std::vector<std::string>{"400 word I", "800 word I need",
                                                        "1200 end I need help"}));
}

TEST(ScriptRunner, LiveTurnsRunNowAndTheScriptGoesOnAroundThem) {
  ScriptRunner r(script({"silence:10s", "say:scripted"}));
  run_to(r, 0);
  Turn say;
  say.text = "live words";
  r.live(say);
  EXPECT_EQ(run_to(r, 1000), std::vector<std::string>{"1000 start live words"});
  Turn press;
  press.kind = Turn::Kind::kPress;
  press.text = "9";
  r.live(press);  // waits for the live utterance to end
  EXPECT_TRUE(run_to(r, 1500).empty());
  EXPECT_EQ(run_to(r, 1800), (std::vector<std::string>{"1800 end live words", "1800 press 9"}));
  EXPECT_EQ(due_ms(r), 10000);
  EXPECT_EQ(run_to(r, 10000), std::vector<std::string>{"10000 start scripted"});
}

TEST(Conversation, CalleeSpeechSpansAreItsUtterancesInOrder) {
  Conversation c("CA1", nullptr, kT0);
  c.add({Entry::Speaker::kAgent, "speech", "hello", "say", at_ms(0), at_ms(1000), false, 0});
  c.add({Entry::Speaker::kCallee, "speech", "hi", "", at_ms(1500), at_ms(1900), false, 0.9});
  c.add({Entry::Speaker::kCallee, "digits", "5", "", at_ms(2000), at_ms(2000), false, 0});
  c.add({Entry::Speaker::kCallee, "speech", "bye", "", at_ms(3000), at_ms(3400), false, 0.9});
  const auto spans = callee_speech_spans(c);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].start, at_ms(1500));
  EXPECT_EQ(spans[1].end, at_ms(3400));
}

TEST(Conversation, CuttingTheAgentMarksItsSpeechInterrupted) {
  Conversation c("CA1", nullptr, kT0);
  c.add({Entry::Speaker::kAgent, "speech", "a long prompt", "gather", at_ms(0), at_ms(5000),
         false, 0});
  EXPECT_TRUE(c.cut_agent(at_ms(1200)));
  EXPECT_EQ(c.entries()[0].end, at_ms(1200));
  EXPECT_TRUE(c.entries()[0].interrupted);
  EXPECT_FALSE(c.cut_agent(at_ms(2000))) << "nothing left to cut";
}

TEST(ConversationBook, KeepsEndedConversationsUpToItsBound) {
  ConversationBook book;
  for (size_t i = 0; i < kMaxEndedConversations + 5; ++i) {
    Conversation& c =
        book.add(std::make_unique<Conversation>("CA" + std::to_string(i), nullptr, kT0));
    book.ended(c);
  }
  EXPECT_EQ(book.size(), kMaxEndedConversations);
  EXPECT_EQ(book.find("CA0"), nullptr);
  EXPECT_NE(book.find("CA5"), nullptr);
  book.erase("CA5");
  EXPECT_EQ(book.find("CA5"), nullptr);
}

}  // namespace
}  // namespace dialtone::core::callee
