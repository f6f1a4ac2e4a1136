// The record Payments, UserDefinedMessages and UserDefinedMessageSubscriptions render from
// (core/call_resources/): each resource's description picks its fields, in the spec's order.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

#include "api/resource/resource.hpp"
#include "core/call_resources/call_resource_book.hpp"

namespace dialtone::api {

struct CallResourceRecord {
  std::string account_sid;
  std::string call_sid;
  std::string sid;
  core::TimePoint date_created{};
  core::TimePoint date_updated{};
  std::string_view collection;  // the uri's segment: "Payments", ...

  static CallResourceRecord of(const core::call_resources::CallResource& r,
                               std::string_view collection) {
    return {r.account_sid, r.call_sid, r.sid, r.date_created, r.date_updated, collection};
  }
};

// The fields the three share, for their descriptions.
namespace call_resource_fields {
inline resource::Value account_sid(const CallResourceRecord& r) {
  return resource::Value::string(r.account_sid);
}
inline resource::Value call_sid(const CallResourceRecord& r) {
  return resource::Value::string(r.call_sid);
}
inline resource::Value sid(const CallResourceRecord& r) { return resource::Value::string(r.sid); }
inline resource::Value date_created(const CallResourceRecord& r) {
  return resource::Value::date(r.date_created);
}
inline resource::Value date_updated(const CallResourceRecord& r) {
  return resource::Value::date(r.date_updated);
}
inline resource::Value uri(const CallResourceRecord& r) {
  return resource::Value::path("/2010-04-01/Accounts/" + r.account_sid + "/Calls/" + r.call_sid +
                               "/" + std::string(r.collection) + "/" + r.sid);
}
}  // namespace call_resource_fields

}  // namespace dialtone::api
