// What each request path goes to: /_dialtone/health is answered here; /_dialtone/... goes to
// the control API (server/control_api.hpp); everything else is Twilio's API: past the fault
// rules (server/faults/), then api::handle_twilio (or /v1/AuthTokens) under the engine lock,
// behind the concurrent-request limiter. Every answer is counted in the metrics.
// Thread-safety: the returned handler may be called from any thread concurrently.
#pragma once

#include <chrono>

#include "server/engine_host.hpp"
#include "server/faults/fault_injector.hpp"
#include "server/http_server.hpp"

namespace dialtone::server {

// `faults` must outlive the handler.
Handler make_router(EngineHost& host, std::chrono::steady_clock::time_point started,
                    faults::FaultInjector& faults);

// {"status":"ok","version":"0.1.0","uptime_s":12}
api::Response health_response(std::chrono::steady_clock::time_point started);

}  // namespace dialtone::server
