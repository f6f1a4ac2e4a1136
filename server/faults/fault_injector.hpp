// Carries out Twilio's failures on demand (docs/faults.md): for a Twilio API request that a
// rule of the FaultTable fires on, the fault instead of (or, with Applied, after) the real
// answer, journaled as `fault.injected`; and the webhook signature faults, through the
// webhook client's request hook. The router calls intercept() before it serves a request.
//
//   status   Twilio's error envelope with the rule's status and code (+ Retry-After)
//   latency  the real answer, LatencyMs late (Applied: the request runs at once and its
//            answer waits; otherwise the request waits, then runs)
//   reset    the connection is reset (RST), nothing is answered
//   hang     nothing is answered; the connection stays open until the client gives up, the
//            server's idle timeout (limits.idle_timeout_s) passes, or the server shuts down
// With Applied the request is served first (its effects stay: a call is created, an update
// is made) and its answer is dropped: "applied, answer lost". LatencyMs on the other kinds is
// a wait before the fault.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "api/http_types.hpp"
#include "core/engine.hpp"
#include "server/engine_host.hpp"
#include "server/faults/fault_table.hpp"
#include "server/http_server.hpp"

namespace boost::asio {
class io_context;
}

namespace dialtone::server::faults {

class FaultInjector {
 public:
  // The table starts with host.config()'s fault rules. Timers (latency) run on `io`.
  FaultInjector(boost::asio::io_context& io, EngineHost& host);
  ~FaultInjector();
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  FaultTable& table();

  // How the router serves a Twilio API request when no fault is in the way.
  using Serve = std::function<void(api::Request, Respond)>;
  // True: a rule fired, the request and `respond` were taken, and the fault is under way
  // (`serve` is called if the rule is Applied or a latency). False: serve it as usual.
  bool intercept(api::Request& request, std::string_view path, const Serve& serve,
                 Respond& respond);

  // For WebhookClient::set_request_hook: signs with core::faults::wrong_signing_key() the
  // webhooks of accounts with that signature fault. Holds the table, not this object.
  std::function<void(core::WebhookRequest&)> webhook_hook() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialtone::server::faults
