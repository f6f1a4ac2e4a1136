// The console's live feed, GET /_dialtone/stream (Server-Sent Events): each journal event as
// `event: journal` (id: its seq, so Last-Event-ID resumes), a snapshot of each call it touched
// as `event: call` (Twilio's JSON), the clock as `event: clock`, and a comment line as a
// heartbeat when a client has had nothing for 15 s. One watch on the engine host (its blocking
// wait mechanism) serves every client: when the journal grows, the new events are rendered once
// and fanned out; nothing polls per client. The hub watches only while a client is connected.
// Thread-safety: every public member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"
#include "server/engine_host.hpp"

namespace dialtone::server {

// One Server-Sent Event: "id: ..\nevent: ..\ndata: ..\n\n" (a data line per line of `data`;
// no id line when `id` is empty).
std::string sse_event(std::string_view event, std::string_view data, std::string_view id = {});

class ConsoleHub : public std::enable_shared_from_this<ConsoleHub> {
 public:
  // A resumed client gets at most this many missed events; further behind, it gets `resync`
  // (reload what you show) and the current calls instead.
  static constexpr size_t kMaxBacklog = 2000;
  // Calls sent to a client when it connects, newest kept.
  static constexpr size_t kMaxSnapshotCalls = 200;
  static constexpr std::chrono::seconds kHeartbeat{15};

  struct Subscription {
    std::string account_sid;        // empty: every account
    std::optional<uint64_t> since;  // resume after this seq (Last-Event-ID or ?since=)
  };

  explicit ConsoleHub(EngineHost& host);

  // Starts the feed on `sink`: `hello` {last_seq}, the clock, the missed events (with
  // `since`), the recent calls; then everything live until the sink closes.
  void subscribe(std::shared_ptr<api::StreamSink> sink, Subscription subscription);
  size_t clients() const;

 private:
  struct Client {
    std::shared_ptr<api::StreamSink> sink;
    std::string account_sid;
    std::chrono::steady_clock::time_point last_write;
  };

  void watch();
  void pump(bool changed);

  EngineHost& host_;
  mutable std::mutex mu_;         // taken inside the engine lock, never around it
  std::vector<Client> clients_;   // guarded by mu_
  // The last seq fanned out; written under both locks, read by the watch under the engine one.
  std::atomic<uint64_t> pushed_{0};
  bool watching_ = false;         // guarded by mu_
};

}  // namespace dialtone::server
