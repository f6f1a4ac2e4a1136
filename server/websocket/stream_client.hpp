// The outbound WebSocket client of Media Streams: one connection per stream, to the ws:// or
// wss:// URL the engine names (wss with the same certificate checks as HTTPS webhooks:
// webhook.ca_file, webhook.insecure_tls, webhook.allowed_hosts), the upgrade signed with
// X-Twilio-Signature over the URL. It carries out the engine's StreamCommands in order and
// reports what happens on each socket as StreamEvents. Beast stays in the .cpp.
//
// Bounds: connect + TLS + upgrade within webhook.connect_timeout_ms (31901 when it runs out,
// 31902 refused or unresolvable, 31920 TLS or an upgrade answered with anything but 101);
// an app message over core::stream::kMaxAppMessageBytes fails the stream (31951); an app that
// does not read fails its stream once kMaxQueuedBytes wait to be written or one write takes
// kWriteTimeout (31921). A failed or closed stream's socket is gone; the call never waits on it.
// Thread-safety: execute(), abort() and the counters may be called from any thread; each
// connection runs on its own strand. Handlers run on io threads, never inline.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/engine.hpp"

namespace boost::asio {
class io_context;
}

namespace dialtone::server {

class StreamClient {
 public:
  static constexpr size_t kMaxQueuedBytes = 1 << 20;  // ~60 s of frames of one track
  static constexpr std::chrono::seconds kWriteTimeout{10};

  // `counted` is the flag given to execute() with the command the event answers (an open's
  // kOpened or kFailed); events the app causes are never counted.
  using OnEvent = std::function<void(core::StreamEvent event, bool counted)>;
  // A counted kSend is done: written, or dropped with its stream.
  using OnSent = std::function<void(const std::string& account_sid)>;

  StreamClient(boost::asio::io_context& io, const config::WebhookConfig& config);
  ~StreamClient();
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  // A kSend given a due instant was handed to its socket this long after it.
  using OnLateness = std::function<void(std::chrono::microseconds lateness)>;

  // Set once, before the first execute().
  void set_handlers(OnEvent on_event, OnSent on_sent, OnLateness on_lateness = nullptr);
  // Commands of one stream are carried out in the order execute() is called with them.
  // `counted`: report the completion (OnSent for a kSend, the OnEvent of a kOpen). `due`: the
  // wall instant a real-time frame was owed (its lateness is reported as its write starts).
  void execute(core::StreamCommand command, bool counted,
               std::optional<std::chrono::steady_clock::time_point> due = std::nullopt);
  // Drops a stream's socket at once, without a close handshake (a reset forgot it).
  void abort(uint64_t stream_id);
  size_t open_connections() const;
  void close_all();  // shutdown: every socket closed now

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialtone::server
