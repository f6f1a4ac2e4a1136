// GET /_dialtone/events and /_dialtone/calls/{CallSid}/events, with the blocking wait: the
// condition is re-checked by the engine host after every change (no polling), and the answer
// goes out as soon as it holds, or with 408 when the timeout passes first.
#include <memory>

#include "api/control_calls.hpp"
#include "api/control_journal.hpp"
#include "api/control_request.hpp"
#include "server/control_api.hpp"

namespace dialtone::server {

void handle_events(ControlContext& ctx, const api::Request& req, std::string call_sid,
                   Respond respond) {
  auto params = api::control_params(req);
  if (!params) return respond(api::control_error(params.error()));
  const bool per_call = !call_sid.empty();
  auto query = api::parse_event_query(*params, std::move(call_sid));
  if (!query) return respond(api::control_error(query.error()));
  EngineHost& host = ctx.host;

  api::Response now;
  bool known = true;
  host.with_engine([&](core::Engine& e, core::Effects&) {
    if (per_call && !api::find_any_call(e, query->call_sid)) {
      // A reset or a delete removes the call, not its history: 404 only with no history.
      known = false;
      for (const auto& ev : e.journal().events()) {
        if (ev.call_sid == query->call_sid) {
          known = true;
          break;
        }
      }
    }
    if (!query->wait_for) now = api::events_response(e, *query);
  });
  if (!known) return respond(api::control_error(404, "No call " + query->call_sid, 20404));
  if (!query->wait_for) return respond(std::move(now));

  auto wait = std::make_shared<api::JournalWait>(*query);
  auto q = std::make_shared<api::EventQuery>(std::move(*query));
  host.wait_until([wait](const core::Engine& e) { return wait->holds(e); },
                  std::chrono::milliseconds(q->timeout_ms),
                  [&host, q, respond = std::move(respond)](bool held) {
                    api::Response r;
                    host.with_engine([&](core::Engine& e, core::Effects&) {
                      r = held ? api::events_response(e, *q) : api::wait_timeout_response(e, *q);
                    });
                    respond(std::move(r));
                  });
}

}  // namespace dialtone::server
