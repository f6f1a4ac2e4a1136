// The webhook client against broken apps: every failure ends with the right code, in bounded
// time, and leaves the client usable. Also redirects, slow DNS and fragment override notes.
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <chrono>

#include "fake_app.hpp"
#include "server/signature.hpp"
#include "webhook_client_fixture.hpp"

namespace dialtone::server {
namespace {

using namespace std::chrono_literals;
using testing::FakeApp;

using WebhookFaultsTest = WebhookClientTest;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_F(WebhookFaultsTest, RefusedConnectionIs11205AfterOneRetryQuickly) {
  uint16_t port;
  {
    boost::asio::io_context tmp;
    boost::asio::ip::tcp::acceptor a(tmp, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  std::chrono::milliseconds took{};
  auto result = timed("http://127.0.0.1:" + std::to_string(port) + "/x", took);
  EXPECT_EQ(result.error_code, 11205);
  EXPECT_TRUE(contains(result.error_message, "refused")) << result.error_message;
  EXPECT_LT(took, 2s);
}

TEST_F(WebhookFaultsTest, ResetMidResponseIs11205) {
  FakeApp app;
  std::chrono::milliseconds took{};
  auto result = timed(app.url("/reset"), took);
  EXPECT_EQ(result.error_code, 11205) << result.error_message;
  EXPECT_EQ(result.body, "");
  EXPECT_TRUE(contains(result.error_message, "reading from")) << result.error_message;
  EXPECT_LT(took, 2s);
  EXPECT_EQ(app.requests().size(), 1u);  // rp=ct: a read failure is not retried
  // The client is still fine.
  EXPECT_EQ(send_and_wait(request(app.url("/a"))).http_status, 200);
}

TEST_F(WebhookFaultsTest, HangupWithoutAnswerIs11205) {
  FakeApp app;
  auto result = send_and_wait(request(app.url("/hangup")));
  EXPECT_EQ(result.error_code, 11205) << result.error_message;
}

TEST_F(WebhookFaultsTest, StallIsCutByTheReadTimeoutAndRetriesStayWithinTheTotal) {
  FakeApp app;
  std::chrono::milliseconds took{};
  auto result = timed(app.url("/stall#rt=300"), took);
  EXPECT_EQ(result.error_code, 11205);
  EXPECT_TRUE(contains(result.error_message, "no response from")) << result.error_message;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 1500ms);
  // Retrying read timeouts: as many attempts as fit in tt, then the total timeout.
  result = timed(app.url("/stall#rt=300&tt=800&rc=5&rp=rt"), took);
  EXPECT_EQ(result.error_code, 11205);
  EXPECT_GE(took, 790ms);
  EXPECT_LT(took, 2000ms);
  EXPECT_EQ(app.requests().size(), 4u);  // 1 + 3 attempts: 300 + 300 + 200 (cut by tt)
}

TEST_F(WebhookFaultsTest, SlowDripIsCutByTheTotalTimeout) {
  FakeApp app;
  std::chrono::milliseconds took{};
  // One byte a second: never a gap longer than rt, so only tt can stop it.
  auto result = timed(app.url("/drip?ms=1000#tt=1500"), took);
  EXPECT_EQ(result.error_code, 11205);
  EXPECT_TRUE(contains(result.error_message, "total timeout of 1500 ms expired"))
      << result.error_message;
  EXPECT_GE(took, 1490ms);
  EXPECT_LT(took, 3s);
}

TEST_F(WebhookFaultsTest, HugeAndEndlessBodiesAre11750) {
  FakeApp app;
  std::chrono::milliseconds took{};
  auto result = timed(app.url("/big"), took);
  EXPECT_EQ(result.error_code, 11750);
  result = timed(app.url("/endless"), took);
  EXPECT_EQ(result.error_code, 11750) << result.error_message;
  EXPECT_EQ(result.body, "");
  EXPECT_LT(took, 3s);
  EXPECT_EQ(send_and_wait(request(app.url("/a"))).http_status, 200);
}

TEST_F(WebhookFaultsTest, AnswersThatAreNotTwimlComeBackAsTheyAre) {
  // The engine decides what they mean (11200, 12100, 12300); the client reports them.
  FakeApp app;
  auto result = send_and_wait(request(app.url("/code?code=500")));
  EXPECT_EQ(result.error_code, 0);
  EXPECT_EQ(result.http_status, 500);
  result = send_and_wait(request(app.url("/empty")));
  EXPECT_EQ(result.error_code, 0);
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body, "");
  result = send_and_wait(request(app.url("/text")));
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.content_type, "text/plain");
  EXPECT_EQ(result.body, "hello, this is not TwiML");
  EXPECT_EQ(result.error_message, "");
}

TEST_F(WebhookFaultsTest, SlowDnsIsBoundedByTheConnectTimeoutAndIs11210) {
  FakeApp app;
  client().set_resolve_delay_for_testing(5s);
  std::chrono::milliseconds took{};
  auto result = timed(app.url("localhost", "/voice#ct=300"), took);
  EXPECT_EQ(result.error_code, 11210) << result.error_message;
  EXPECT_TRUE(contains(result.error_message, "timed out")) << result.error_message;
  EXPECT_GE(took, 550ms);  // resolution counts as connecting: retried once (rp=ct)
  EXPECT_LT(took, 1500ms);
  EXPECT_TRUE(app.requests().empty());
  // Slow but within the connect timeout: fine.
  client().set_resolve_delay_for_testing(100ms);
  result = send_and_wait(request(app.url("localhost", "/voice#ct=2000")));
  EXPECT_EQ(result.http_status, 200) << result.error_message;
}

TEST_F(WebhookFaultsTest, UnknownHostIs11210) {
  auto result = send_and_wait(request("http://dialtone-no-such-host.invalid/#ct=2000"));
  EXPECT_EQ(result.error_code, 11210);
  EXPECT_TRUE(contains(result.error_message, "dialtone-no-such-host.invalid"));
}

TEST_F(WebhookFaultsTest, RedirectsAreFollowedAndEachHopIsResigned) {
  FakeApp app;
  auto r = request(app.url("/redirect?code=307&to=%2Fnext%3Fa%3D1#rc=0"));
  core::Fields params(r.params.begin(), r.params.end());
  auto result = send_and_wait(r);
  EXPECT_EQ(result.error_code, 0) << result.error_message;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body, "<Response/>");
  EXPECT_EQ(result.error_message, "redirected (HTTP 307) to " + app.url("/next?a=1"));
  auto seen = app.requests();
  ASSERT_EQ(seen.size(), 2u);
  // 307: same method and body, signed for the new URL, same idempotency token.
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].target, "/next?a=1");
  EXPECT_EQ(seen[1].body, seen[0].body);
  auto expected = twilio_signature("secret-token", app.url("/next?a=1"), params);
  EXPECT_EQ(seen[1].headers.at("x-twilio-signature"), expected);
  EXPECT_EQ(result.signature, expected);
  EXPECT_NE(seen[0].headers.at("x-twilio-signature"), expected);
  EXPECT_EQ(seen[0].headers.at("i-twilio-idempotency-token"),
            seen[1].headers.at("i-twilio-idempotency-token"));
  EXPECT_EQ(seen[1].connection, seen[0].connection);  // same host: the connection is reused
}

TEST_F(WebhookFaultsTest, SeeOtherBecomesAGetWithoutParameters) {
  FakeApp app;
  for (const char* code : {"301", "302", "303"}) {
    auto result =
        send_and_wait(request(app.url(std::string("/redirect?code=") + code + "&to=%2Fthere")));
    EXPECT_EQ(result.http_status, 200) << code;
    auto seen = app.requests();
    EXPECT_EQ(seen.back().method, "GET") << code;
    EXPECT_EQ(seen.back().target, "/there");
    EXPECT_EQ(seen.back().body, "");
    EXPECT_EQ(seen.back().headers.count("content-type"), 0u);
    EXPECT_EQ(seen.back().headers.at("x-twilio-signature"),
              twilio_signature("secret-token", app.url("/there"), {}));
  }
  // 308 keeps the POST.
  send_and_wait(request(app.url("/redirect?code=308&to=%2Fthere")));
  EXPECT_EQ(app.requests().back().method, "POST");
}

TEST_F(WebhookFaultsTest, RedirectToAnotherHostReportsTheFinalUrl) {
  FakeApp app;
  FakeApp other;
  const std::string final_url = other.url("localhost", "/final");
  std::string encoded;
  for (char c : final_url) {
    if (c == ':' || c == '/') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      encoded += buf;
    } else {
      encoded += c;
    }
  }
  auto result = send_and_wait(request(app.url("/redirect?code=302&to=" + encoded)));
  EXPECT_EQ(result.http_status, 200) << result.error_message;
  EXPECT_EQ(result.error_message, "redirected (HTTP 302) to " + final_url);
  ASSERT_EQ(other.requests().size(), 1u);
  EXPECT_EQ(other.requests()[0].headers.at("host"), "localhost:" + std::to_string(other.port()));
}

TEST_F(WebhookFaultsTest, FiveRedirectsAreFollowedASixthIs11200) {
  FakeApp app;
  auto result = send_and_wait(request(app.url("/hops?n=5")));
  EXPECT_EQ(result.http_status, 200) << result.error_message;
  EXPECT_TRUE(contains(result.error_message, "to " + app.url("/hops?n=0")))
      << result.error_message;
  result = send_and_wait(request(app.url("/hops?n=6")));
  EXPECT_EQ(result.error_code, 11200);
  EXPECT_TRUE(contains(result.error_message, "too many redirects")) << result.error_message;
  std::chrono::milliseconds took{};
  result = timed(app.url("/loop"), took);
  EXPECT_EQ(result.error_code, 11200);
  EXPECT_TRUE(contains(result.error_message, "too many redirects")) << result.error_message;
  EXPECT_LT(took, 2s);
  EXPECT_EQ(app.requests().size(), 6u + 6u + 6u);
}

TEST_F(WebhookFaultsTest, RedirectToAnUnusableUrlIs11200) {
  FakeApp app;
  auto result = send_and_wait(request(app.url("/redirect?code=302&to=ftp%3A%2F%2Fx%2F")));
  EXPECT_EQ(result.error_code, 11200);
  EXPECT_TRUE(contains(result.error_message, "unusable URL")) << result.error_message;
  // A 3xx without Location is an answer like any other.
  result = send_and_wait(request(app.url("/code?code=302")));
  EXPECT_EQ(result.error_code, 0);
  EXPECT_EQ(result.http_status, 302);
}

TEST_F(WebhookFaultsTest, BadOverridesAreClampedAndNoted) {
  FakeApp app;
  auto result = send_and_wait(request(app.url("/voice#rt=99999&zz=1")));
  EXPECT_EQ(result.error_code, 0);
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.error_message,
            "connection override rt=99999 is out of range 100..15000: using 15000; "
            "connection override 'zz' is unknown: ignored");
  EXPECT_EQ(app.requests().back().target, "/voice");
}

TEST_F(WebhookFaultsTest, NoConnectionIsLeftBehind) {
  FakeApp app;
  for (const char* path : {"/reset", "/hangup", "/big", "/endless", "/a", "/close"}) {
    send_and_wait(request(app.url(path)));
  }
  send_and_wait(request(app.url("/stall#rt=200")));
  client_.reset();  // closes the pooled ones
  for (int i = 0; i < 200 && app.open_connections() > 1; ++i) std::this_thread::sleep_for(10ms);
  // Only the /stall worker may still be parked (the app notices on its own destruction).
  EXPECT_LE(app.open_connections(), 1);
}

}  // namespace
}  // namespace dialtone::server
