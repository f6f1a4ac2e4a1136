#include "api/twilio/call_resource.hpp"

#include <array>
#include <string>

namespace dialtone::api {
namespace {

using core::Call;
using core::Notification;
using resource::Field;
using resource::Value;

std::string notification_path_of(const Notification& n) {
  std::string path = call_path(n.account_sid, n.call_sid);
  path += "/Notifications/";
  path += n.sid;
  return path;
}

constexpr std::array<Field<Call>, 26> kCallFields{{
    {"sid", "Sid", [](const Call& c) { return Value::text_of(c.sid); }},
    {"date_created", "DateCreated", [](const Call& c) { return Value::date(c.date_created); }},
    {"date_updated", "DateUpdated", [](const Call& c) { return Value::date(c.date_updated); }},
    {"parent_call_sid", "ParentCallSid",
     [](const Call& c) { return Value::string(c.parent_call_sid); }},
    {"account_sid", "AccountSid", [](const Call& c) { return Value::text_of(c.account_sid); }},
    {"to", "To", [](const Call& c) { return Value::text_of(c.to); }},
    {"to_formatted", "ToFormatted",
     [](const Call& c) { return Value::text_of(c.to_formatted.empty() ? c.to : c.to_formatted); }},
    {"from", "From", [](const Call& c) { return Value::text_of(c.from); }},
    {"from_formatted", "FromFormatted",
     [](const Call& c) {
       return Value::text_of(c.from_formatted.empty() ? c.from : c.from_formatted);
     }},
    {"phone_number_sid", "PhoneNumberSid",
     [](const Call& c) { return Value::string(c.phone_number_sid); }},
    {"status", "Status", [](const Call& c) { return Value::text_of(core::to_wire(c.status)); }},
    {"start_time", "StartTime", [](const Call& c) { return Value::date(c.start_time); }},
    {"end_time", "EndTime", [](const Call& c) { return Value::date(c.end_time); }},
    {"duration", "Duration", [](const Call& c) { return Value::int_string(c.duration_s); }},
    {"price", "Price", [](const Call& c) { return Value::string(c.price); }},
    {"price_unit", "PriceUnit", [](const Call&) { return Value::text_of("USD"); }},
    {"direction", "Direction",
     [](const Call& c) { return Value::text_of(core::to_wire(c.direction)); }},
    {"answered_by", "AnsweredBy", [](const Call& c) { return Value::string(c.answered_by); }},
    {"api_version", "ApiVersion", [](const Call&) { return Value::text_of(kApiVersion); }},
    {"forwarded_from", "ForwardedFrom",
     [](const Call& c) { return Value::string(c.forwarded_from); }},
    {"group_sid", "GroupSid", [](const Call&) { return Value::null(); }},
    {"caller_name", "CallerName", [](const Call& c) { return Value::string(c.caller_name); }},
    {"queue_time", "QueueTime", [](const Call& c) { return Value::int_string(c.queue_time_ms); }},
    {"trunk_sid", "TrunkSid", [](const Call&) { return Value::null(); }},
    {"uri", "Uri", [](const Call& c) { return Value::path(call_path(c.account_sid, c.sid)); }},
    {"subresource_uris", "SubresourceUris",
     [](const Call& c) {
       return Value::subresources_of(call_path(c.account_sid, c.sid), kCallSubresources);
     }},
}};

constexpr std::array<Field<Notification>, 17> kNotificationFields{{
    {"account_sid", "AccountSid",
     [](const Notification& n) { return Value::text_of(n.account_sid); }},
    {"api_version", "ApiVersion", [](const Notification&) { return Value::text_of(kApiVersion); }},
    {"call_sid", "CallSid", [](const Notification& n) { return Value::text_of(n.call_sid); }},
    {"date_created", "DateCreated",
     [](const Notification& n) { return Value::date(n.date_created); }},
    {"date_updated", "DateUpdated",
     [](const Notification& n) { return Value::date(n.date_created); }},
    {"error_code", "ErrorCode",
     [](const Notification& n) { return Value::text_of(std::to_string(n.error_code)); }},
    {"log", "Log", [](const Notification& n) { return Value::text_of(std::to_string(n.log)); }},
    {"message_date", "MessageDate",
     [](const Notification& n) { return Value::date(n.date_created); }},
    {"message_text", "MessageText",
     [](const Notification& n) { return Value::text_of(n.message_text); }},
    {"more_info", "MoreInfo",
     [](const Notification& n) {
       return Value::text_of("https://www.twilio.com/docs/errors/" + std::to_string(n.error_code));
     }},
    {"request_method", "RequestMethod",
     [](const Notification& n) { return Value::string(n.request_method); }},
    {"request_url", "RequestUrl",
     [](const Notification& n) { return Value::text_of(n.request_url); }},
    {"request_variables", "RequestVariables",
     [](const Notification& n) { return Value::text_of(n.request_variables); }, true},
    {"response_body", "ResponseBody",
     [](const Notification& n) { return Value::text_of(n.response_body); }, true},
    {"response_headers", "ResponseHeaders",
     [](const Notification& n) { return Value::text_of(n.response_headers); }, true},
    {"sid", "Sid", [](const Notification& n) { return Value::text_of(n.sid); }},
    {"uri", "Uri", [](const Notification& n) { return Value::path(notification_path_of(n)); }},
}};

}  // namespace

const resource::Description<Call> kCallDescription{"Call", "calls", "Calls", kCallFields};
const resource::Description<Notification> kNotificationDescription{
    "Notification", "notifications", "Notifications", kNotificationFields};

}  // namespace dialtone::api
