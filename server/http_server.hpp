// The HTTP/1.1 front door: an async listener and keep-alive sessions (a strand each) that turn
// each request into an api::Request, hand it to the handler and write back what it answers.
// Enforces the body/header limits, read and idle timeouts and the connection cap; malformed
// requests get a 400 and the connection is closed. Logs one line per request.
// Thread-safety: start/stop/counters may be called from any thread; the handler is called on
// an io thread and may answer later, from any thread, exactly once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.hpp"
#include "config/config.hpp"

namespace boost::asio {
class io_context;
}

namespace dialtone::server {

using Respond = std::function<void(api::Response)>;
using Handler = std::function<void(api::Request, Respond)>;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const config::Config& config, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns "" or what went wrong (address in use, ...).
  std::string start();
  uint16_t port() const;  // the bound port (useful with port 0)
  std::string url() const;  // "http://127.0.0.1:PORT"

  // Stops accepting, closes idle keep-alive connections, and lets each busy one finish its
  // current request and then close.
  void shutdown();
  size_t active_connections() const;
  size_t active_requests() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// "RQ" + 32 lowercase hex, Twilio's request id format, into `into`, whose capacity is reused
// (a session's, from one request to the next).
void make_request_id(std::string& into);

}  // namespace dialtone::server
