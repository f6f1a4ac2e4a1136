// GET /_dialtone/events and /_dialtone/calls/{CallSid}/events: the journal, filtered, and the
// conditions of its blocking waits (`wait_for`). The wait itself is the server's (it re-checks
// a JournalWait after every change to the engine); everything here is pure.
// Thread-safety: called with exclusive access to the Engine; a JournalWait is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/engine.hpp"
#include "core/result.hpp"

namespace dialtone::api {

// `status:completed`, an event type (prefix match: `webhook` matches `webhook.request`), or
// `type:field=value` (`verb:verb=Gather`).
struct WaitCondition {
  std::string text;    // as given, for the 408 message
  std::string type;    // event type prefix ("status" for status:X)
  std::string field;   // empty: any event of the type
  std::string value;
  bool call_status = false;  // status:X
};
core::Result<WaitCondition> parse_wait_for(std::string_view text);

struct EventQuery {
  std::string call_sid;
  std::string account_sid;
  std::vector<std::string> types;  // prefixes; empty: every type
  uint64_t since = 0;              // exclusive
  std::optional<WaitCondition> wait_for;
  int64_t timeout_ms = 5000;
};

inline constexpr int64_t kDefaultWaitMs = 5000;
inline constexpr int64_t kMaxWaitMs = 60000;

// call_sid, account_sid, type (repeatable), since, wait_for, timeout (seconds, <= 60).
// `call_sid` comes from the path for /calls/{CallSid}/events.
core::Result<EventQuery> parse_event_query(const FormFields& params, std::string call_sid);

// One event as the journal queries render it: {"seq", "account_sid", "call_sid", "type", "at",
// "at_ms", "wall", "fields": {...}} (also the data of the console stream's `journal` events).
std::string event_json(const core::JournalEvent& event);

// 200 {"events": [...], "last_seq": N}.
Response events_response(const core::Engine& engine, const EventQuery& query);
// 408 {"message": "timed out waiting for X", "status": 408, "last_seq": N}.
Response wait_timeout_response(const core::Engine& engine, const EventQuery& query);

// Whether the query's wait condition holds. Remembers how far it has scanned the journal, so
// re-checking after each change costs only the new events.
class JournalWait {
 public:
  explicit JournalWait(EventQuery query) : query_(std::move(query)) {}
  bool holds(const core::Engine& engine);

 private:
  EventQuery query_;
  uint64_t scanned_ = 0;  // events with seq <= scanned_ were looked at
};

}  // namespace dialtone::api
