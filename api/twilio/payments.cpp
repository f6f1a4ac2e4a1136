#include "api/twilio/payments.hpp"

#include <array>
#include <optional>

#include "api/twilio/call_resource_record.hpp"
#include "api/twilio/resource_response.hpp"

namespace dialtone::api {
namespace {

namespace f = call_resource_fields;
using Kind = core::call_resources::Kind;

// The spec's order (api.v2010.account.call.payments).
constexpr std::array<resource::Field<CallResourceRecord>, 6> kPaymentFields{{
    {"account_sid", "AccountSid", f::account_sid},
    {"call_sid", "CallSid", f::call_sid},
    {"sid", "Sid", f::sid},
    {"date_created", "DateCreated", f::date_created},
    {"date_updated", "DateUpdated", f::date_updated},
    {"uri", "Uri", f::uri},
}};
const resource::Description<CallResourceRecord> kPaymentDescription{"Payment", "payments",
                                                                    "Payments", kPaymentFields};

std::optional<core::TwilioError> missing_required(const FormFields& body) {
  for (const char* name : {"IdempotencyKey", "StatusCallback"}) {
    const std::string* v = body.get(name);
    if (!v || v->empty()) return missing_param(name);
  }
  return std::nullopt;
}

}  // namespace

Response create_payment(core::Engine& engine, const ApiRequest& req) {
  if (auto e = missing_required(req.body)) return error_for(*e, req);
  auto created =
      engine.create_call_resource(req.route.account_sid, req.route.call_sid, Kind::kPayment, {});
  if (!created) return error_for(created.error(), req);
  return resource_response(201, req, kPaymentDescription,
                           CallResourceRecord::of(**created, "Payments"));
}

Response update_payment(core::Engine& engine, const ApiRequest& req) {
  if (auto e = missing_required(req.body)) return error_for(*e, req);
  const std::string* status = req.body.get("Status");
  if (status && *status != "complete" && *status != "cancel") {
    return error_for(core::bad_request(20001, "Invalid Status: '" + *status +
                                                  "' (complete or cancel)"),
                     req);
  }
  auto updated = engine.update_call_resource(req.route.account_sid, req.route.call_sid,
                                             Kind::kPayment, req.route.item, false);
  if (!updated) return error_for(updated.error(), req);
  return resource_response(202, req, kPaymentDescription,
                           CallResourceRecord::of(**updated, "Payments"));
}

}  // namespace dialtone::api
