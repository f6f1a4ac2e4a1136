// GET and POST /_dialtone/accounts/{AccountSid}/snapshot: an account's whole state as one JSON
// document, and such a document loaded over an account's state (docs/accounts.md). The POST
// body is the document itself, not parameters, so it is read here rather than by
// control_params (which takes a JSON body's members for parameters and refuses objects).
#include "api/control/snapshot.hpp"
#include "api/control_request.hpp"
#include "server/control_api.hpp"
#include "server/store.hpp"

namespace dialtone::server {

api::Response handle_snapshot(ControlContext& ctx, const api::Request& req,
                              const std::string& account_sid) {
  EngineHost& host = ctx.host;
  bool known = false;
  host.with_engine([&](core::Engine& e, core::Effects&) {
    known = e.accounts().find(account_sid) != nullptr;
  });
  if (!known) return api::control_error(404, "No account " + account_sid);
  if (req.method != "POST") {  // GET or HEAD
    auto snapshot = host.snapshot(account_sid);
    if (!snapshot) return api::control_error(snapshot.error());
    return api::control_json(200, api::snapshot_json(*snapshot));
  }
  auto document = api::parse_snapshot(req.body, account_sid);
  if (!document) return api::control_error(document.error());
  std::string answer = api::restored_json(account_sid, *document);
  try {
    auto restored = host.restore(account_sid, std::move(*document));
    if (!restored) return api::control_error(restored.error());
  } catch (const StoreError&) {
    return api::control_error(500, "data_dir: the restored account could not be written (see "
                                   "the log)");
  }
  return api::control_json(200, std::move(answer));
}

}  // namespace dialtone::server
