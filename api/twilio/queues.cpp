#include "api/twilio/queues.hpp"

#include <array>
#include <optional>

#include "api/twilio/resource_response.hpp"
#include "core/sid.hpp"

namespace dialtone::api {
namespace {

using resource::Field;
using resource::Value;

constexpr std::array<Field<QueueRecord>, 9> kQueueFields{{
    {"date_updated", "DateUpdated",
     [](const QueueRecord& q) { return Value::date(q.date_updated); }},
    {"current_size", "CurrentSize",
     [](const QueueRecord& q) { return Value::integer(q.current_size); }},
    {"friendly_name", "FriendlyName",
     [](const QueueRecord& q) { return Value::string(q.friendly_name); }},
    {"uri", "Uri",
     [](const QueueRecord& q) {
       return Value::path("/2010-04-01/Accounts/" + q.account_sid + "/Queues/" + q.sid);
     }},
    {"account_sid", "AccountSid",
     [](const QueueRecord& q) { return Value::string(q.account_sid); }},
    {"average_wait_time", "AverageWaitTime",
     [](const QueueRecord& q) { return Value::integer(q.average_wait_time); }},
    {"sid", "Sid", [](const QueueRecord& q) { return Value::string(q.sid); }},
    {"date_created", "DateCreated",
     [](const QueueRecord& q) { return Value::date(q.date_created); }},
    {"max_size", "MaxSize", [](const QueueRecord& q) { return Value::integer(q.max_size); }},
}};

// MaxSize: an integer (its range is the engine's to check); absent or empty: not given.
core::Result<std::optional<int64_t>> max_size_of(const FormFields& body) {
  const std::string* v = body.get("MaxSize");
  if (!v || v->empty()) return std::optional<int64_t>{};
  int64_t n = 0;
  if (!parse_integer(*v, n)) {
    return core::bad_request(20001, "Invalid MaxSize: '" + *v + "' is not an integer");
  }
  return std::optional<int64_t>{n};
}

}  // namespace

const resource::Description<QueueRecord> kQueueDescription{"Queue", "queues", "Queues",
                                                           kQueueFields};

QueueRecord queue_record(const core::queue::Queue& q, core::TimePoint now) {
  QueueRecord r;
  r.sid = q.sid;
  r.account_sid = q.account_sid;
  r.friendly_name = q.friendly_name;
  r.current_size = static_cast<int64_t>(q.size());
  r.average_wait_time = q.average_wait_s(now);
  r.max_size = q.max_size;
  r.date_created = q.date_created;
  r.date_updated = q.date_updated;
  return r;
}

Response create_queue(core::Engine& engine, const ApiRequest& req) {
  const std::string* name = req.body.get("FriendlyName");
  if (!name || name->empty()) {
    return error_for(core::bad_request(20001,
                                       "Missing required parameter FriendlyName in the post "
                                       "body"),
                     req);
  }
  auto max_size = max_size_of(req.body);
  if (!max_size) return error_for(max_size.error(), req);
  auto created = engine.create_queue(req.route.account_sid, *name, *max_size);
  if (!created) return error_for(created.error(), req);
  return resource_response(201, req, kQueueDescription,
                           queue_record(**created, engine.now(req.route.account_sid)));
}

Response list_queues(core::Engine& engine, const ApiRequest& req) {
  auto paging =
      parse_paging(req.query, [](std::string_view key) { return core::is_sid(key, "QU"); });
  if (!paging) return error_for(paging.error(), req);
  const core::TimePoint now = engine.now(req.route.account_sid);
  std::vector<QueueRecord> records;
  for (const core::queue::Queue* q : engine.list_queues(req.route.account_sid)) {
    records.push_back(queue_record(*q, now));
  }
  return page_response(req, kQueueDescription, records, *paging,
                       [](const QueueRecord& q) { return std::string_view(q.sid); });
}

Response fetch_queue(core::Engine& engine, const ApiRequest& req) {
  const core::queue::Queue* q = engine.find_queue(req.route.account_sid, req.route.queue_sid);
  if (!q) return error_for(not_found(req.path), req);
  return resource_response(200, req, kQueueDescription,
                           queue_record(*q, engine.now(req.route.account_sid)));
}

Response update_queue(core::Engine& engine, const ApiRequest& req) {
  if (!engine.find_queue(req.route.account_sid, req.route.queue_sid)) {
    return error_for(not_found(req.path), req);
  }
  std::optional<std::string> name;
  if (const std::string* v = req.body.get("FriendlyName")) name = *v;
  auto max_size = max_size_of(req.body);
  if (!max_size) return error_for(max_size.error(), req);
  auto updated = engine.update_queue(req.route.account_sid, req.route.queue_sid, name, *max_size);
  if (!updated) return error_for(updated.error(), req);
  return resource_response(200, req, kQueueDescription,
                           queue_record(**updated, engine.now(req.route.account_sid)));
}

Response delete_queue(core::Engine& engine, const ApiRequest& req) {
  auto deleted = engine.delete_queue(req.route.account_sid, req.route.queue_sid);
  if (!deleted) return error_for(deleted.error(), req);
  Response r;
  r.status = 204;
  return r;
}

}  // namespace dialtone::api
