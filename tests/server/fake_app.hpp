// A tiny threaded HTTP/1.1 app on 127.0.0.1:0 for tests: records every request (and which
// connection it came on) and answers according to the path. With a certificate it speaks
// HTTPS. Some paths misbehave on purpose, to test the webhook client against broken apps.
// Beast lives only in its .cpp.
// Thread-safety: all members are safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dialtone::testing {

struct SeenRequest {
  int connection = 0;  // 1, 2, ... in accept order
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  std::string sni;  // HTTPS: the server name the client sent, if any
};

struct FakeAppOptions {
  std::string cert_pem;  // with key_pem: HTTPS
  std::string key_pem;
};

// Paths:
//   /slow?ms=N sleeps N ms; /big answers 70 000 bytes; /code?code=N answers N;
//   /close answers with Connection: close; /empty answers 200 with no body; /text answers 200
//   text/plain; /redirect?code=N&to=URL answers N with Location: URL (percent-decoded);
//   /hops?n=K redirects (302) K times to /hops?n=K-1, then answers; /loop redirects to itself;
//   /reset sends half a response, then a TCP RST; /hangup closes without answering;
//   /stall never answers; /drip?ms=N sends a 100-byte body one byte every N ms;
//   /endless sends a chunked body that never ends;
//   anything else answers 200 "<Response/>" (text/xml).
class FakeApp {
 public:
  FakeApp();
  explicit FakeApp(FakeAppOptions options);
  ~FakeApp();
  uint16_t port() const;
  // http(s)://127.0.0.1:port + path, or with another host name that reaches it.
  std::string url(const std::string& path) const;
  std::string url(const std::string& host, const std::string& path) const;
  std::vector<SeenRequest> requests() const;
  int connections() const;
  int open_connections() const;  // accepted and not yet closed by either side
  int max_open_connections() const;  // the most open_connections() ever was
  // Most requests seen in flight at once, over all calls.
  int max_concurrent_requests() const;
  int failed_handshakes() const;  // HTTPS: connections whose TLS handshake failed
  // Most requests seen in flight at once for one value of the CallSid parameter.
  int max_concurrent_per_call() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A self-signed certificate (EC P-256) for `dns_name` (subject CN and DNS SAN), valid from
// `from_days` to `to_days` relative to now, as PEM.
struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};
TestCert make_test_cert(const std::string& dns_name, int from_days = -1, int to_days = 30);

// Writes `content` to a new file in a fresh temporary directory; returns its path. The
// directory is removed when the test binary exits.
std::string write_temp_file(const std::string& name, const std::string& content);

}  // namespace dialtone::testing
