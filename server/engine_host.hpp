// Owns the engine and carries out what it asks for: sends its webhooks through the webhook
// client and feeds the results back, and fires its timers (an asio timer at next_due() with
// the real clock; advance() with the manual clock).
// Thread-safety: every public member may be called from any thread. The engine is
// single-threaded, so all access goes through one mutex (DESIGN.md: one lock, no strand on
// the same data); webhooks and timers run outside it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "core/engine.hpp"
#include "server/webhook_client.hpp"

namespace boost::asio {
class io_context;
}

namespace dialtone::server {

class EngineHost {
 public:
  using EngineFn = std::function<void(core::Engine&, core::Effects&)>;

  // Creates the default account and the configured ones.
  EngineHost(boost::asio::io_context& io, const config::Config& config);
  ~EngineHost();
  EngineHost(const EngineHost&) = delete;
  EngineHost& operator=(const EngineHost&) = delete;

  // Runs `fn` under the lock, then sends the webhooks it produced and re-arms the timer.
  void with_engine(const EngineFn& fn);

  bool manual_clock() const;
  core::TimePoint now() const;

  // Manual clock only: moves time forward by `by`, firing due timers in order. Before each
  // step it waits (up to `settle_cap` of wall time) for the webhooks of the previous step to
  // come back, so a test sees the same sequence on every run. `done` runs on an io thread.
  // Returns false (and does nothing) with the real clock.
  bool advance(core::Millis by, std::function<void()> done);
  bool advance(core::Millis by, std::chrono::milliseconds settle_cap,
               std::function<void()> done);

  // Webhooks sent and not yet fed back to the engine.
  size_t webhooks_in_flight() const;
  // Calls `done` once no webhook is in flight, or after `cap` of wall time.
  void when_settled(std::chrono::milliseconds cap, std::function<void()> done);

  WebhookClient& webhook_client();
  void stop();  // cancels the timer; webhooks in flight still complete

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialtone::server
