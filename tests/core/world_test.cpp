// Each root account is a world of its own (core/world/world.hpp): its clock, timers, callees,
// numbers, limit and sids. These tests give every world its own manual clock, as the server
// does, and check that nothing of one world reaches another.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "core/engine.hpp"
#include "core/world/world.hpp"

namespace dialtone::core {
namespace {

using namespace std::chrono_literals;

const std::string kA = "AC" + std::string(32, 'a');
const std::string kB = "AC" + std::string(32, 'b');
const std::string kSubA = "AC" + std::string(32, 'c');

// A manual clock per world that the test can move; the engine owns a handle to it.
class WorldClocks {
 public:
  ClockFactory factory() {
    return [this](const std::string& root) {
      auto& clock = clocks_[root];
      if (!clock) clock = std::make_shared<ManualClock>();
      return std::make_unique<Handle>(clock);
    };
  }
  ManualClock& of(const std::string& root) { return *clocks_.at(root); }

 private:
  struct Handle final : Clock {
    explicit Handle(std::shared_ptr<ManualClock> c) : clock(std::move(c)) {}
    TimePoint now() const override { return clock->now(); }
    std::shared_ptr<ManualClock> clock;
  };
  std::map<std::string, std::shared_ptr<ManualClock>> clocks_;
};

class WorldTest : public ::testing::Test {
 protected:
  WorldTest() : engine_(clocks_.factory(), wall_, EngineConfig{}, /*seed=*/7) {
    engine_.accounts().put(Account{kA, "token-a", kA, "a", {}});
    engine_.accounts().put(Account{kB, "token-b", kB, "b", {}});
    engine_.accounts().put(Account{kSubA, "token-sub", kA, "sub of a", {}});
  }

  std::string create(const std::string& account, const std::string& to = "+14155550100") {
    CreateCall c;
    c.account_sid = account;
    c.to = c.to_formatted = to;
    c.from = c.from_formatted = "+15005550006";
    c.twiml = "<Response><Pause length=\"600\"/></Response>";
    Effects out;
    auto r = engine_.create_call(c, out);
    EXPECT_TRUE(r.ok());
    return r.ok() ? (*r)->sid : "";
  }

  // Moves one world's clock and fires what became due there (no webhooks: inline TwiML).
  size_t advance(const std::string& account, Millis by) {
    World& w = engine_.world(account);
    clocks_.of(w.sid).advance(by);
    Effects out;
    return engine_.fire_due(w, out);
  }

  CallStatus status(const std::string& account, const std::string& sid) {
    return engine_.find_call(account, sid)->status;
  }

  WorldClocks clocks_;
  ManualClock wall_;
  Engine engine_;
};

TEST_F(WorldTest, ASubaccountLivesInItsOwnersWorld) {
  EXPECT_EQ(&engine_.world(kSubA), &engine_.world(kA));
  EXPECT_NE(&engine_.world(kA), &engine_.world(kB));
  EXPECT_EQ(engine_.root_of(kSubA), kA);
  EXPECT_EQ(engine_.world(kB).sid, kB);
}

TEST_F(WorldTest, AdvancingOneWorldFiresOnlyItsTimers) {
  const std::string a = create(kA);
  const std::string b = create(kB);
  advance(kA, 0ms);
  advance(kB, 0ms);
  EXPECT_EQ(status(kA, a), CallStatus::kRinging);
  EXPECT_EQ(status(kB, b), CallStatus::kRinging);
  // The default callee answers after a second: only A's second passes.
  EXPECT_GT(advance(kA, 1s), 0u);
  EXPECT_EQ(status(kA, a), CallStatus::kInProgress);
  EXPECT_EQ(status(kB, b), CallStatus::kRinging);
  EXPECT_EQ(engine_.world(kB).clock->now(), ManualClock().now());  // B's time never moved
  EXPECT_GT(advance(kB, 1s), 0u);
  EXPECT_EQ(status(kB, b), CallStatus::kInProgress);
  // Each call is dated by its own world's clock.
  advance(kA, 10s);
  EXPECT_EQ(*engine_.find_call(kA, a)->start_time + 10s, engine_.world(kA).clock->now());
}

TEST_F(WorldTest, CalleesAndLimitsAreEachWorldsOwn) {
  Behavior busy;
  busy.outcome = Outcome::kBusy;
  engine_.behaviors(kA).add("+14155550100", busy);
  engine_.set_calls_per_second(kB, 1);
  const std::string a = create(kA);
  const std::string b1 = create(kB);
  const std::string b2 = create(kB);  // waits for the next second of B's limit
  advance(kA, 0ms);
  advance(kA, 2s);
  advance(kB, 0ms);
  EXPECT_EQ(status(kA, a), CallStatus::kBusy);
  EXPECT_EQ(status(kB, b1), CallStatus::kRinging);  // B's callee is the default one
  EXPECT_EQ(status(kB, b2), CallStatus::kQueued);
  EXPECT_EQ(engine_.calls_per_second(kA), 0);
  advance(kB, 1s);
  EXPECT_EQ(status(kB, b2), CallStatus::kRinging);
}

TEST_F(WorldTest, NumbersAreEachWorldsOwn) {
  PhoneNumber n;
  n.phone_number = "+14155550700";
  n.account_sid = kA;
  n.sid = "PN" + std::string(32, 'a');
  engine_.numbers(kA).put(n);
  n.account_sid = kB;
  n.sid = "PN" + std::string(32, 'b');
  engine_.numbers(kB).put(n);  // the same number in another world: another test worker's
  EXPECT_EQ(engine_.find_number("+14155550700", &kA)->sid, "PN" + std::string(32, 'a'));
  EXPECT_EQ(engine_.find_number("+14155550700", &kB)->sid, "PN" + std::string(32, 'b'));
  EXPECT_EQ(engine_.find_number("+14155550700", &kSubA), nullptr);  // A's, not its sub's
}

TEST_F(WorldTest, ResettingOneWorldLeavesTheOthers) {
  Behavior busy;
  busy.outcome = Outcome::kBusy;
  engine_.behaviors(kA).add("+14155550100", busy);
  const std::string a = create(kA);
  const std::string sub = create(kSubA);
  const std::string b = create(kB);
  advance(kA, 5s);
  const TimePoint a_time = engine_.world(kA).clock->now();
  engine_.reset_account(kA);  // a root: its subaccounts go along
  EXPECT_EQ(engine_.find_call(kA, a), nullptr);
  EXPECT_EQ(engine_.find_call(kSubA, sub), nullptr);
  EXPECT_NE(engine_.find_call(kB, b), nullptr);
  EXPECT_TRUE(engine_.behaviors(kA).rules().empty());      // back to what a new world has
  EXPECT_EQ(engine_.world(kA).clock->now(), a_time);       // time never runs backwards
  EXPECT_EQ(engine_.next_due(engine_.world(kA)), std::nullopt);
  ASSERT_TRUE(engine_.next_due(engine_.world(kB)).has_value());
  for (const auto& e : engine_.journal().events()) EXPECT_NE(e.account_sid.str(), kA);
}

TEST_F(WorldTest, ErasingAWorldFreesWhatItHeld) {
  for (int i = 0; i < 50; ++i) create(kA);
  create(kB);
  advance(kA, 2s);  // answered: TimeLimit timers armed
  const size_t worlds = engine_.world_count();
  engine_.erase_world(kA);
  EXPECT_EQ(engine_.world_count(), worlds - 1);
  EXPECT_EQ(engine_.call_count(), 1u);
  const EngineStats s = engine_.stats();
  EXPECT_EQ(s.live_timers, 1u);  // B's dial
  EXPECT_EQ(s.timers, 1u);
  for (const auto& e : engine_.journal().events()) EXPECT_EQ(e.account_sid.str(), kB);
}

TEST_F(WorldTest, AWorldsSidsFollowItsSeed) {
  EXPECT_EQ(engine_.create_world(kA, 1234).seed, 1234u);
  const std::string first = create(kA);
  engine_.erase_world(kA);  // frees that world: nothing may hold on to it
  engine_.create_world(kA, 1234);
  EXPECT_EQ(create(kA), first);
  // Without a seed of its own, a world's is derived from the engine's and its sid.
  EXPECT_EQ(engine_.world(kB).seed, world_seed(7, kB));
  EXPECT_NE(world_seed(7, kA), world_seed(7, kB));
}

TEST_F(WorldTest, ASidStillInUseIsNeverHandedOutAgain) {
  engine_.create_world(kA, 99);
  const std::string first = create(kA);
  // The same sequence again (as after a restart with data_dir and --seed): the sid that a
  // loaded call holds is skipped.
  engine_.world(kA).sids = SidGenerator(99);
  const std::string second = create(kA);
  EXPECT_NE(second, first);
  EXPECT_EQ(engine_.call_count(), 2u);
}

TEST(WorldSeed, ParsesDecimalOnly) {
  EXPECT_EQ(parse_seed("0"), 0u);
  EXPECT_EQ(parse_seed("18446744073709551615"), 18446744073709551615ull);
  EXPECT_FALSE(parse_seed(""));
  EXPECT_FALSE(parse_seed("-1"));
  EXPECT_FALSE(parse_seed("18446744073709551616"));
  EXPECT_FALSE(parse_seed("12a"));
  EXPECT_FALSE(parse_seed(" 1"));
}

}  // namespace
}  // namespace dialtone::core
