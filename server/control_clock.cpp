// GET/POST /_dialtone/clock and POST /_dialtone/clock/advance. An advance answers once every
// timer due in the interval has fired and its webhooks have settled.
#include "api/control_request.hpp"
#include "api/control_settings.hpp"
#include "server/control_api.hpp"

namespace dialtone::server {

namespace {

api::ClockView view(const EngineHost& host) {
  const SwitchableClock& c = host.clock();
  return {std::string(SwitchableClock::to_string(c.mode())), c.speed(), c.now()};
}

}  // namespace

void handle_clock(ControlContext& ctx, const api::Request& req, Respond respond) {
  if (req.method == "POST") {
    auto params = api::control_params(req);
    if (!params) return respond(api::control_error(params.error()));
    auto update = api::parse_clock_update(*params);
    if (!update) return respond(api::control_error(update.error()));
    const SwitchableClock& c = ctx.host.clock();
    SwitchableClock::Mode mode = c.mode();
    if (update->mode) {
      mode = *update->mode == "manual" ? SwitchableClock::Mode::kManual
                                       : SwitchableClock::Mode::kReal;
    }
    ctx.host.set_clock(mode, update->speed.value_or(c.speed()));
  }
  respond(api::control_json(200, api::clock_json(view(ctx.host))));
}

void handle_advance(ControlContext& ctx, const api::Request& req, Respond respond) {
  auto params = api::control_params(req);
  if (!params) return respond(api::control_error(params.error()));
  auto ms = api::parse_advance(*params);
  if (!ms) return respond(api::control_error(ms.error()));
  EngineHost& host = ctx.host;
  auto shared = std::make_shared<Respond>(std::move(respond));
  const bool started = host.advance_counted(
      core::Millis{*ms}, host.default_settle_cap(), [&host, shared](size_t fired) {
        (*shared)(api::control_json(200, api::clock_json(view(host), fired)));
      });
  if (!started) {
    (*shared)(api::control_error(409, "The clock is in real mode: POST /_dialtone/clock "
                                      "Mode=manual before advancing it"));
  }
}

}  // namespace dialtone::server
