// The control API's dispatcher (/_dialtone/...): routes each request to its pure handler in
// api/control_*.hpp under the engine lock, or to the deferred parts that answer later (clock
// advances, blocking journal waits). The control_api.enabled/token settings apply here.
// Thread-safety: handle_control may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "server/api_limiter.hpp"
#include "server/console_stream.hpp"
#include "server/engine_host.hpp"
#include "server/faults/fault_injector.hpp"
#include "server/http_server.hpp"

namespace dialtone::server {

struct ControlContext {
  EngineHost& host;
  ApiLimiter& limiter;
  std::chrono::steady_clock::time_point started;
  faults::FaultInjector& faults;
  std::shared_ptr<ConsoleHub> console = std::make_shared<ConsoleHub>(host);
};

// `request` targets /_dialtone/...; `respond` is called exactly once, maybe later.
void handle_control(ControlContext& ctx, const api::Request& request, Respond respond);

// The deferred routes (control_clock.cpp, control_events.cpp) and the console's (the page's
// files and its live stream, control_console.cpp).
// The clock routes act on `account_sid`'s world.
void handle_clock(ControlContext& ctx, const api::Request& request,
                  const std::string& account_sid, Respond respond);
void handle_advance(ControlContext& ctx, const api::Request& request,
                    const std::string& account_sid, Respond respond);
void handle_events(ControlContext& ctx, const api::Request& request, std::string call_sid,
                   Respond respond);
void handle_console_file(const api::Request& request, const std::string& file, Respond respond);
void handle_stream(ControlContext& ctx, const api::Request& request, Respond respond);
// GET, POST /_dialtone/accounts/{AccountSid}/snapshot (server/control_snapshot.cpp): the
// request's body is the document, not parameters.
api::Response handle_snapshot(ControlContext& ctx, const api::Request& request,
                              const std::string& account_sid);
// GET, POST, DELETE /_dialtone/faults and /_dialtone/accounts/{AccountSid}/signature
// (server/faults/control_faults.cpp).
api::Response handle_faults(ControlContext& ctx, const api::Request& request,
                            const api::FormFields& params);
api::Response handle_signature_fault(ControlContext& ctx, const api::Request& request,
                                     const std::string& account_sid,
                                     const api::FormFields& params);

}  // namespace dialtone::server
