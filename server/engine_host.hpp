// Owns the engine and carries out what it asks for: sends its webhooks through the webhook
// client and feeds the results back, and fires its timers. Each account's world has its own
// switchable clock (made here, owned by the core::World) and its own wake-up: an asio timer at
// the world's next_due() with the real clock; advance() with the manual clock, which fires that
// world's timers and waits for that world's webhooks only. It also holds the configuration
// seed that a full reset restores, the waiters of the journal's blocking waits and the metrics
// it feeds.
// Thread-safety: every public member may be called from any thread. The engine is
// single-threaded, so all access goes through one mutex (DESIGN.md: one lock, no strand on
// the same data); webhooks and timers run outside it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/control_settings.hpp"
#include "config/config.hpp"
#include "core/engine.hpp"
#include "core/function_ref.hpp"
#include "server/group_commit.hpp"
#include "server/metrics.hpp"
#include "server/switchable_clock.hpp"
#include "server/webhook_client.hpp"

namespace boost::asio {
class io_context;
}

namespace dialtone::server {

class StreamClient;

class EngineHost {
 public:
  // Called before the function taking it returns: never kept, so never copied or allocated.
  using EngineFn = core::FunctionRef<void(core::Engine&, core::Effects&)>;

  // Creates the default account and the configured ones. With config.data_dir: opens the
  // store (throws StoreError, server/store.hpp), loads what it holds, ends the calls that were
  // live (their callbacks go out once io runs) and writes that back before returning.
  EngineHost(boost::asio::io_context& io, const config::Config& config);
  ~EngineHost();
  EngineHost(const EngineHost&) = delete;
  EngineHost& operator=(const EngineHost&) = delete;

  // Runs `fn` under the lock and re-arms the timers; with data_dir, hands what it changed to
  // the store's writer (server/group_commit.hpp) and blocks until that is on disk. The
  // webhooks it produced go out once it is. Throws StoreError when that write failed.
  void with_engine(EngineFn fn);
  // The same without blocking: returns what an answer about it must wait for, for
  // when_durable(). The serving path of the Twilio API, so that an I/O thread never waits
  // for the disk and one commit carries the changes of many requests.
  using Durability = GroupCommit::Wait;
  Durability with_engine_async(EngineFn fn);
  // Runs done(ok) once the change (or, for a request that changed nothing, every change it
  // may have seen) is on disk: at once without data_dir or when it is already, else on an
  // io thread. ok is false when writing the caller's own change failed: answer 5xx.
  void when_durable(Durability wait, std::function<void(bool ok)> done);
  // Writes accounts, numbers and behaviours to the store (no-op without data_dir); called
  // after the control API changed them, before the answer goes out. Blocks until they (and
  // every change before them) are on disk. Throws StoreError.
  void save_settings();
  bool persistent() const;  // data_dir is set

  // What start-up found in data_dir (empty without one), for the log after "listening on".
  const std::string& startup_note() const;
  // The clock of an account's world (of its root account; made on first use).
  bool manual_clock(const std::string& account_sid) const;
  core::TimePoint now(const std::string& account_sid) const;
  const SwitchableClock& clock(const std::string& account_sid) const;
  // Switches a world's clock at runtime (virtual time stays continuous) and re-arms its timer.
  void set_clock(const std::string& account_sid, SwitchableClock::Mode mode, double speed);
  // Sets up the clock of a world made in this with_engine hold (Engine::create_world: its
  // wake-up is armed when the hold ends) as if it had been made so: a manual clock starts at
  // the fixed instant, as with --clock manual. And how a world's clock reads there: every
  // world's clock is a SwitchableClock made here. `mode`: "real" or "manual" (unset: as is).
  static void set_world_clock(core::World& world, const std::optional<std::string>& mode,
                              std::optional<double> speed);
  static api::ClockView clock_view(const core::World& world);

  // Manual clock only: moves the account's world forward by `by`, firing its due timers in
  // order. Before each step it waits (up to `settle_cap` of wall time) for the webhooks of
  // that world's previous step to come back, so a test sees the same sequence on every run.
  // `done` runs on an io thread. Returns false (and does nothing) with the real clock.
  bool advance(const std::string& account_sid, core::Millis by, std::function<void()> done);
  // The same, reporting how many live timers fired. Concurrent advances of one world run one
  // after the other, each from where the previous one left its clock; other worlds' advances
  // run beside them.
  bool advance_counted(const std::string& account_sid, core::Millis by,
                       std::chrono::milliseconds settle_cap,
                       std::function<void(size_t fired)> done);
  std::chrono::milliseconds default_settle_cap() const;

  // Blocking waits without polling: `check` runs under the engine lock now and after every
  // change to the engine (API request, webhook result, timer); `done(true)` runs on an io
  // thread once it holds, `done(false)` once `timeout` passes first.
  using Check = std::function<bool(const core::Engine&)>;
  void wait_until(Check check, std::chrono::milliseconds timeout,
                  std::function<void(bool held)> done);

  // Full reset: calls, journal, and accounts, numbers and behaviours back to the configuration;
  // the worlds of accounts the configuration does not name go too.
  void reset_all();
  // One account's calls, journal and numbers (a root's: with its subaccounts', and its world's
  // behaviours and limit back to what a new world starts with). Its clock stays.
  void reset_account(const std::string& account_sid);
  // Removes an account and frees what it held: a root account takes its subaccounts and its
  // whole world (clock, timers, calls, journal, numbers, behaviours) along.
  void delete_account(const std::string& account_sid);

  // An account's snapshot (core/snapshot/snapshot.hpp; docs/accounts.md), its clock's mode
  // and speed included.
  core::Result<core::AccountSnapshot> snapshot(const std::string& account_sid);
  // Replaces the account's state with the snapshot's, its clock included, in one hold, and
  // writes it to data_dir before returning (throws StoreError, after the change, when that
  // write failed). A refused snapshot changes nothing.
  core::Status restore(const std::string& account_sid, core::AccountSnapshot snapshot);

  Metrics& metrics();
  const config::Config& config() const;  // as given at start-up

  // Webhooks sent and not yet fed back to the engine.
  size_t webhooks_in_flight() const;
  // Calls `done` once no webhook is in flight (in any world), or after `cap` of wall time.
  void when_settled(std::chrono::milliseconds cap, std::function<void()> done);

  WebhookClient& webhook_client();
  StreamClient& stream_client();  // the Media Streams' WebSocket client
  void stop();  // cancels the timer; webhooks in flight still complete
  // Shutdown: stop(), then wait up to `budget` for the webhooks in flight (and those their
  // results lead to) to be delivered; whatever is still out is journaled as
  // `webhook.undelivered` (and logged), its late result dropped. `done` runs on an io thread.
  void drain(std::chrono::milliseconds budget, std::function<void(size_t undelivered)> done);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialtone::server
