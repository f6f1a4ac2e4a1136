#include "server/http_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

namespace dialtone::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class HttpServerTest : public ::testing::Test {
 protected:
  void start(Handler handler) {
    config_.port = 0;
    server_ = std::make_unique<HttpServer>(io_, config_, std::move(handler));
    ASSERT_EQ(server_->start(), "");
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~HttpServerTest() override {
    if (server_) server_->shutdown();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  tcp::socket connect() {
    tcp::socket s(client_io_);
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    return s;
  }

  // Sends raw bytes and reads until the server closes or `responses` complete responses came.
  std::string exchange(tcp::socket& s, const std::string& raw, int responses = 1) {
    asio::write(s, asio::buffer(raw));
    std::string got;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      size_t n = s.read_some(asio::buffer(buf), ec);
      got.append(buf, n);
      if (ec) break;
      if (complete_responses(got) >= responses) break;
    }
    return got;
  }

  static int complete_responses(const std::string& text) {
    int count = 0;
    size_t pos = 0;
    for (;;) {
      auto end = text.find("\r\n\r\n", pos);
      if (end == std::string::npos) return count;
      std::smatch m;
      std::string head = text.substr(pos, end - pos);
      size_t length = 0;
      if (std::regex_search(head, m, std::regex("Content-Length: (\\d+)", std::regex::icase))) {
        length = std::stoul(m[1]);
      }
      if (text.size() < end + 4 + length) return count;
      ++count;
      pos = end + 4 + length;
    }
  }

  static bool closed_by_server(tcp::socket& s) {
    char c;
    boost::system::error_code ec;
    s.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  asio::io_context io_{2};
  asio::io_context client_io_;
  std::vector<std::thread> threads_;
  config::Config config_;
  std::unique_ptr<HttpServer> server_;
};

Handler echo_handler() {
  return [](api::Request req, Respond respond) {
    api::Response r;
    r.status = 200;
    r.content_type = "text/plain";
    r.body = req.method + " " + req.target + " [" + req.body + "] " + req.authorization;
    respond(std::move(r));
  };
}

TEST_F(HttpServerTest, KeepAliveAndRequestId) {
  start(echo_handler());
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(server_->port()));
  auto s = connect();
  auto first = exchange(s, "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nAuthorization: Basic eA==\r\n\r\n");
  EXPECT_NE(first.find("HTTP/1.1 200 OK"), std::string::npos) << first;
  EXPECT_NE(first.find("GET /a?x=1 [] Basic eA=="), std::string::npos) << first;
  EXPECT_TRUE(std::regex_search(first, std::regex("Twilio-Request-Id: RQ[0-9a-f]{32}\r\n")));
  auto second = exchange(s, "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_NE(second.find("POST /b [abc]"), std::string::npos) << second;
}

TEST_F(HttpServerTest, Pipelining) {
  start(echo_handler());
  auto s = connect();
  auto got = exchange(s,
                      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                      "GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
                      3);
  auto p1 = got.find("GET /1"), p2 = got.find("GET /2"), p3 = got.find("GET /3");
  ASSERT_NE(p3, std::string::npos) << got;
  EXPECT_LT(p1, p2);
  EXPECT_LT(p2, p3);
  EXPECT_TRUE(closed_by_server(s));
}

TEST_F(HttpServerTest, GarbageGets400AndClose) {
  start(echo_handler());
  for (const char* garbage : {"HELLO THERE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
                              "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "\x01\x02\x03\r\n\r\n"}) {
    auto s = connect();
    auto got = exchange(s, garbage);
    EXPECT_NE(got.find("HTTP/1.1 400"), std::string::npos) << garbage << " -> " << got;
    EXPECT_TRUE(closed_by_server(s));
  }
  // Still serving.
  auto s = connect();
  EXPECT_NE(exchange(s, "GET / HTTP/1.1\r\nHost: h\r\n\r\n").find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, BodyLimitGets413TwilioJson) {
  config_.limits.max_body_bytes = 1024;
  start(echo_handler());
  auto s = connect();
  std::string body(2000, 'a');
  auto got = exchange(s, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" + body);
  EXPECT_NE(got.find("HTTP/1.1 413"), std::string::npos) << got;
  EXPECT_NE(got.find("{\"message\": \"Request entity too large\", \"status\": 413}"),
            std::string::npos);
  EXPECT_NE(got.find("application/json"), std::string::npos);
}

// A client still sending an oversized body when the 413 goes out gets to read the 413: the
// server drains what comes (up to 8 MiB, 2 s) before closing, instead of closing on unread
// data, which the kernel answers with a reset that can destroy the answer.
TEST_F(HttpServerTest, AnOversizedUploadStillInFlightReadsIts413) {
  config_.limits.max_body_bytes = 1024;
  start(echo_handler());
  auto s = connect();
  const std::string body(3 << 20, 'a');
  boost::system::error_code ec;
  asio::write(s, asio::buffer("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body),
              ec);
  EXPECT_FALSE(ec) << "the upload was cut off: " << ec.message();
  std::string got;
  char buf[4096];
  for (;;) {
    const size_t n = s.read_some(asio::buffer(buf), ec);
    got.append(buf, n);
    if (ec) break;
  }
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_NE(got.find("HTTP/1.1 413"), std::string::npos) << got;
}

TEST_F(HttpServerTest, HeaderLimitGets431) {
  config_.limits.max_header_bytes = 1024;
  start(echo_handler());
  auto s = connect();
  auto got = exchange(s, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'b') +
                             "\r\n\r\n");
  EXPECT_NE(got.find("HTTP/1.1 431"), std::string::npos) << got.substr(0, 200);
}

TEST_F(HttpServerTest, ExpectContinue) {
  start(echo_handler());
  auto s = connect();
  asio::write(s, asio::buffer(std::string(
                     "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
                     "Expect: 100-continue\r\n\r\n")));
  char buf[256];
  size_t n = s.read_some(asio::buffer(buf));
  EXPECT_EQ(std::string(buf, n), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_NE(exchange(s, "hi").find("POST /c [hi]"), std::string::npos);
}

TEST_F(HttpServerTest, AsyncAnswerFromAnotherThreadAndExceptions) {
  std::vector<std::thread> later;
  std::mutex mu;
  start([&](api::Request req, Respond respond) {
    if (req.target == "/throw") throw std::runtime_error("boom");
    std::lock_guard lock(mu);
    later.emplace_back([respond] {
      std::this_thread::sleep_for(50ms);
      api::Response r;
      r.status = 204;
      respond(r);
      respond(r);  // a second answer is ignored
    });
  });
  auto s = connect();
  auto got = exchange(s, "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(got.find("HTTP/1.1 204"), std::string::npos) << got;
  got = exchange(s, "GET /throw HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(got.find("HTTP/1.1 500"), std::string::npos) << got;
  for (auto& t : later) t.join();
}

TEST_F(HttpServerTest, IdleTimeoutClosesAndShutdownDrains) {
  config_.limits.idle_timeout_s = 1;
  start(echo_handler());
  auto s = connect();
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_by_server(s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);

  auto idle = connect();
  auto port = server_->port();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server_->active_connections(), 1u);
  server_->shutdown();
  EXPECT_TRUE(closed_by_server(idle));
  // The acceptor closes on its strand: new connections are refused soon after.
  boost::system::error_code ec;
  for (int i = 0; i < 50 && !ec; ++i) {
    std::this_thread::sleep_for(10ms);
    tcp::socket refused(client_io_);
    refused.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  }
  EXPECT_TRUE(ec);
}

TEST_F(HttpServerTest, MaxConnections) {
  config_.limits.max_connections = 1;
  start(echo_handler());
  auto first = connect();
  std::this_thread::sleep_for(50ms);
  auto second = connect();
  EXPECT_TRUE(closed_by_server(second));
  EXPECT_NE(exchange(first, "GET / HTTP/1.1\r\nHost: h\r\n\r\n").find("200"), std::string::npos);
}

// Injected faults (server/faults/): a handler's answer can be "reset the connection" or "never
// answer"; neither sends a byte, and neither holds up a shutdown.
Handler withholding_handler(api::Delivery how) {
  return [how](api::Request, Respond respond) {
    api::Response r;
    r.delivery = how;
    respond(std::move(r));
  };
}

TEST_F(HttpServerTest, InjectedResetIsAnRst) {
  start(withholding_handler(api::Delivery::kReset));
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: h\r\n\r\n")));
  char c;
  boost::system::error_code ec;
  const size_t n = s.read_some(asio::buffer(&c, 1), ec);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(ec, asio::error::connection_reset) << ec.message();
}

TEST_F(HttpServerTest, InjectedHangAnswersNothingUntilIdleTimeoutOrShutdown) {
  config_.limits.idle_timeout_s = 1;
  start(withholding_handler(api::Delivery::kHold));
  auto s = connect();
  auto started = std::chrono::steady_clock::now();
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: h\r\n\r\n")));
  char c;
  boost::system::error_code ec;
  EXPECT_EQ(s.read_some(asio::buffer(&c, 1), ec), 0u);  // nothing, then the close
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);

  // A shutdown closes a held connection at once; it is no request in flight.
  auto held = connect();
  asio::write(held, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: h\r\n\r\n")));
  for (int i = 0; i < 100 && server_->active_connections() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server_->active_requests(), 0u);
  started = std::chrono::steady_clock::now();
  server_->shutdown();
  EXPECT_TRUE(closed_by_server(held));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
}

TEST(RequestId, Format) {
  std::regex re("^RQ[0-9a-f]{32}$");
  std::string a, b;
  make_request_id(a);
  make_request_id(b);
  EXPECT_TRUE(std::regex_match(a, re)) << a;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace dialtone::server
