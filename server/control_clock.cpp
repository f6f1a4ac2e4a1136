// GET/POST /_dialtone/clock and POST /_dialtone/clock/advance, each on one account's world. An
// advance answers once every timer of that world due in the interval has fired and its
// webhooks have settled.
#include "api/control_request.hpp"
#include "api/control_settings.hpp"
#include "server/control_api.hpp"

namespace dialtone::server {

namespace {

api::ClockView view(const EngineHost& host, const std::string& account_sid) {
  const SwitchableClock& c = host.clock(account_sid);
  return {std::string(SwitchableClock::to_string(c.mode())), c.speed(), c.now()};
}

}  // namespace

void handle_clock(ControlContext& ctx, const api::Request& req, const std::string& account_sid,
                  Respond respond) {
  if (req.method == "POST") {
    auto params = api::control_params(req);
    if (!params) return respond(api::control_error(params.error()));
    auto update = api::parse_clock_update(*params);
    if (!update) return respond(api::control_error(update.error()));
    const SwitchableClock& c = ctx.host.clock(account_sid);
    SwitchableClock::Mode mode = c.mode();
    if (update->mode) {
      mode = *update->mode == "manual" ? SwitchableClock::Mode::kManual
                                       : SwitchableClock::Mode::kReal;
    }
    ctx.host.set_clock(account_sid, mode, update->speed.value_or(c.speed()));
  }
  respond(api::control_json(200, api::clock_json(view(ctx.host, account_sid))));
}

void handle_advance(ControlContext& ctx, const api::Request& req,
                    const std::string& account_sid, Respond respond) {
  auto params = api::control_params(req);
  if (!params) return respond(api::control_error(params.error()));
  auto ms = api::parse_advance(*params);
  if (!ms) return respond(api::control_error(ms.error()));
  EngineHost& host = ctx.host;
  auto shared = std::make_shared<Respond>(std::move(respond));
  const bool started = host.advance_counted(
      account_sid, core::Millis{*ms}, host.default_settle_cap(),
      [&host, shared, account_sid](size_t fired) {
        (*shared)(api::control_json(200, api::clock_json(view(host, account_sid), fired)));
      });
  if (!started) {
    (*shared)(api::control_error(409, "The clock is in real mode: POST /_dialtone/clock "
                                      "Mode=manual before advancing it"));
  }
}

}  // namespace dialtone::server
