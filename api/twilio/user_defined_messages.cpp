#include "api/twilio/user_defined_messages.hpp"

#include <array>

#include "api/twilio/call_resource_record.hpp"
#include "api/twilio/resource_response.hpp"

namespace dialtone::api {
namespace {

namespace f = call_resource_fields;
using Kind = core::call_resources::Kind;

// The spec's order (api.v2010.account.call.user_defined_message: no date_updated, no uri).
constexpr std::array<resource::Field<CallResourceRecord>, 4> kMessageFields{{
    {"account_sid", "AccountSid", f::account_sid},
    {"call_sid", "CallSid", f::call_sid},
    {"sid", "Sid", f::sid},
    {"date_created", "DateCreated", f::date_created},
}};
const resource::Description<CallResourceRecord> kMessageDescription{
    "UserDefinedMessage", "user_defined_messages", "UserDefinedMessages", kMessageFields};

// (api.v2010.account.call.user_defined_message_subscription)
constexpr std::array<resource::Field<CallResourceRecord>, 5> kSubscriptionFields{{
    {"account_sid", "AccountSid", f::account_sid},
    {"call_sid", "CallSid", f::call_sid},
    {"sid", "Sid", f::sid},
    {"date_created", "DateCreated", f::date_created},
    {"uri", "Uri", f::uri},
}};
const resource::Description<CallResourceRecord> kSubscriptionDescription{
    "UserDefinedMessageSubscription", "user_defined_message_subscriptions",
    "UserDefinedMessageSubscriptions", kSubscriptionFields};

constexpr std::string_view kSubscriptions = "UserDefinedMessageSubscriptions";

}  // namespace

Response create_user_defined_message(core::Engine& engine, const ApiRequest& req) {
  const std::string* content = req.body.get("Content");
  if (!content || content->empty()) return error_for(missing_param("Content"), req);
  auto created = engine.create_call_resource(req.route.account_sid, req.route.call_sid,
                                             Kind::kUserDefinedMessage, {});
  if (!created) return error_for(created.error(), req);
  return resource_response(201, req, kMessageDescription,
                           CallResourceRecord::of(**created, "UserDefinedMessages"));
}

Response create_user_defined_message_subscription(core::Engine& engine, const ApiRequest& req) {
  const std::string* callback = req.body.get("Callback");
  if (!callback || callback->empty()) return error_for(missing_param("Callback"), req);
  if (const std::string* m = req.body.get("Method"); m && *m != "GET" && *m != "POST") {
    return error_for(core::bad_request(20001, "Invalid Method: '" + *m + "' (GET or POST)"), req);
  }
  auto created = engine.create_call_resource(req.route.account_sid, req.route.call_sid,
                                             Kind::kUserDefinedMessageSubscription, {});
  if (!created) return error_for(created.error(), req);
  return resource_response(201, req, kSubscriptionDescription,
                           CallResourceRecord::of(**created, kSubscriptions));
}

Response delete_user_defined_message_subscription(core::Engine& engine, const ApiRequest& req) {
  auto deleted = engine.delete_call_resource(req.route.account_sid, req.route.call_sid,
                                             Kind::kUserDefinedMessageSubscription,
                                             req.route.item);
  if (!deleted) return error_for(deleted.error(), req);
  Response r;
  r.status = 204;
  return r;
}

}  // namespace dialtone::api
