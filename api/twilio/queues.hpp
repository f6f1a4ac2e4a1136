// Twilio's Queue resource: POST/GET .../Queues, GET/POST/DELETE .../Queues/{Sid}. The Queue is
// described once (kQueueDescription, the spec's fields in the spec's order); that description
// renders it as JSON and XML and pages it. docs/queues.md has the choices where Twilio is silent.
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include <cstdint>
#include <string>

#include "api/resource/resource.hpp"
#include "api/twilio/request.hpp"
#include "core/queue/queue_book.hpp"

namespace dialtone::api {

// A queue as rendered: copies, so that rendering may happen after the engine lock is released.
// current_size and average_wait_time are read at the request's instant.
struct QueueRecord {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;
  int64_t current_size = 0;
  int64_t average_wait_time = 0;
  int64_t max_size = 0;
  core::TimePoint date_created{};
  core::TimePoint date_updated{};
};
QueueRecord queue_record(const core::queue::Queue& q, core::TimePoint now);

extern const resource::Description<QueueRecord> kQueueDescription;

Response create_queue(core::Engine& engine, const ApiRequest& req);
Response list_queues(core::Engine& engine, const ApiRequest& req);
Response fetch_queue(core::Engine& engine, const ApiRequest& req);
Response update_queue(core::Engine& engine, const ApiRequest& req);
Response delete_queue(core::Engine& engine, const ApiRequest& req);

}  // namespace dialtone::api
