// The outbound webhook client: HTTP and HTTPS, keep-alive connections reused per
// scheme:host:port, Twilio's timeouts and retries (with per-URL fragment overrides), signed
// requests. Requests of one call go out in order, one at a time; different calls run
// concurrently. Beast stays in the .cpp.
//
// Results (core::WebhookResult::error_code, 0 when a response came):
//   11100 invalid URL;  11210 the host does not resolve, or not within the connect timeout;
//   11205 refused, reset, or a connect/read/total timeout (DNS, TCP and TLS share the connect
//         timeout, ct; the read timeout, rt, covers the first byte and every gap after it;
//         the total timeout, tt, covers everything: retries, redirects, a slow drip);
//   11220 TLS handshake failure (e.g. plain HTTP on an https URL);  11235 certificate for
//         another name;  11236 certificate expired or not yet valid;  11237 certificate not
//         trusted (self-signed, unknown CA: use webhook.ca_file or webhook.insecure_tls);
//   11750 response body over max_response_bytes (also a never-ending chunked body);
//   11200 more than 5 redirects, or a redirect to an unusable Location.
// Redirects (301/302/303/307/308 with a Location) are followed for every webhook, up to 5:
// 307/308 repeat the method and body, 301/302/303 become a GET of the Location without
// parameters (as browsers and most clients do); every hop is re-signed for the URL it
// requests, with the same idempotency token, within the same total timeout.
// error_message carries the failure and, also on success, notes the journal keeps: the
// redirects taken (the last one names the final URL) and the fragment overrides that were
// clamped or ignored (Twilio documents their ranges but no error code for them).
// Connections: at most webhook.max_connections_per_host are open to one scheme:host:port (idle
// ones included); a request that finds none idle and the host at its cap waits in that host's
// FIFO, and a finishing request hands its kept-alive connection (or, if it has none, its
// slot) straight to the first waiter. Without the cap a burst (one clock advance making 10k
// calls' callbacks due) opened a connection per request, since the pool only fills as
// requests finish, and ran out of ephemeral ports. The wait does not count against the
// connect, read or total timeouts, nor the reported latency: Twilio's timeouts describe the
// request itself. It is still bounded: a request holds its slot only until its own response,
// failure or total timeout, so even behind a stalled app a waiter gets a slot once the
// holders' timeouts fire. A webhook keeps its slot across retries; a redirect to another host
// gives it back before waiting for one of that host (no two requests wait on each other).
// Thread-safety: send() and in_flight() may be called from any thread; `done` runs on an
// io_context thread, never inline, and the next request of that call starts only after it
// returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

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
  // Runs on each request in send(), before it is signed: fault injection signs the webhooks of
  // an account with a signature fault with a wrong key (server/faults/). Set it before the
  // first send; it may be called from any thread.
  void set_request_hook(std::function<void(core::WebhookRequest&)> hook);
  size_t in_flight() const;  // queued or sending, until `done` has returned
  WebhookClientStats stats() const;
  void close_idle();  // drops pooled connections (shutdown)
  // Non-empty when webhook.ca_file could not be loaded (a configuration error).
  const std::string& tls_error() const;
  // Tests only: name resolution answers this much later (a slow DNS server).
  void set_resolve_delay_for_testing(std::chrono::milliseconds delay);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialtone::server
