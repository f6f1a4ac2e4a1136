// One write to the store: copies of what the engine changed, made by Store::prepare under
// the engine lock, so that the store's writer thread can commit them later without touching
// the engine. Calls, notifications and events are copied, not rendered: the writer renders them (a durable
// create's rendering was ~2 us of the I/O thread, which the writer has to spare; eighteenth
// session).
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/call.hpp"
#include "core/journal.hpp"
#include "core/notification.hpp"

namespace dialtone::server {

struct StoreBatch {
  bool reset_all = false;
  std::vector<std::string> reset_accounts;
  std::vector<core::Call> calls;
  std::vector<std::string> deleted;  // call sids
  std::vector<core::Notification> notifications;
  std::vector<core::JournalEvent> events;  // in journal order
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
