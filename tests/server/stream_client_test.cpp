// server/websocket/stream_client: the Media Streams sockets against real local peers (a Beast
// WebSocket server on a thread, an HTTP server that refuses the upgrade, a closed port), on an
// io_context run by two threads as in the server.
#include "server/websocket/stream_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/stream/messages.hpp"
#include "fake_app.hpp"
#include "server/signature.hpp"

namespace dialtone::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

const std::string kStreamAccount = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kStreamToken = "secret-token";

class StreamClientTest : public ::testing::Test {
 protected:
  StreamClientTest() : work_(asio::make_work_guard(io_)) {
    config::WebhookConfig cfg;
    cfg.connect_timeout_ms = 2000;
    make_client(cfg);
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] {
        io_.run();
        std::lock_guard lock(mu_);
        ++runners_done_;
        cv_.notify_all();
      });
    }
  }
  // A client with this configuration (before any open).
  void make_client(const config::WebhookConfig& cfg) {
    client_ = std::make_unique<StreamClient>(io_, cfg);
    client_->set_handlers(
        [this](core::StreamEvent e, bool counted) {
          std::lock_guard lock(mu_);
          events_.push_back(e);
          if (counted) ++counted_;
          cv_.notify_all();
        },
        [this](const std::string&) {
          std::lock_guard lock(mu_);
          ++sent_;
          cv_.notify_all();
        });
  }
  ~StreamClientTest() override {
    // Closed, then drained before the stop: the aborts, and the handlers their closed sockets
    // complete, must run. A connection whose write waits inside the WebSocket stream for
    // another operation holds itself through that saved handler, and a stop before it runs
    // left the cycle for LeakSanitizer (seen once in a fresh clone's run).
    client_->close_all();
    work_.reset();
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, 5s, [&] { return runners_done_ == threads_.size(); });
    }
    io_.stop();  // whatever did not drain in 5 s
    for (auto& t : threads_) t.join();
    client_.reset();
  }

  void open(uint64_t id, const std::string& url) {
    client_->execute({core::StreamCommand::Kind::kOpen, id, kStreamAccount, url, kStreamToken}, true);
  }
  void send(uint64_t id, std::string text) {
    client_->execute({core::StreamCommand::Kind::kSend, id, kStreamAccount, std::move(text), {}}, true);
  }
  // Waits (15 s at most: sanitizers are slow) until `n` events came; returns them.
  std::vector<core::StreamEvent> events(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 15s, [&] { return events_.size() >= n; });
    return events_;
  }
  size_t sent(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 15s, [&] { return sent_ >= n; });
    return sent_;
  }

  asio::io_context io_{2};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<StreamClient> client_;
  std::vector<std::thread> threads_;
  size_t runners_done_ = 0;  // threads whose io_.run() returned; guarded by mu_
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<core::StreamEvent> events_;
  size_t counted_ = 0;
  size_t sent_ = 0;
};

// A Media Streams app: accepts one socket (over TLS when given a certificate), reads two
// messages, answers with a text and a binary frame, then closes. What it saw is read once the
// thread has ended.
struct EchoApp {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  asio::ssl::context tls{asio::ssl::context::tls_server};
  std::string signature, target;
  std::vector<std::string> received;
  std::thread thread;

  explicit EchoApp(const testing::TestCert* cert = nullptr) {
    if (cert) {
      tls.use_certificate_chain(asio::buffer(cert->cert_pem));
      tls.use_private_key(asio::buffer(cert->key_pem), asio::ssl::context::pem);
    }
    thread = std::thread([this, cert] {
      tcp::socket socket(io);
      acceptor.accept(socket);
      if (!cert) {
        websocket::stream<tcp::socket> ws(std::move(socket));
        return serve(ws);
      }
      websocket::stream<asio::ssl::stream<tcp::socket>> ws(std::move(socket), tls);
      ws.next_layer().handshake(asio::ssl::stream_base::server);
      serve(ws);
    });
  }
  template <class Ws>
  void serve(Ws& ws) {
    beast::http::request<beast::http::string_body> req;
    beast::flat_buffer buf;
    beast::http::read(ws.next_layer(), buf, req);
    signature = std::string(req["X-Twilio-Signature"]);
    target = std::string(req.target());
    ws.accept(req);
    for (int i = 0; i < 2; ++i) {
      beast::flat_buffer b;
      ws.read(b);
      received.push_back(beast::buffers_to_string(b.data()));
    }
    ws.text(true);
    ws.write(asio::buffer(std::string(R"({"event":"mark","mark":{"name":"x"}})")));
    ws.binary(true);
    ws.write(asio::buffer(std::string("\x01\x02", 2)));
    ws.close(websocket::close_code::normal);
    beast::flat_buffer rest;
    boost::system::error_code ec;
    ws.read(rest, ec);  // until the client's close answer
  }
  uint16_t port() const { return acceptor.local_endpoint().port(); }
  ~EchoApp() {
    if (thread.joinable()) thread.join();
  }
};

// An app that accepts the socket and then never reads from it (until the test ends).
struct DeafApp {
  asio::io_context io;
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::promise<void> done;
  std::thread thread;

  DeafApp() {
    thread = std::thread([this, until = done.get_future()] {
      tcp::socket socket(io);
      acceptor.accept(socket);
      websocket::stream<tcp::socket> ws(std::move(socket));
      ws.accept();
      until.wait();
    });
  }
  uint16_t port() const { return acceptor.local_endpoint().port(); }
  ~DeafApp() {
    done.set_value();
    thread.join();
  }
};

TEST_F(StreamClientTest, AnAppThatNeverReadsLosesItsStreamNotTheServer) {
  DeafApp app;
  open(5, "ws://127.0.0.1:" + std::to_string(app.port()) + "/deaf");
  // Paced as an engine sends: a batch, then (at most 100 ms) until it is written. Once the
  // socket's buffers are full nothing is written any more, the queue grows past its bound and
  // the stream fails.
  const std::string frame(4096, 'x');
  size_t issued = 0;
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < give_up) {
    {
      std::lock_guard lock(mu_);
      if (events_.size() >= 2) break;
    }
    for (int i = 0; i < 64; ++i, ++issued) send(5, frame);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 100ms, [&] { return sent_ >= issued || events_.size() >= 2; });
  }
  const size_t kFrames = issued;
  auto got = events(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].kind, core::StreamEvent::Kind::kOpened);
  EXPECT_EQ(got[1].kind, core::StreamEvent::Kind::kFailed);
  EXPECT_EQ(got[1].error_code, core::stream::kErrClose) << got[1].text;
  EXPECT_EQ(sent(kFrames), kFrames) << "every counted send is reported done, written or dropped";
  EXPECT_EQ(client_->open_connections(), 0u);
}

TEST_F(StreamClientTest, SpeaksToAnAppInOrderAndReportsWhatItSends) {
  EchoApp app;
  const std::string url = "ws://127.0.0.1:" + std::to_string(app.port()) + "/media?q=1";
  open(1, url);
  send(1, core::stream::connected_message());
  send(1, R"({"event":"start"})");
  auto got = events(4);
  app.thread.join();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].kind, core::StreamEvent::Kind::kOpened);
  EXPECT_EQ(got[1].kind, core::StreamEvent::Kind::kText);
  EXPECT_EQ(got[1].text, R"({"event":"mark","mark":{"name":"x"}})");
  EXPECT_EQ(got[2].kind, core::StreamEvent::Kind::kBinary);
  EXPECT_EQ(got[3].kind, core::StreamEvent::Kind::kClosed);
  for (const auto& e : got) EXPECT_EQ(e.account_sid, kStreamAccount);
  EXPECT_EQ(sent(2), 2u);
  EXPECT_EQ(app.received,
            (std::vector<std::string>{core::stream::connected_message(), R"({"event":"start"})"}));
  EXPECT_EQ(app.signature, twilio_signature(kStreamToken, url, {}));
  EXPECT_EQ(app.target, "/media?q=1");
  std::lock_guard lock(mu_);
  EXPECT_EQ(counted_, 1u) << "the open answered once";
}

// A real-time frame's lateness is reported as its write starts, measured from its due instant;
// sends without one (the protocol's messages) are not measured.
TEST_F(StreamClientTest, AFrameWithADueInstantReportsItsLatenessAsItIsWritten) {
  std::vector<std::chrono::microseconds> late;
  std::mutex late_mu;
  client_->set_handlers([](core::StreamEvent, bool) {}, [this](const std::string&) {
        std::lock_guard lock(mu_);
        ++sent_;
        cv_.notify_all();
      },
      [&](std::chrono::microseconds l) {
        std::lock_guard lock(late_mu);
        late.push_back(l);
      });
  EchoApp app;
  open(9, "ws://127.0.0.1:" + std::to_string(app.port()) + "/media");
  const auto due = std::chrono::steady_clock::now() - 30ms;
  client_->execute({core::StreamCommand::Kind::kSend, 9, kStreamAccount, "{}", {}}, true, due);
  send(9, "{}");
  EXPECT_EQ(sent(2), 2u);
  app.thread.join();
  std::lock_guard lock(late_mu);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_GE(late[0], 30ms);
  EXPECT_LT(late[0], 15s);
}

TEST_F(StreamClientTest, AnUpgradeAnsweredWithoutA101IsAHandshakeError) {
  testing::FakeApp http;  // answers every request 200 with TwiML
  open(2, "ws://127.0.0.1:" + std::to_string(http.port()) + "/media");
  send(2, "{}");  // queued behind the open: dropped with it, reported done
  auto got = events(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, core::StreamEvent::Kind::kFailed);
  EXPECT_EQ(got[0].error_code, core::stream::kErrHandshake);
  EXPECT_NE(got[0].text.find("HTTP 200"), std::string::npos) << got[0].text;
  EXPECT_EQ(sent(1), 1u);
}

// wss:// gets the webhook client's certificate checks (webhook.ca_file, the peer's name).
TEST_F(StreamClientTest, WssVerifiesTheCertificateLikeHttpsWebhooks) {
  const testing::TestCert cert = testing::make_test_cert("localhost");
  testing::FakeApp https({cert.cert_pem, cert.key_pem});
  const std::string url = "wss://localhost:" + std::to_string(https.port()) + "/media";
  // Trusting another CA (not the system store: loading it takes seconds under TSan).
  config::WebhookConfig other;
  other.ca_file = testing::write_temp_file(
      "other-ca.pem", testing::make_test_cert("other.example").cert_pem);
  make_client(other);
  open(6, url);
  auto got = events(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].error_code, core::stream::kErrHandshake);
  EXPECT_NE(got[0].text.find("TLS certificate verification failed"), std::string::npos)
      << got[0].text;

  config::WebhookConfig trusting;
  trusting.ca_file = testing::write_temp_file("ca.pem", cert.cert_pem);
  make_client(trusting);
  open(7, url);
  got = events(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].error_code, core::stream::kErrHandshake);
  EXPECT_NE(got[1].text.find("HTTP 200"), std::string::npos) << "TLS passed; the upgrade did not";
  auto seen = https.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].sni, "localhost");
  EXPECT_EQ(seen[0].headers.at("x-twilio-signature"), twilio_signature(kStreamToken, url, {}));
}

// A whole stream over wss://: the TLS handshake, the upgrade, frames both ways (a frame's
// header and payload in one record) and the close handshake with TLS's close_notify.
TEST_F(StreamClientTest, WssCarriesAWholeStreamLikeWs) {
  const testing::TestCert cert = testing::make_test_cert("localhost");
  config::WebhookConfig trusting;
  trusting.connect_timeout_ms = 2000;
  trusting.ca_file = testing::write_temp_file("ca.pem", cert.cert_pem);
  make_client(trusting);
  EchoApp app(&cert);
  const std::string url = "wss://localhost:" + std::to_string(app.port()) + "/media";
  open(8, url);
  send(8, core::stream::connected_message());
  send(8, R"({"event":"start"})");
  auto got = events(4);
  app.thread.join();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].kind, core::StreamEvent::Kind::kOpened);
  EXPECT_EQ(got[1].text, R"({"event":"mark","mark":{"name":"x"}})");
  EXPECT_EQ(got[2].kind, core::StreamEvent::Kind::kBinary);
  EXPECT_EQ(got[3].kind, core::StreamEvent::Kind::kClosed);
  EXPECT_EQ(app.received,
            (std::vector<std::string>{core::stream::connected_message(), R"({"event":"start"})"}));
  EXPECT_EQ(app.signature, twilio_signature(kStreamToken, url, {}));
  EXPECT_EQ(sent(2), 2u);
}

TEST_F(StreamClientTest, ARefusedConnectionIsReportedAndAnInvalidUrlToo) {
  asio::io_context probe;
  tcp::acceptor a(probe, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();  // nobody listens there now
  open(3, "ws://127.0.0.1:" + std::to_string(port) + "/x");
  open(4, "ws://");
  auto got = events(2);
  ASSERT_EQ(got.size(), 2u);
  for (const auto& e : got) {
    EXPECT_EQ(e.kind, core::StreamEvent::Kind::kFailed);
    EXPECT_EQ(e.error_code, e.stream_id == 3 ? core::stream::kErrConnectRefused
                                             : core::stream::kErrMalformedUrl)
        << e.text;
  }
  EXPECT_EQ(client_->open_connections(), 0u);
}

}  // namespace
}  // namespace dialtone::server
