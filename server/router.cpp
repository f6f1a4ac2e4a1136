#include "server/router.hpp"

#include <cctype>
#include <charconv>
#include <memory>
#include <optional>
#include <string_view>

#include "api/auth.hpp"
#include "api/control_request.hpp"
#include "api/errors.hpp"
#include "api/route.hpp"
#include "api/twilio/auth_tokens.hpp"
#include "api/twilio_api.hpp"
#include "server/api_limiter.hpp"
#include "server/control_api.hpp"
#include "server/store.hpp"

namespace dialtone::server {

namespace {

// Journals a Twilio API request that touched a call (type "api.request"). An accepted update
// is journaled by core itself (with what it changed), so it is not counted twice.
void journal_api_request(core::Engine& engine, const api::Request& request,
                         std::string_view path, const std::optional<api::Route>& route,
                         const api::Response& response, uint64_t seq_before) {
  if (!route) return;
  std::string call_sid = route->call_sid.empty() ? response.call_sid : route->call_sid;
  if (call_sid.empty()) return;
  if (response.status >= 400 && !engine.find_call(route->account_sid, call_sid)) return;
  const auto& events = engine.journal().events();
  for (auto it = events.rbegin(); it != events.rend() && it->seq > seq_before; ++it) {
    if (it->type == "api.request" && it->call_sid == call_sid) return;
  }
  char status[12];
  const auto status_end = std::to_chars(status, status + sizeof status, response.status).ptr;
  // Packed straight from views: one allocation for the four fields.
  core::EventFields fields{{"method", request.method},
                           {"path", path},
                           {"status", std::string_view(status, status_end - status)},
                           {"request_id", request.request_id}};
  // A read leaves the call as it was: with data_dir it is not written again for it.
  if (request.method == "GET" || request.method == "HEAD") {
    engine.record_unchanged(route->account_sid, call_sid, "api.request", std::move(fields));
  } else {
    engine.record(route->account_sid, call_sid, "api.request", std::move(fields));
  }
}

// Compared in constant time, so response timing tells nothing about the token.
bool control_authorized(const config::ControlApiConfig& c, const std::string& authorization) {
  if (c.token.empty()) return true;
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() < kScheme.size()) return false;
  std::string scheme = authorization.substr(0, kScheme.size());
  for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return scheme == "bearer " &&
         api::constant_time_equal(std::string_view(authorization).substr(kScheme.size()),
                                  c.token);
}

// Settings (accounts, numbers, behaviours) change only through mutating control requests:
// with data_dir, they are written before such a request is answered.
Respond saving_settings(EngineHost& host, Respond respond) {
  return [&host, respond = std::move(respond)](api::Response r) {
    try {
      host.save_settings();
    } catch (const std::exception&) {
      r = api::control_error(500, "data_dir: the change could not be written (see the log)");
    }
    respond(std::move(r));
  };
}

// With data_dir, a change that could not be written (disk full, I/O error) is answered this
// way: Twilio's envelope for its own internal errors. The change may be on disk later (the
// store writes it again until it is), as after any 5xx of Twilio's.
api::Response not_saved(api::Format format) {
  return api::render_error(
      core::TwilioError{500, 20500,
                        "Internal Server Error: the change could not be saved to data_dir "
                        "(see the log)",
                        {}},
      format);
}

}  // namespace

api::Response health_response(std::chrono::steady_clock::time_point started) {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  api::Response r;
  r.status = 200;
  r.content_type = "application/json; charset=utf-8";
  r.body = std::string("{\"status\":\"ok\",\"version\":\"") + DIALTONE_VERSION +
           "\",\"uptime_s\":" + std::to_string(uptime) + "}";
  return r;
}

// Twilio's /v1/AuthTokens (token rotation) under the engine lock; a change is written to
// data_dir before the answer goes out, like a control API change.
api::Response serve_auth_tokens(EngineHost& host, const api::Request& request) {
  api::Response response;
  bool changed = false;
  host.with_engine([&](core::Engine& engine, core::Effects&) {
    response = api::handle_auth_tokens(engine, request, changed);
  });
  if (changed && host.persistent()) {
    try {
      host.save_settings();
    } catch (const StoreError&) {
      return not_saved(api::Format::kJson);
    }
  }
  return response;
}

Handler make_router(EngineHost& host, std::chrono::steady_clock::time_point started,
                    faults::FaultInjector& faults) {
  auto limiter = std::make_shared<ApiLimiter>(host.config().limits.max_concurrent_api_requests);
  auto control =
      std::make_shared<ControlContext>(ControlContext{host, *limiter, started, faults});
  const bool control_enabled = config::control_api_enabled(host.config());
  // Rendering after the lock is released needs a copy of the resource (a Call is ~20 strings):
  // worth it only where another I/O thread waits for the lock meanwhile. With one I/O thread
  // (the default up to 3 cores) the body is rendered under the lock, from the call itself: ~2.5%
  // less CPU per fetch (seventeenth session).
  const bool defer_render = host.config().threads != 1;
  // A Twilio API request, served for real: behind the concurrency limiter, under the engine
  // lock. Fault injection (server/faults/) calls it too, when a rule lets the request run.
  faults::FaultInjector::Serve serve = [&host, limiter, defer_render](api::Request request,
                                                                      Respond respond) {
    std::string_view target(request.target);
    const std::string_view path = target.substr(0, target.find('?'));  // request stays put
    const bool auth_tokens = api::is_auth_tokens_path(path);
    std::optional<api::PreparedRequest> prepared;
    if (!auth_tokens) {
      request.defer_render = defer_render;
      prepared = api::prepare_twilio(request);  // before the lock
    }
    // Every answer names the route it answers, for the metrics' label (see below).
    const std::optional<api::RouteKind> kind =
        prepared && prepared->route ? std::optional(prepared->route->kind) : std::nullopt;
    const auto labelled = [kind](api::Response r) {
      r.route = kind;
      return r;
    };
    // The concurrency limit is the account's that the route names (none for Accounts v1's
    // AuthTokens or a path that matches no route: those count under "").
    const std::string_view account =
        prepared && prepared->route ? std::string_view(prepared->route->account_sid) : "";
    const ApiLimiter::Ticket ticket = limiter->try_enter(account);
    if (!ticket.admitted) {
      return respond(labelled(api::render_error(
          core::TwilioError{429, 20429, "Too Many Requests", {}}, api::format_of_path(path))));
    }
    api::Response response;
    EngineHost::Durability durable;
    {
      // The slot is given back before the answer goes out, however this block ends.
      struct Leave {
        ApiLimiter& limiter;
        std::string_view account;
        const ApiLimiter::Ticket& ticket;
        ~Leave() { limiter.leave(account, ticket); }
      } leave{*limiter, account, ticket};
      if (auth_tokens) {
        response = serve_auth_tokens(host, request);
      } else {
        durable = host.with_engine_async([&](core::Engine& engine, core::Effects& effects) {
          const uint64_t seq_before = engine.journal().last_seq();
          response = api::handle_twilio(engine, request, *prepared, effects);
          journal_api_request(engine, request, path, prepared->route, response, seq_before);
        });
      }
      if (response.render) {  // outside the engine lock, from copies (while the disk writes)
        response.body = response.render();
        response.render = nullptr;
      }
    }
    response.route = kind;
    if (durable.ticket == 0) return respond(std::move(response));
    // With data_dir: answered once the change is on disk (group commit), never before. A read
    // changes nothing of its own (what it carries is timers' work that fell due in its hold):
    // it answers what it saw even if writing that failed.
    if (request.method == "GET" || request.method == "HEAD") durable.own = false;
    host.when_durable(durable, [respond = std::move(respond), format = api::format_of_path(path),
                                labelled,
                                response = std::make_shared<api::Response>(std::move(response))](
                                   bool ok) {
      if (!ok) {
        return respond(labelled(not_saved(format)));
      }
      respond(std::move(*response));
    });
  };
  return [&host, &faults, started, control, control_enabled, serve](api::Request request,
                                                                    Respond respond) {
    std::string_view target(request.target);
    const std::string path(target.substr(0, target.find('?')));
    // Count every answer under its route template, whenever it goes out; an injected reset or
    // hang answers nothing and is counted in the journal instead. A Twilio API answer carries
    // the route that serving it matched (api::Response::route; none: "other"), so its path is
    // not matched a second time here.
    const bool api_path = is_api_path(path);
    Respond counted = [&host, method = request.method, api_path, suffix = api_suffix(path),
                       route = api_path ? RouteId{0} : route_id(path),
                       respond = std::move(respond)](api::Response r) {
      if (r.delivery == api::Delivery::kSend) {
        const RouteId id = !api_path ? route : r.route ? api_route_id(*r.route, suffix) : 0;
        host.metrics().count_request(method, id, r.status);
      }
      respond(std::move(r));
    };
    if (path == "/_dialtone/health") {
      if (request.method != "GET" && request.method != "HEAD") {
        api::Response r = api::control_error(405, "Method not allowed; use GET, HEAD");
        r.headers.emplace_back("Allow", "GET, HEAD");
        counted(std::move(r));
        return;
      }
      counted(health_response(started));
      return;
    }
    if (path.starts_with(api::kControlPrefix)) {
      const auto& c = host.config().control_api;
      if (!control_enabled) return counted(api::control_not_found(path));
      if (!control_authorized(c, request.authorization)) {
        api::Response r = api::control_error(401, "The control API needs "
                                                  "'Authorization: Bearer TOKEN'");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return counted(std::move(r));
      }
      if (host.persistent() && request.method != "GET" && request.method != "HEAD") {
        counted = saving_settings(host, std::move(counted));
      }
      handle_control(*control, request, std::move(counted));
      return;
    }
    if (faults.intercept(request, path, serve, counted)) return;
    serve(std::move(request), std::move(counted));
  };
}

}  // namespace dialtone::server
