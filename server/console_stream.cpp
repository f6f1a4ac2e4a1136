#include "server/console_stream.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "api/control_calls.hpp"
#include "api/control_journal.hpp"
#include "api/control_settings.hpp"
#include "api/render_json.hpp"

namespace dialtone::server {

namespace {

// The clock of the account a client watches (the default account's for "all"): each
// account's world has its own. Called with the engine lock held.
std::string clock_event(core::Engine& e, const std::string& account_sid,
                        const std::string& default_account) {
  const core::World& w = e.world(account_sid.empty() ? default_account : account_sid);
  return sse_event("clock", api::clock_json(EngineHost::clock_view(w)));
}

bool visible(const std::string& filter, std::string_view account_sid) {
  return filter.empty() || filter == account_sid;
}

// The newest calls of one account (or of all), oldest first, as `call` events.
std::string snapshot(const core::Engine& e, const std::string& account_sid) {
  std::vector<const core::Call*> calls;
  auto add = [&](const std::string& sid) {
    auto page = e.list_calls(sid, {}, ConsoleHub::kMaxSnapshotCalls, 0, {}, {});
    calls.insert(calls.end(), page.calls.begin(), page.calls.end());
  };
  if (!account_sid.empty()) {
    add(account_sid);
  } else {
    for (const auto& [sid, account] : e.accounts().all()) add(sid);
  }
  std::stable_sort(calls.begin(), calls.end(), [](const core::Call* a, const core::Call* b) {
    return a->date_created < b->date_created;
  });
  if (calls.size() > ConsoleHub::kMaxSnapshotCalls) {
    calls.erase(calls.begin(), calls.end() - ConsoleHub::kMaxSnapshotCalls);
  }
  std::string out;
  for (const core::Call* c : calls) out += sse_event("call", api::call_json(*c));
  return out;
}

}  // namespace

std::string sse_event(std::string_view event, std::string_view data, std::string_view id) {
  std::string out;
  out.reserve(data.size() + event.size() + id.size() + 32);
  if (!id.empty()) out.append("id: ").append(id).append("\n");
  out.append("event: ").append(event).append("\n");
  // A data line per line: a bare newline inside would end the field.
  size_t start = 0;
  for (;;) {
    const size_t nl = data.find('\n', start);
    out.append("data: ").append(data.substr(start, nl - start)).append("\n");
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out.append("\n");
  return out;
}

ConsoleHub::ConsoleHub(EngineHost& host) : host_(host) {}

size_t ConsoleHub::clients() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

void ConsoleHub::subscribe(std::shared_ptr<api::StreamSink> sink, Subscription sub) {
  bool start_watch = false;
  // Under the engine lock, so that no event slips between the catch-up and the live feed:
  // pump() fans out under the same lock.
  host_.with_engine([&](core::Engine& e, core::Effects&) {
    std::lock_guard lock(mu_);
    const core::Journal& j = e.journal();
    if (!watching_) pushed_.store(j.last_seq());  // nothing to fan out from before
    const uint64_t pushed = pushed_.load();
    // The browser retries 2 s after a drop, then resumes from the last id it saw.
    std::string out = "retry: 2000\n\n";
    out += sse_event("hello", "{\"last_seq\": " + std::to_string(pushed) + "}",
                     std::to_string(pushed));
    out += clock_event(e, sub.account_sid, host_.config().account_sid);
    if (sub.since && *sub.since < pushed) {
      auto first = std::partition_point(
          j.events().begin(), j.events().end(),
          [since = *sub.since](const core::JournalEvent& ev) { return ev.seq <= since; });
      auto end = std::partition_point(
          first, j.events().end(),
          [pushed](const core::JournalEvent& ev) { return ev.seq <= pushed; });
      if (static_cast<size_t>(end - first) > kMaxBacklog) {
        out += sse_event("resync", "{\"last_seq\": " + std::to_string(pushed) + "}",
                         std::to_string(pushed));
      } else {
        for (auto it = first; it != end; ++it) {
          if (!visible(sub.account_sid, it->account_sid)) continue;
          out += sse_event("journal", api::event_json(*it), std::to_string(it->seq));
        }
      }
    }
    out += snapshot(e, sub.account_sid);
    if (!sink->write(std::move(out))) return;
    clients_.push_back({std::move(sink), std::move(sub.account_sid),
                        std::chrono::steady_clock::now()});
    if (!watching_) {
      watching_ = true;
      start_watch = true;
    }
  });
  if (start_watch) watch();
}

void ConsoleHub::watch() {
  // Holds as soon as the journal grows; times out (a heartbeat turn) after kHeartbeat.
  host_.wait_until(
      [self = shared_from_this()](const core::Engine& e) {
        return e.journal().last_seq() > self->pushed_.load();
      },
      kHeartbeat, [self = shared_from_this()](bool changed) { self->pump(changed); });
}

void ConsoleHub::pump(bool changed) {
  bool again = false;
  host_.with_engine([&](core::Engine& e, core::Effects&) {
    std::lock_guard lock(mu_);
    std::erase_if(clients_, [](const Client& c) { return !c.sink->open(); });
    if (clients_.empty()) {
      watching_ = false;
      return;
    }
    again = true;
    const auto now = std::chrono::steady_clock::now();
    const core::Journal& j = e.journal();
    const uint64_t last = j.last_seq();
    if (changed && last > pushed_.load()) {
      auto first = std::partition_point(
          j.events().begin(), j.events().end(),
          [since = pushed_.load()](const core::JournalEvent& ev) { return ev.seq <= since; });
      // Rendered once, then each client gets the part its account filter lets through.
      struct Rendered {
        std::string_view account_sid;
        std::string text;
      };
      std::vector<Rendered> events;
      std::vector<std::pair<const std::string*, std::string>> calls;  // account, call event
      std::set<std::string> touched;
      for (auto it = first; it != j.events().end(); ++it) {
        events.push_back({it->account_sid.str(),
                          sse_event("journal", api::event_json(*it), std::to_string(it->seq))});
        if (it->call_sid.empty() || !touched.insert(it->call_sid.str()).second) continue;
        if (const core::Call* c = api::find_any_call(e, it->call_sid.str())) {
          calls.emplace_back(&c->account_sid, sse_event("call", api::call_json(*c)));
        }
      }
      for (auto& client : clients_) {
        std::string out;
        for (const auto& r : events) {
          if (visible(client.account_sid, r.account_sid)) out += r.text;
        }
        for (const auto& [account, text] : calls) {
          if (visible(client.account_sid, *account)) out += text;
        }
        if (out.empty()) continue;
        out += clock_event(e, client.account_sid, host_.config().account_sid);
        client.sink->write(std::move(out));
        client.last_write = now;
      }
      pushed_.store(last);
    }
    for (auto& client : clients_) {
      if (now - client.last_write < kHeartbeat - std::chrono::milliseconds(500)) continue;
      client.sink->write(": heartbeat\n\n");
      client.last_write = now;
    }
  });
  if (again) watch();
}

}  // namespace dialtone::server
