// A tiny threaded HTTP/1.1 app on 127.0.0.1:0 for tests: records every request (and which
// connection it came on) and answers according to the path. Beast lives only in its .cpp.
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
};

// Paths: /slow?ms=N sleeps N ms; /big answers 70 000 bytes; /code?code=N answers N;
// /close answers with Connection: close; anything else answers 200 "<Response/>" (text/xml).
class FakeApp {
 public:
  FakeApp();
  ~FakeApp();
  uint16_t port() const;
  std::string url(const std::string& path) const;
  std::vector<SeenRequest> requests() const;
  int connections() const;
  // Most requests seen in flight at once for one value of the CallSid parameter.
  int max_concurrent_per_call() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialtone::testing
