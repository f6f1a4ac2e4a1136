// The webhook client over HTTPS, against a local TLS app with a certificate made at test time.
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
using testing::FakeAppOptions;
using testing::make_test_cert;
using testing::write_temp_file;

FakeAppOptions tls_options(const testing::TestCert& cert) { return {cert.cert_pem, cert.key_pem}; }

class WebhookTlsTest : public WebhookClientTest {
 protected:
  testing::TestCert cert_ = make_test_cert("localhost");
};

TEST_F(WebhookTlsTest, DefaultVerificationRefusesASelfSignedCertificate) {
  FakeApp app(tls_options(cert_));
  std::chrono::milliseconds took{};
  auto result = timed(app.url("localhost", "/voice"), took);
  EXPECT_EQ(result.error_code, 11237) << result.error_message;
  EXPECT_EQ(result.http_status, 0);
  EXPECT_NE(result.error_message.find("TLS certificate verification failed"), std::string::npos)
      << result.error_message;
  EXPECT_NE(result.error_message.find("self-signed"), std::string::npos) << result.error_message;
  EXPECT_TRUE(app.requests().empty());
  EXPECT_LT(took, 3s);
  EXPECT_EQ(app.connections(), 1);  // a certificate failure is not retried
}

TEST_F(WebhookTlsTest, CaFileTrustsTheCertificateWithSniAndHostNameCheck) {
  config_.ca_file = write_temp_file("ca.pem", cert_.cert_pem);
  FakeApp app(tls_options(cert_));
  auto r = request(app.url("localhost", "/voice?x=1#rc=0"));
  auto result = send_and_wait(r);
  EXPECT_EQ(result.error_code, 0) << result.error_message;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body, "<Response/>");
  auto seen = app.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].sni, "localhost");
  EXPECT_EQ(seen[0].target, "/voice?x=1");
  EXPECT_EQ(seen[0].headers.at("host"), "localhost:" + std::to_string(app.port()));
  // The signature covers the https URL as requested, without the fragment.
  core::Fields params(r.params.begin(), r.params.end());
  auto expected =
      twilio_signature("secret-token", app.url("localhost", "/voice?x=1"), params);
  EXPECT_EQ(seen[0].headers.at("x-twilio-signature"), expected);
  EXPECT_EQ(result.signature, expected);

  // #sni=n: no server name is sent (the name is still verified).
  EXPECT_EQ(send_and_wait(request(app.url("localhost", "/voice#sni=n"), "CA2")).http_status, 200);
  EXPECT_EQ(app.requests().back().sni, "");
}

TEST_F(WebhookTlsTest, WrongHostNameIs11235) {
  config_.ca_file = write_temp_file("ca.pem", cert_.cert_pem);
  FakeApp app(tls_options(cert_));
  // Same server, reached by IP: the certificate names only "localhost".
  auto result = send_and_wait(request(app.url("127.0.0.1", "/voice")));
  EXPECT_EQ(result.error_code, 11235) << result.error_message;
  EXPECT_NE(result.error_message.find("TLS certificate verification failed"), std::string::npos);
  // A trusted certificate for another name.
  auto other = make_test_cert("app.example");
  config_.ca_file = write_temp_file("ca.pem", other.cert_pem);
  client_.reset();
  FakeApp other_app(tls_options(other));
  result = send_and_wait(request(other_app.url("localhost", "/voice")));
  EXPECT_EQ(result.error_code, 11235) << result.error_message;
  EXPECT_TRUE(app.requests().empty());
  EXPECT_TRUE(other_app.requests().empty());
}

TEST_F(WebhookTlsTest, ExpiredCertificateIs11236) {
  auto expired = make_test_cert("localhost", -30, -1);
  config_.ca_file = write_temp_file("ca.pem", expired.cert_pem);
  FakeApp app(tls_options(expired));
  auto result = send_and_wait(request(app.url("localhost", "/voice")));
  EXPECT_EQ(result.error_code, 11236) << result.error_message;
}

TEST_F(WebhookTlsTest, InsecureAcceptsAnyCertificate) {
  config_.insecure_tls = true;
  FakeApp app(tls_options(cert_));
  EXPECT_EQ(send_and_wait(request(app.url("localhost", "/voice"))).http_status, 200);
  EXPECT_EQ(send_and_wait(request(app.url("127.0.0.1", "/voice"))).http_status, 200);
}

TEST_F(WebhookTlsTest, KeepAliveConnectionsAreReusedOverTls) {
  config_.ca_file = write_temp_file("ca.pem", cert_.cert_pem);
  FakeApp app(tls_options(cert_));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(send_and_wait(request(app.url("localhost", "/a"))).http_status, 200);
  }
  EXPECT_EQ(app.connections(), 1);
  EXPECT_EQ(client().stats().connections_opened, 1u);
  EXPECT_EQ(client().stats().connections_reused, 2u);
  // The app closes: the next request opens a new TLS connection.
  EXPECT_EQ(send_and_wait(request(app.url("localhost", "/close"))).http_status, 200);
  EXPECT_EQ(send_and_wait(request(app.url("localhost", "/a"))).http_status, 200);
  EXPECT_EQ(app.connections(), 2);
}

TEST_F(WebhookTlsTest, PlainHttpServerOnAnHttpsUrlIs11220) {
  FakeApp plain;
  std::chrono::milliseconds took{};
  auto result = timed("https://127.0.0.1:" + std::to_string(plain.port()) + "/voice", took);
  EXPECT_EQ(result.error_code, 11220) << result.error_message;
  EXPECT_NE(result.error_message.find("TLS handshake"), std::string::npos)
      << result.error_message;
  EXPECT_LT(took, 3s);
}

TEST_F(WebhookTlsTest, AHandshakeThatNeverCompletesIsBoundedByTheConnectTimeout) {
  // A listening socket nobody accepts on: the kernel completes the TCP handshake, the TLS
  // handshake gets no answer.
  boost::asio::io_context tmp;
  boost::asio::ip::tcp::acceptor silent(tmp, {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::chrono::milliseconds took{};
  auto result = timed(
      "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/x#ct=300", took);
  EXPECT_EQ(result.error_code, 11205) << result.error_message;
  EXPECT_NE(result.error_message.find("TLS handshake"), std::string::npos)
      << result.error_message;
  EXPECT_GE(took, 550ms);  // two attempts (rc=1, rp=ct) of 300 ms
  // Far below the 15 s total timeout that an unbounded handshake would run into; loose enough
  // for TSan on a loaded 2-core machine (1.97 s was seen with load 8).
  EXPECT_LT(took, 5s);
}

TEST_F(WebhookTlsTest, UnreadableCaFileIsReported) {
  config_.ca_file = "/nonexistent/ca.pem";
  EXPECT_NE(client().tls_error().find("/nonexistent/ca.pem"), std::string::npos);
  config_.ca_file.clear();
  client_.reset();
  EXPECT_EQ(client().tls_error(), "");
}

}  // namespace
}  // namespace dialtone::server
