// The control API's fault routes: /_dialtone/faults (rules) and
// /_dialtone/accounts/{AccountSid}/signature (signature faults). Parsing and rendering are
// api/control/faults.hpp's; here they meet the table.
#include "api/control/faults.hpp"
#include "api/control_request.hpp"
#include "server/control_api.hpp"

namespace dialtone::server {

namespace {

bool account_known(EngineHost& host, const std::string& account_sid) {
  bool known = false;
  host.with_engine([&](core::Engine& engine, core::Effects&) {
    known = engine.accounts().find(account_sid) != nullptr;
  });
  return known;
}

// Every rule and signature fault, or one account's.
api::Response listing(const faults::FaultTable& table, const std::string& account_sid) {
  std::vector<core::faults::RuleEntry> rules = table.rules();
  std::vector<api::SignatureFaultView> signatures;
  for (const auto& [sid, fault] : table.signature_faults()) signatures.push_back({sid, fault});
  if (!account_sid.empty()) {
    std::erase_if(rules, [&](const auto& e) { return e.rule.account_sid != account_sid; });
    std::erase_if(signatures, [&](const auto& s) { return s.account_sid != account_sid; });
  }
  return api::control_json(200, api::faults_json(rules, signatures));
}

}  // namespace

api::Response handle_faults(ControlContext& ctx, const api::Request& req,
                            const api::FormFields& params) {
  faults::FaultTable& table = ctx.faults.table();
  if (req.method == "POST") {
    auto rule = api::parse_fault_rule(params, ctx.host.config().account_sid);
    if (!rule) return api::control_error(rule.error());
    if (!account_known(ctx.host, rule->account_sid)) {
      return api::control_error(404, "No account " + rule->account_sid);
    }
    return api::control_json(201, api::fault_rule_json(table.add(std::move(*rule))));
  }
  if (req.method == "DELETE") {
    auto selection = api::parse_fault_selection(params);
    if (!selection) return api::control_error(selection.error());
    if (selection->id) {
      if (!table.remove(*selection->id)) {
        return api::control_error(404, "No fault rule " + std::to_string(*selection->id));
      }
    } else if (!selection->account_sid.empty()) {
      table.clear_account(selection->account_sid);
    } else {
      table.clear();
    }
    return listing(table, {});
  }
  const std::string* account = params.get("AccountSid");
  return listing(table, account ? *account : std::string());
}

api::Response handle_signature_fault(ControlContext& ctx, const api::Request& req,
                                     const std::string& account_sid,
                                     const api::FormFields& params) {
  if (!account_known(ctx.host, account_sid)) {
    return api::control_error(404, "No account " + account_sid);
  }
  faults::FaultTable& table = ctx.faults.table();
  if (req.method == "POST") {
    auto fault = api::parse_signature_fault_param(params);
    if (!fault) return api::control_error(fault.error());
    table.set_signature_fault(account_sid, *fault);
  }
  return api::control_json(
      200, api::signature_fault_json({account_sid, table.signature_fault(account_sid)}));
}

}  // namespace dialtone::server
