// The webhook client's per-host connection cap (webhook.max_connections_per_host): at most N
// connections to a host, the other requests wait in order and get the connections handed
// over; the wait is not charged to Twilio's timeouts, yet never lasts past the holders' own.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fake_app.hpp"
#include "webhook_client_fixture.hpp"

namespace dialtone::server {
namespace {

using namespace std::chrono_literals;
using testing::FakeApp;

// Sends every request at once and waits for all results (in completion order).
class WebhookPoolTest : public WebhookClientTest {
 protected:
  struct Done {
    std::string name;
    core::WebhookResult result;
  };

  std::vector<Done> send_all(std::vector<std::pair<std::string, core::WebhookRequest>> batch,
                             std::chrono::seconds limit = 20s) {
    std::mutex mu;
    std::vector<Done> done;
    std::promise<void> all;
    const size_t n = batch.size();
    for (auto& [name, r] : batch) {
      client().send(std::move(r), [&, name = name](core::WebhookResult result) {
        std::lock_guard lock(mu);
        done.push_back({name, std::move(result)});
        if (done.size() == n) all.set_value();
      });
    }
    EXPECT_EQ(all.get_future().wait_for(limit), std::future_status::ready);
    std::lock_guard lock(mu);
    return done;
  }

  static std::vector<std::string> targets(const FakeApp& app) {
    std::vector<std::string> out;
    for (const auto& s : app.requests()) out.push_back(s.target);
    return out;
  }
};

TEST_F(WebhookPoolTest, AtMostTheCapIsOpenAndTheRestWaitAndReuseThem) {
  config_.max_connections_per_host = 3;
  FakeApp app;
  std::vector<std::pair<std::string, core::WebhookRequest>> batch;
  for (int i = 0; i < 12; ++i) {
    auto n = std::to_string(i);
    batch.emplace_back(n, request(app.url("/slow?ms=100&n=" + n), "CA" + n));
  }
  const auto started = std::chrono::steady_clock::now();
  auto done = send_all(std::move(batch));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(done.size(), 12u);
  for (const auto& d : done) {
    EXPECT_EQ(d.result.error_code, 0) << d.name << ": " << d.result.error_message;
    EXPECT_EQ(d.result.http_status, 200) << d.name;
    // The request's own time, not its wait for a connection.
    EXPECT_LT(d.result.latency, 1000ms) << d.name;
  }
  EXPECT_LE(app.max_concurrent_requests(), 3);
  EXPECT_LE(app.max_open_connections(), 3);
  EXPECT_EQ(app.connections(), 3);  // handed over kept-alive, never reopened
  EXPECT_EQ(client().stats().connections_opened, 3u);
  EXPECT_EQ(client().stats().connections_reused, 9u);
  EXPECT_GE(took, 390ms);  // four rounds of 100 ms
}

TEST_F(WebhookPoolTest, WaitersGoInTheOrderTheyCame) {
  config_.max_connections_per_host = 1;
  FakeApp app;
  std::vector<std::pair<std::string, core::WebhookRequest>> batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 8; ++i) {
    auto n = std::to_string(i);
    expected.push_back("/slow?ms=20&n=" + n);
    batch.emplace_back(n, request(app.url(expected.back()), "CA" + n));
  }
  auto done = send_all(std::move(batch));
  ASSERT_EQ(done.size(), 8u);
  for (size_t i = 0; i < done.size(); ++i) EXPECT_EQ(done[i].name, std::to_string(i));
  EXPECT_EQ(targets(app), expected);
  EXPECT_EQ(app.connections(), 1);
}

TEST_F(WebhookPoolTest, PerCallOrderHoldsUnderTheCap) {
  config_.max_connections_per_host = 2;
  FakeApp app;
  std::vector<std::pair<std::string, core::WebhookRequest>> batch;
  for (int step = 1; step <= 4; ++step) {
    for (const char* call : {"CAa", "CAb", "CAc"}) {
      auto name = std::string(call) + "/" + std::to_string(step);
      batch.emplace_back(name, request(app.url("/slow?ms=10&step=" + std::to_string(step)),
                                       call));
    }
  }
  auto done = send_all(std::move(batch));
  ASSERT_EQ(done.size(), 12u);
  std::map<std::string, std::vector<std::string>> per_call;
  for (const auto& d : done) {
    EXPECT_EQ(d.result.http_status, 200) << d.name;
    per_call[d.name.substr(0, 3)].push_back(d.name.substr(4));
  }
  for (const auto& [call, steps] : per_call) {
    EXPECT_EQ(steps, (std::vector<std::string>{"1", "2", "3", "4"})) << call;
  }
  std::map<std::string, std::vector<std::string>> arrived;
  for (const auto& s : app.requests()) {
    auto call = s.body.substr(s.body.find("CallSid=") + 8, 3);
    arrived[call].push_back(s.target.substr(s.target.find("step=") + 5));
  }
  for (const auto& [call, steps] : arrived) {
    EXPECT_EQ(steps, (std::vector<std::string>{"1", "2", "3", "4"})) << call;
  }
  EXPECT_EQ(app.max_concurrent_per_call(), 1);
  EXPECT_LE(app.max_open_connections(), 2);
}

TEST_F(WebhookPoolTest, WaitersBehindAStalledAppFinishOnceItsTimeoutsFire) {
  config_.max_connections_per_host = 2;
  FakeApp app;
  std::vector<std::pair<std::string, core::WebhookRequest>> batch;
  for (int i = 0; i < 4; ++i) {
    auto n = std::to_string(i);
    batch.emplace_back(n, request(app.url("/stall?n=" + n + "#rt=300"), "CA" + n));
  }
  const auto started = std::chrono::steady_clock::now();
  auto done = send_all(std::move(batch));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(done.size(), 4u);
  for (const auto& d : done) {
    // The same failure as without a wait: the full read timeout, not what the wait left.
    EXPECT_EQ(d.result.error_code, 11205) << d.name;
    EXPECT_NE(d.result.error_message.find("no response from"), std::string::npos)
        << d.result.error_message;
    EXPECT_NE(d.result.error_message.find("within 300 ms"), std::string::npos)
        << d.result.error_message;
    EXPECT_GE(d.result.latency, 290ms) << d.name;
    EXPECT_LT(d.result.latency, 1000ms) << d.name;
  }
  EXPECT_EQ(app.requests().size(), 4u);
  EXPECT_GE(took, 590ms);  // two waves of 300 ms
  EXPECT_LT(took, 3000ms);
}

TEST_F(WebhookPoolTest, TheWaitDoesNotCountAgainstTheTotalTimeout) {
  config_.max_connections_per_host = 1;
  FakeApp app;
  auto done = send_all({{"slow", request(app.url("/slow?ms=500"), "CA1")},
                        {"quick", request(app.url("/a#tt=300"), "CA2")}});
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].name, "slow");
  EXPECT_EQ(done[1].name, "quick");
  // 500 ms waiting, then a request well within its 300 ms.
  EXPECT_EQ(done[1].result.error_code, 0) << done[1].result.error_message;
  EXPECT_EQ(done[1].result.http_status, 200);
  EXPECT_LT(done[1].result.latency, 300ms);
}

TEST_F(WebhookPoolTest, RedirectsTakeSlotsOfTheirOwnHostAndNeverDeadlock) {
  // Each request holds its host's only slot and is redirected to the other host: it must give
  // its slot back before waiting for the other one, or both would wait forever.
  config_.max_connections_per_host = 1;
  FakeApp a, b;
  auto to = [](const FakeApp& app, const std::string& path) {
    std::string out;
    for (char c : app.url(path)) {
      if (c == ':' || c == '/' || c == '?' || c == '=' || c == '&') {
        static constexpr char kHex[] = "0123456789ABCDEF";
        out += '%';
        out += kHex[(c >> 4) & 0xf];
        out += kHex[c & 0xf];
      } else {
        out += c;
      }
    }
    return out;
  };
  auto done = send_all({
      {"ab", request(a.url("/redirect?code=307&to=" + to(b, "/slow?ms=100")), "CA1")},
      {"ba", request(b.url("/redirect?code=307&to=" + to(a, "/slow?ms=100")), "CA2")},
      {"a", request(a.url("/slow?ms=100"), "CA3")},
      {"b", request(b.url("/slow?ms=100"), "CA4")},
  });
  ASSERT_EQ(done.size(), 4u);
  for (const auto& d : done) {
    EXPECT_EQ(d.result.error_code, 0) << d.name << ": " << d.result.error_message;
    EXPECT_EQ(d.result.http_status, 200) << d.name;
  }
  EXPECT_EQ(a.max_concurrent_requests(), 1);
  EXPECT_EQ(b.max_concurrent_requests(), 1);
  EXPECT_LE(a.max_open_connections(), 1);
  EXPECT_LE(b.max_open_connections(), 1);
}

TEST_F(WebhookPoolTest, ABurstOfManyCallsUsesFewConnections) {
  // The benchmark's shape: many calls at once, each a short sequence of callbacks.
  config_.max_connections_per_host = 8;
  FakeApp app;
  std::vector<std::pair<std::string, core::WebhookRequest>> batch;
  for (int call = 0; call < 200; ++call) {
    for (int step = 0; step < 3; ++step) {
      auto sid = "CA" + std::to_string(call);
      batch.emplace_back(sid, request(app.url("/cb"), sid));
    }
  }
  auto done = send_all(std::move(batch), 60s);
  ASSERT_EQ(done.size(), 600u);
  for (const auto& d : done) EXPECT_EQ(d.result.http_status, 200) << d.name;
  EXPECT_LE(app.connections(), 8);
  EXPECT_EQ(app.max_concurrent_per_call(), 1);
  for (int i = 0; i < 100 && client().in_flight() != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(client().in_flight(), 0u);
}

}  // namespace
}  // namespace dialtone::server
