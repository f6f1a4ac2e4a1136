// One write to the store, as rows that own their text: what Store::prepare made of the
// engine's changes under the engine lock, so that the store's writer thread can commit it
// later without touching the engine.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dialtone::server {

struct StoreBatch {
  struct CallRow {
    std::string sid, account_sid, body;
  };
  struct NotificationRow {
    std::string sid, account_sid, call_sid, body;
  };
  struct EventRow {
    int64_t seq = 0;
    std::string account_sid, call_sid;
    int64_t at_ms = 0, wall_ms = 0;
    std::string type, fields;
  };

  bool reset_all = false;
  std::vector<std::string> reset_accounts;
  std::vector<CallRow> calls;
  std::vector<std::string> deleted;  // call sids
  std::vector<NotificationRow> notifications;
  std::vector<EventRow> events;         // in journal order
  std::optional<std::string> settings;  // the settings document, when it may have changed

  bool empty() const { return !holds_state() && events.empty(); }
  // Anything but journal events: a change some client may be told about. A batch of events
  // alone (the journal line of a fetch) need not be on disk before anyone is answered.
  bool holds_state() const {
    return reset_all || !reset_accounts.empty() || !calls.empty() || !deleted.empty() ||
           !notifications.empty() || settings.has_value();
  }
};

}  // namespace dialtone::server
