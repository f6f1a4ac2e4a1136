#include "api/twilio/members.hpp"

#include <array>

#include "api/params.hpp"
#include "api/twilio/resource_response.hpp"
#include "core/sid.hpp"

namespace dialtone::api {
namespace {

using core::queue::MemberView;
using resource::Field;
using resource::Value;

constexpr std::array<Field<MemberView>, 6> kMemberFields{{
    {"call_sid", "CallSid", [](const MemberView& m) { return Value::string(m.call_sid); }},
    {"date_enqueued", "DateEnqueued", [](const MemberView& m) { return Value::date(m.enqueued); }},
    {"position", "Position", [](const MemberView& m) { return Value::integer(m.position); }},
    {"uri", "Uri",
     [](const MemberView& m) {
       return Value::path("/2010-04-01/Accounts/" + m.account_sid + "/Queues/" + m.queue_sid +
                          "/Members/" + m.call_sid);
     }},
    {"wait_time", "WaitTime", [](const MemberView& m) { return Value::integer(m.wait_time_s); }},
    {"queue_sid", "QueueSid", [](const MemberView& m) { return Value::string(m.queue_sid); }},
}};

}  // namespace

const resource::Description<MemberView> kMemberDescription{"QueueMember", "queue_members",
                                                           "QueueMembers", kMemberFields};

Response list_members(core::Engine& engine, const ApiRequest& req) {
  const core::queue::Queue* q = engine.find_queue(req.route.account_sid, req.route.queue_sid);
  if (!q) return error_for(not_found(req.path), req);
  auto paging =
      parse_paging(req.query, [](std::string_view key) { return core::is_sid(key, "CA"); });
  if (!paging) return error_for(paging.error(), req);
  // In queue order: position 1 first.
  std::vector<MemberView> records;
  records.reserve(q->size());
  const core::TimePoint now = engine.now(req.route.account_sid);
  size_t position = 0;
  for (const core::queue::Member& m : q->members) {
    records.push_back(core::queue::member_view(*q, m, ++position, now));
  }
  return page_response(req, kMemberDescription, records, *paging,
                       [](const MemberView& m) { return std::string_view(m.call_sid); });
}

Response fetch_member(core::Engine& engine, const ApiRequest& req) {
  auto view = engine.find_member(req.route.account_sid, req.route.queue_sid, req.route.member);
  if (!view) return error_for(view.error(), req);
  Response r = resource_response(200, req, kMemberDescription, *view);
  r.call_sid = view->call_sid;
  return r;
}

Response update_member(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  // Unknown queues and members are 404 before any parameter is looked at, as for Calls.
  auto found = engine.find_member(req.route.account_sid, req.route.queue_sid, req.route.member);
  if (!found && !engine.find_queue(req.route.account_sid, req.route.queue_sid)) {
    return error_for(found.error(), req);
  }
  const std::string* url = req.body.get("Url");
  if (!url || url->empty()) {
    return error_for(core::bad_request(20001, "Missing required parameter Url in the post body"),
                     req);
  }
  if (auto e = check_url(*url, "Url")) return error_for(*e, req);
  auto method = parse_method(req.body, "Method");
  if (!method) return error_for(method.error(), req);
  auto view = engine.dequeue_member(req.route.account_sid, req.route.queue_sid, req.route.member,
                                    core::Webhook{*url, *method}, out);
  if (!view) return error_for(view.error(), req);
  Response r = resource_response(200, req, kMemberDescription, *view);
  r.call_sid = view->call_sid;
  return r;
}

}  // namespace dialtone::api
