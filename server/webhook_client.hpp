// The outbound webhook client: HTTP and HTTPS, keep-alive connections reused per
// scheme:host:port, Twilio's timeouts and retries (with per-URL fragment overrides), signed
// requests. Requests of one call go out in order, one at a time; different calls run
// concurrently. Beast stays in the .cpp.
// Thread-safety: send() and in_flight() may be called from any thread; `done` runs on an
// io_context thread, never inline, and the next request of that call starts only after it
// returns.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "core/engine.hpp"

namespace boost::asio {
class io_context;
}

namespace dialtone::server {

struct WebhookClientStats {
  size_t connections_opened = 0;
  size_t connections_reused = 0;
  size_t requests_sent = 0;  // attempts, retries included
};

class WebhookClient {
 public:
  using Done = std::function<void(core::WebhookResult)>;

  WebhookClient(boost::asio::io_context& io, const config::WebhookConfig& config);
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  void send(core::WebhookRequest request, Done done);
  size_t in_flight() const;  // queued or sending, until `done` has returned
  WebhookClientStats stats() const;
  void close_idle();  // drops pooled connections (shutdown)

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialtone::server
