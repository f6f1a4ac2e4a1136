#include "server/webhook_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "fake_app.hpp"
#include "webhook_client_fixture.hpp"
#include "server/signature.hpp"

namespace dialtone::server {
namespace {

using namespace std::chrono_literals;
using testing::FakeApp;

TEST_F(WebhookClientTest, PostCarriesTwilioHeadersSignatureAndForm) {
  FakeApp app;
  auto r = request(app.url("/voice?x=1#rc=0"));
  auto result = send_and_wait(r);
  EXPECT_EQ(result.error_code, 0) << result.error_message;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.content_type, "text/xml");
  EXPECT_EQ(result.body, "<Response/>");
  EXPECT_EQ(result.id, r.id);

  auto seen = app.requests();
  ASSERT_EQ(seen.size(), 1u);
  const auto& s = seen[0];
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.target, "/voice?x=1");  // fragment stripped
  EXPECT_EQ(s.body, "CallSid=CA1&AccountSid=AC1&From=%2B14155550100&To=%2B1+415+555+0199");
  EXPECT_EQ(s.headers.at("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(s.headers.at("user-agent"), "TwilioProxy/1.1");
  EXPECT_EQ(s.headers.at("accept"), "*/*");
  EXPECT_EQ(s.headers.at("cache-control"), "max-age=259200");
  EXPECT_EQ(s.headers.at("host"), "127.0.0.1:" + std::to_string(app.port()));
  EXPECT_FALSE(s.headers.at("i-twilio-idempotency-token").empty());
  core::Fields params(r.params.begin(), r.params.end());
  auto expected = twilio_signature("secret-token", app.url("/voice?x=1"), params);
  EXPECT_EQ(s.headers.at("x-twilio-signature"), expected);
  EXPECT_EQ(result.signature, expected);
}

TEST_F(WebhookClientTest, GetAppendsParamsAndSignsTheFullUrl) {
  FakeApp app;
  auto result = send_and_wait(request(app.url("/voice?x=1"), "CA2", core::HttpMethod::kGet));
  EXPECT_EQ(result.http_status, 200);
  auto seen = app.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  std::string query = "CallSid=CA2&AccountSid=AC1&From=%2B14155550100&To=%2B1+415+555+0199";
  EXPECT_EQ(seen[0].target, "/voice?x=1&" + query);
  EXPECT_EQ(seen[0].body, "");
  EXPECT_EQ(seen[0].headers.count("content-type"), 0u);
  EXPECT_EQ(seen[0].headers.at("x-twilio-signature"),
            twilio_signature("secret-token", app.url("/voice?x=1&" + query), {}));
}

TEST_F(WebhookClientTest, ReusesKeepAliveConnections) {
  FakeApp app;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(send_and_wait(request(app.url("/a"))).http_status, 200);
  EXPECT_EQ(app.connections(), 1);
  EXPECT_EQ(client().stats().connections_opened, 1u);
  EXPECT_EQ(client().stats().connections_reused, 2u);
  // A server that closes: the next request opens a new connection transparently.
  EXPECT_EQ(send_and_wait(request(app.url("/close"))).http_status, 200);
  EXPECT_EQ(send_and_wait(request(app.url("/a"))).http_status, 200);
  EXPECT_EQ(app.connections(), 2);
}

TEST_F(WebhookClientTest, SlowAppTimesOutWith11205) {
  FakeApp app;
  auto started = std::chrono::steady_clock::now();
  auto result = send_and_wait(request(app.url("/slow?ms=1500#rt=200&tt=400")));
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.error_code, 11205);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_LT(took, 1200ms);
  EXPECT_GE(took, 190ms);
  EXPECT_EQ(app.requests().size(), 1u);  // default policy rp=ct: no retry on read timeout
}

TEST_F(WebhookClientTest, ConnectionRefusedIs11205AfterOneRetry) {
  uint16_t port;
  {
    boost::asio::io_context tmp;
    boost::asio::ip::tcp::acceptor a(
        tmp, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto result = send_and_wait(request("http://127.0.0.1:" + std::to_string(port) + "/x"));
  EXPECT_EQ(result.error_code, 11205);
  EXPECT_NE(result.error_message.find("refused"), std::string::npos) << result.error_message;
}

TEST_F(WebhookClientTest, LargeResponseIs11750) {
  FakeApp app;
  auto result = send_and_wait(request(app.url("/big")));
  EXPECT_EQ(result.error_code, 11750);
  EXPECT_EQ(result.body, "");
  // The connection was abandoned, not pooled.
  EXPECT_EQ(send_and_wait(request(app.url("/a"))).http_status, 200);
  EXPECT_EQ(app.connections(), 2);
}

TEST_F(WebhookClientTest, InvalidUrlIs11100AndUnknownHostIs11210) {
  EXPECT_EQ(send_and_wait(request("not a url")).error_code, 11100);
  EXPECT_EQ(send_and_wait(request("ftp://example.com/")).error_code, 11100);
  EXPECT_EQ(send_and_wait(request("http://dialtone-no-such-host.invalid/")).error_code, 11210);
}

TEST_F(WebhookClientTest, RetryPolicyOn5xxRepeatsTheIdempotencyToken) {
  FakeApp app;
  auto result = send_and_wait(request(app.url("/code?code=503#rc=2&rp=5xx")));
  EXPECT_EQ(result.http_status, 503);
  auto seen = app.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].headers.at("i-twilio-idempotency-token"),
            seen[2].headers.at("i-twilio-idempotency-token"));
  // Without the policy a 5xx is an answer, not a failure.
  send_and_wait(request(app.url("/code?code=500")));
  EXPECT_EQ(app.requests().size(), 4u);
}

TEST_F(WebhookClientTest, OneCallInOrderOneAtATimeOtherCallsUnblocked) {
  FakeApp app;
  std::mutex mu;
  std::vector<std::string> done_order;
  std::promise<void> all_done;
  int remaining = 6;
  auto record = [&](std::string what) {
    return [&, what](core::WebhookResult) {
      std::lock_guard lock(mu);
      done_order.push_back(what);
      if (--remaining == 0) all_done.set_value();
    };
  };
  client().send(request(app.url("/slow?ms=300&n=1"), "CAslow"), record("slow1"));
  for (int i = 2; i <= 5; ++i) {
    client().send(request(app.url("/a?n=" + std::to_string(i)), "CAslow"),
                  record("slow" + std::to_string(i)));
  }
  client().send(request(app.url("/a?n=fast"), "CAfast"), record("fast"));
  ASSERT_EQ(all_done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(done_order.front(), "fast");  // not stuck behind the slow call
  std::vector<std::string> slow(done_order.begin() + 1, done_order.end());
  EXPECT_EQ(slow, (std::vector<std::string>{"slow1", "slow2", "slow3", "slow4", "slow5"}));
  std::vector<std::string> arrived;
  for (const auto& s : app.requests()) {
    if (s.body.find("CallSid=CAslow") == 0) arrived.push_back(s.target);
  }
  EXPECT_EQ(arrived, (std::vector<std::string>{"/slow?ms=300&n=1", "/a?n=2", "/a?n=3", "/a?n=4",
                                               "/a?n=5"}));
  EXPECT_EQ(app.max_concurrent_per_call(), 1);
  for (int i = 0; i < 100 && client().in_flight() != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(client().in_flight(), 0u);
}

}  // namespace
}  // namespace dialtone::server
