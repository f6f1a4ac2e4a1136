#include "server/engine_host.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "engine_host_fixture.hpp"
#include "fake_app.hpp"

namespace dialtone::server {
namespace {

using namespace std::chrono_literals;
using testing::FakeApp;

class EngineHostTest : public EngineHostFixture {
 protected:
  EngineHostTest() { config_.ring_seconds = 1; }

  // A call whose TwiML is at `voice_path` of the app and whose status callbacks (`events`) go
  // to `status_path`; returns its sid.
  std::string create_call(const FakeApp& app, const std::string& voice_path,
                          const std::string& status_path, uint8_t events) {
    std::string sid;
    host_->with_engine([&](core::Engine& engine, core::Effects& out) {
      core::CreateCall c;
      c.account_sid = config_.account_sid;
      c.to = "+14155550100";
      c.from = "+14155550199";
      c.url = {app.url(voice_path), core::HttpMethod::kPost};
      c.status_callback = {app.url(status_path), core::HttpMethod::kPost};
      c.status_callback_events = events;
      auto call = engine.create_call(c, out);
      ASSERT_TRUE(call.ok()) << call.error().message;
      sid = (*call)->sid;
    });
    return sid;
  }

  std::string create_call(const FakeApp& app) {
    return create_call(app, "/voice", "/status",
                       core::kEventInitiated | core::kEventRinging | core::kEventAnswered |
                           core::kEventCompleted);
  }

  // A call whose TwiML URL and status callback both point at `path` of the app.
  std::string create_call_to(const FakeApp& app, const std::string& path) {
    return create_call(app, path, path, core::kEventInitiated | core::kEventCompleted);
  }

  // Real clock: the call's first webhook goes out from a timer.
  bool wait_for_a_webhook() {
    for (int i = 0; i < 200 && host_->webhooks_in_flight() == 0; ++i) {
      std::this_thread::sleep_for(5ms);
    }
    return host_->webhooks_in_flight() != 0;
  }

  core::CallStatus status_of(const std::string& sid) {
    core::CallStatus s{};
    host_->with_engine([&](core::Engine& engine, core::Effects&) {
      s = engine.find_call(config_.account_sid, sid)->status;
    });
    return s;
  }
};

TEST_F(EngineHostTest, DefaultAccountsAreCreated) {
  config_.accounts.push_back({"AC11111111111111111111111111111111", "t1", "", "", {}});
  start();
  host_->with_engine([&](core::Engine& engine, core::Effects&) {
    ASSERT_NE(engine.accounts().find(config_.account_sid), nullptr);
    EXPECT_EQ(engine.accounts().find(config_.account_sid)->auth_token, "dialtone-auth-token");
    ASSERT_NE(engine.accounts().find("AC11111111111111111111111111111111"), nullptr);
  });
}

TEST_F(EngineHostTest, ManualClockMovesOnlyOnAdvanceAndSettlesWebhooks) {
  config_.clock = "manual";
  start();
  EXPECT_TRUE(host_->manual_clock(config_.account_sid));
  FakeApp app;
  auto t0 = host_->now(config_.account_sid);
  auto sid = create_call(app);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(host_->now(config_.account_sid), t0);  // time does not move by itself
  EXPECT_TRUE(core::is_live(status_of(sid)));

  std::promise<void> done;
  ASSERT_TRUE(host_->advance(config_.account_sid, 10s, [&] { done.set_value(); }));
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(host_->now(config_.account_sid), t0 + 10s);
  EXPECT_EQ(host_->webhooks_in_flight(), 0u);
  EXPECT_EQ(status_of(sid), core::CallStatus::kCompleted);  // "<Response/>" ends the call

  // The app saw the TwiML fetch and the status callbacks, signed, in order.
  auto seen = app.requests();
  ASSERT_FALSE(seen.empty());
  bool fetched = false;
  std::vector<std::string> statuses;
  for (const auto& s : seen) {
    EXPECT_FALSE(s.headers.at("x-twilio-signature").empty());
    if (s.target == "/voice") fetched = true;
    if (s.target == "/status") {
      auto pos = s.body.find("CallStatus=");
      statuses.push_back(s.body.substr(pos + 11, s.body.find('&', pos) - pos - 11));
    }
  }
  EXPECT_TRUE(fetched);
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.front(), "initiated");
  EXPECT_EQ(statuses.back(), "completed");
  EXPECT_EQ(app.max_concurrent_per_call(), 1);
}

// Two answers out at once, the first slower: the engine still takes them in the order the
// requests went out, so that the journal (and every sid drawn on the way) is the same on every
// run of a manual-clock test.
TEST_F(EngineHostTest, AManualWorldTakesAnswersInTheOrderTheRequestsWentOut) {
  config_.clock = "manual";
  start();
  FakeApp app;
  const std::string first = create_call(app, "/voice", "/slow?ms=300", core::kEventInitiated);
  const std::string second = create_call(app, "/voice", "/status", core::kEventInitiated);
  std::promise<void> done;
  host_->when_settled(5s, [&] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(host_->webhooks_in_flight(), 0u);
  std::vector<std::string> answered;
  host_->with_engine([&](core::Engine& engine, core::Effects&) {
    for (const auto& e : engine.journal().events()) {
      if (e.type == "webhook.response") answered.push_back(e.call_sid.str());
    }
  });
  EXPECT_EQ(answered, (std::vector<std::string>{first, second}));
}

// The second answer comes back first and waits for the first; the account is deleted before
// the first comes: the waiting answer stops counting as out then, and the late one when it
// arrives, so nothing waits for webhooks of a world that is gone.
TEST_F(EngineHostTest, ADeletedWorldsWaitingAnswersStopCounting) {
  config_.clock = "manual";
  start();
  FakeApp app;
  const std::string kOther = "AC0123456789abcdef0123456789abcdef";
  host_->with_engine([&](core::Engine& engine, core::Effects&) {
    engine.accounts().put({kOther, "token", kOther, "worker", {}});
    engine.create_world(kOther, 7);
  });
  auto create = [&](const std::string& status_path) {
    host_->with_engine([&](core::Engine& engine, core::Effects& out) {
      core::CreateCall c;
      c.account_sid = kOther;
      c.to = "+14155550100";
      c.from = "+14155550199";
      c.url = {app.url("/voice"), core::HttpMethod::kPost};
      c.status_callback = {app.url(status_path), core::HttpMethod::kPost};
      c.status_callback_events = core::kEventInitiated;
      ASSERT_TRUE(engine.create_call(c, out).ok());
    });
  };
  create("/slow?ms=600");
  create("/status");
  // Both "initiated" callbacks out; the fast one is answered well before the slow one.
  for (int i = 0; i < 200 && app.requests().size() < 2; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(app.requests().size(), 2u);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(host_->webhooks_in_flight(), 2u);  // the fast answer waits for the slow one
  host_->delete_account(kOther);
  EXPECT_EQ(host_->webhooks_in_flight(), 1u);  // only the slow one is still out
  std::promise<void> done;
  host_->when_settled(5s, [&] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(host_->webhooks_in_flight(), 0u);
}

TEST_F(EngineHostTest, RealClockFiresTimersByItself) {
  config_.clock = "real";
  config_.clock_speed = 10.0;  // ring_seconds=1 becomes 100 ms of wall time
  start();
  EXPECT_FALSE(host_->manual_clock(config_.account_sid));
  EXPECT_FALSE(host_->advance(config_.account_sid, 1s, [] {}));
  FakeApp app;
  auto sid = create_call(app);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (status_of(sid) != core::CallStatus::kCompleted &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status_of(sid), core::CallStatus::kCompleted);
}

TEST_F(EngineHostTest, WhenSettledHonoursTheCap) {
  config_.clock = "manual";
  start();
  FakeApp app;
  // A webhook that takes 2 s: the cap (100 ms) ends the wait first.
  create_call(app, "/voice", "/slow?ms=2000", core::kEventInitiated);
  std::promise<void> done;
  auto started = std::chrono::steady_clock::now();
  // advance(0) fires what is due now (the dial and its "initiated" callback) and waits for
  // the callback only as long as the cap allows.
  ASSERT_TRUE(host_->advance_counted(config_.account_sid, 0ms, 100ms,
                                     [&](size_t) { done.set_value(); }));
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(host_->webhooks_in_flight(), 1u);  // still waiting on the slow app
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
}

std::vector<core::JournalEvent> events_of_type(EngineHost& host, const std::string& type) {
  std::vector<core::JournalEvent> out;
  host.with_engine([&](core::Engine& engine, core::Effects&) {
    for (const auto& e : engine.journal().events()) {
      if (e.type == type) out.push_back(e);
    }
  });
  return out;
}

TEST_F(EngineHostTest, DrainDeliversWebhooksInFlightWithinTheBudget) {
  start();
  FakeApp app;
  auto sid = create_call_to(app, "/slow?ms=300");
  ASSERT_TRUE(wait_for_a_webhook());  // the "initiated" status callback
  std::promise<size_t> undelivered;
  auto started = std::chrono::steady_clock::now();
  host_->drain(5s, [&](size_t n) { undelivered.set_value(n); });
  auto f = undelivered.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(f.get(), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(app.requests().size(), 1u);
  EXPECT_TRUE(events_of_type(*host_, "webhook.undelivered").empty());
  EXPECT_EQ(events_of_type(*host_, "webhook.response").size(), 1u);
}

TEST_F(EngineHostTest, DrainJournalsWhatTheBudgetCouldNotDeliver) {
  start();
  FakeApp app;
  auto sid = create_call_to(app, "/stall");
  ASSERT_TRUE(wait_for_a_webhook());
  std::promise<size_t> undelivered;
  auto started = std::chrono::steady_clock::now();
  host_->drain(300ms, [&](size_t n) { undelivered.set_value(n); });
  auto f = undelivered.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  const size_t n = f.get();
  EXPECT_EQ(n, 1u);  // the "initiated" callback; the call's ring timer was stopped
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 2s);
  auto events = events_of_type(*host_, "webhook.undelivered");
  ASSERT_EQ(events.size(), n);
  EXPECT_EQ(events[0].call_sid, sid);
  EXPECT_EQ(*events[0].field("url"), app.url("/stall"));
  EXPECT_EQ(*events[0].field("method"), "POST");
  EXPECT_EQ(*events[0].field("purpose"), "status_callback");
  EXPECT_EQ(*events[0].field("reason"), "shutdown");
  // A result that arrives later is dropped, not fed to the engine.
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(events_of_type(*host_, "webhook.response").empty());
}

}  // namespace
}  // namespace dialtone::server
