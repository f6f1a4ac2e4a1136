#include "server/control_api.hpp"

#include <string>
#include <vector>

#include "api/control_accounts.hpp"
#include "api/control/faults.hpp"
#include "api/control/conversations.hpp"
#include "api/control/streams.hpp"
#include "api/control/audio.hpp"
#include "api/control_behaviors.hpp"
#include "api/control_calls.hpp"
#include "api/control_numbers.hpp"
#include "api/control_request.hpp"
#include "api/control_settings.hpp"
#include "api/route.hpp"
#include "server/router.hpp"

namespace dialtone::server {

namespace {

using api::ControlKind;

// Runs a pure handler under the engine lock.
template <class Fn>
api::Response locked(EngineHost& host, Fn&& fn) {
  api::Response r;
  host.with_engine([&](core::Engine& e, core::Effects& out) { r = fn(e, out); });
  return r;
}

api::Response metrics_response(ControlContext& ctx) {
  std::array<size_t, core::kCallStatusCount> counts{};
  ctx.host.with_engine([&](core::Engine& e, core::Effects&) { counts = e.count_by_status(); });
  const auto& clock = ctx.host.clock(ctx.host.config().account_sid);
  api::Response r;
  r.status = 200;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = ctx.host.metrics().render(counts, SwitchableClock::to_string(clock.mode()),
                                     clock.speed());
  return r;
}

// The account and, for a root account, its subaccounts: what a reset or a delete of it
// takes along (docs/accounts.md), fault rules included.
std::vector<std::string> with_subaccounts(EngineHost& host, const std::string& account) {
  std::vector<std::string> sids{account};
  host.with_engine([&](core::Engine& e, core::Effects&) {
    const core::Account* a = e.accounts().find(account);
    if (!a || a->owner_account_sid != a->sid) return;
    for (const auto& [sid, other] : e.accounts().all()) {
      if (sid != account && other.owner_account_sid == account) sids.push_back(sid);
    }
  });
  return sids;
}

api::Response reset(ControlContext& ctx, const std::string* account) {
  if (account) {
    const auto sids = with_subaccounts(ctx.host, *account);
    ctx.host.reset_account(*account);
    for (const auto& sid : sids) {
      ctx.faults.table().reset_account(sid);
      ctx.limiter.forget(sid);
    }
    return api::control_json(200, "{\"reset\": \"" + *account + "\"}");
  }
  ctx.host.reset_all();
  ctx.faults.table().reset();
  ctx.limiter.forget_all();
  return api::control_json(200, "{\"reset\": \"all\"}");
}

api::Response limits(ControlContext& ctx, const api::Request& req, const api::FormFields& p,
                     const std::string& account) {
  api::LimitsView current;
  ctx.host.with_engine([&](core::Engine& e, core::Effects&) {
    current.calls_per_second = e.calls_per_second(account);
  });
  current.max_concurrent_api_requests = ctx.limiter.max(account);
  if (req.method == "GET") return api::control_json(200, api::limits_json(current));
  auto next = api::parse_limits(p, current);
  if (!next) return api::control_error(next.error());
  ctx.limiter.set_max(account, next->max_concurrent_api_requests);
  ctx.host.with_engine([&](core::Engine& e, core::Effects&) {
    e.set_calls_per_second(account, next->calls_per_second);
  });
  return api::control_json(200, api::limits_json(*next));
}

api::ClockOf clock_reader() {
  return [](const core::World& w) { return EngineHost::clock_view(w); };
}

// POST /_dialtone/accounts: the account, and for a root account a world of its own, made in
// one hold, its clock set as asked before anything can run in it.
api::Response create_account(ControlContext& ctx, const api::FormFields& p) {
  return locked(ctx.host, [&](core::Engine& e, core::Effects&) {
    auto made = api::parse_new_account(e, p);
    if (!made) return api::control_error(made.error());
    const core::Account& a = made->account;
    e.accounts().put(a);
    core::World& world = a.owner_account_sid == a.sid ? e.create_world(a.sid, made->seed)
                                                      : e.world(a.sid);
    if (made->clock) EngineHost::set_world_clock(world, made->clock->mode, made->clock->speed);
    return api::account_created(a, world, clock_reader());
  });
}

api::Response one_account(ControlContext& ctx, const api::Request& req, const std::string& sid) {
  if (req.method == "DELETE") {
    bool known = false;
    ctx.host.with_engine(
        [&](core::Engine& e, core::Effects&) { known = e.accounts().find(sid) != nullptr; });
    if (!known) return api::control_error(404, "No account " + sid);
    if (sid == ctx.host.config().account_sid) {
      return api::control_error(400, "The default account cannot be deleted");
    }
    const auto sids = with_subaccounts(ctx.host, sid);
    ctx.host.delete_account(sid);
    for (const auto& gone : sids) {
      ctx.faults.table().clear_account(gone);
      ctx.limiter.forget(gone);
    }
    return api::control_json(200, "{\"deleted\": \"" + sid + "\"}");
  }
  return locked(ctx.host, [&](core::Engine& e, core::Effects&) {
    return api::get_account(e, sid, clock_reader());
  });
}

}  // namespace

void handle_control(ControlContext& ctx, const api::Request& req, Respond respond) {
  const api::Target target = api::split_target(req.target);
  const auto route = api::match_control(target.path);
  if (!route) return respond(api::control_not_found(target.path));
  if (!api::control_method_allowed(route->kind, req.method)) {
    return respond(api::control_method_not_allowed(route->kind));
  }
  if (route->kind == ControlKind::kHealth) return respond(health_response(ctx.started));
  if (route->kind == ControlKind::kAccountSnapshot) {
    return respond(handle_snapshot(ctx, req, route->account_sid));
  }
  if (route->kind == ControlKind::kAudio || route->kind == ControlKind::kAudioClip) {
    // The body is audio, not parameters (api/control/audio.hpp).
    return respond(locked(ctx.host, [&](core::Engine& e, core::Effects&) {
      return api::audio_clips(e, req, route->action, ctx.host.config().account_sid);
    }));
  }
  auto params = api::control_params(req);
  if (!params) return respond(api::control_error(params.error()));
  const api::FormFields& p = *params;
  EngineHost& host = ctx.host;
  const std::string& default_account = host.config().account_sid;
  // Every route acts on the account it names (AccountSid: query, form or JSON body), else on
  // the default account; a full reset is the one exception (docs/accounts.md).
  const std::string* named = p.get("AccountSid");
  if (named && route->kind != ControlKind::kAccounts) {
    bool known = false;
    host.with_engine(
        [&](core::Engine& e, core::Effects&) { known = e.accounts().find(*named) != nullptr; });
    if (!known) return respond(api::control_error(404, "No account " + *named));
  }
  const std::string& account = named ? *named : default_account;

  switch (route->kind) {
    case ControlKind::kHealth:
    case ControlKind::kAccountSnapshot:
    case ControlKind::kAudio:
    case ControlKind::kAudioClip:
      break;  // answered above
    case ControlKind::kMetrics:
      return respond(metrics_response(ctx));
    case ControlKind::kClock:
      return handle_clock(ctx, req, account, std::move(respond));
    case ControlKind::kClockAdvance:
      return handle_advance(ctx, req, account, std::move(respond));
    case ControlKind::kBehaviors:
      return respond(locked(host, [&](core::Engine& e, core::Effects&) {
        core::BehaviorTable& table = e.behaviors(account);
        if (req.method == "POST") return api::add_behavior(table, p);
        if (req.method == "DELETE") return api::clear_behaviors(table, host.config().ring_seconds);
        return api::list_behaviors(table);
      }));
    case ControlKind::kNumbers:
      return respond(locked(host, [&](core::Engine& e, core::Effects&) {
        return req.method == "POST" ? api::add_number(e, p, default_account)
                                    : api::list_numbers(e, p);
      }));
    case ControlKind::kCalls:
      return respond(locked(host, [&](core::Engine& e, core::Effects& out) {
        return api::start_inbound_call(e, p, out);
      }));
    case ControlKind::kCallAction:
      return respond(locked(host, [&](core::Engine& e, core::Effects& out) {
        return api::callee_act(e, route->call_sid, route->action, p, out);
      }));
    case ControlKind::kCallEvents:
      return handle_events(ctx, req, route->call_sid, std::move(respond));
    case ControlKind::kCallTranscript:
      return respond(locked(host, [&](core::Engine& e, core::Effects&) {
        return api::transcript(e, route->call_sid);
      }));
    case ControlKind::kEvents:
      return handle_events(ctx, req, {}, std::move(respond));
    case ControlKind::kReset:
      return respond(reset(ctx, named));
    case ControlKind::kAccounts:
      if (req.method == "POST") return respond(create_account(ctx, p));
      return respond(locked(host, [&](core::Engine& e, core::Effects&) {
        return api::list_accounts(e, clock_reader());
      }));
    case ControlKind::kAccount:
      return respond(one_account(ctx, req, route->account_sid));
    case ControlKind::kLimits:
      return respond(limits(ctx, req, p, account));
    case ControlKind::kConsole:
      return handle_console_file(req, route->action, std::move(respond));
    case ControlKind::kStream:
      return handle_stream(ctx, req, std::move(respond));
    case ControlKind::kStreamHeard:
      return respond(locked(host, [&](core::Engine& e, core::Effects&) {
        return api::stream_heard(e, account, route->action);
      }));
    case ControlKind::kFaults:
      return respond(handle_faults(ctx, req, p));
    case ControlKind::kAccountSignature:
      return respond(handle_signature_fault(ctx, req, route->account_sid, p));
    case ControlKind::kAccountSecondaryToken:
      return respond(locked(host, [&](core::Engine& e, core::Effects&) {
        return req.method == "POST" ? api::set_secondary_token(e, route->account_sid, p)
                                    : api::delete_secondary_token(e, route->account_sid);
      }));
    case ControlKind::kAccountPromote:
      return respond(locked(host, [&](core::Engine& e, core::Effects&) {
        return api::promote_secondary_token(e, route->account_sid);
      }));
  }
  respond(api::control_not_found(target.path));
}

}  // namespace dialtone::server
