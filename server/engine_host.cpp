#include "server/engine_host.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <vector>

#include "server/adaptive_mutex.hpp"
#include "server/real_clock.hpp"
#include "server/store.hpp"

namespace dialtone::server {

namespace asio = boost::asio;

namespace {

core::EngineConfig engine_config(const config::Config& c) {
  core::EngineConfig e;
  e.ring_seconds = c.ring_seconds;
  e.play_seconds = c.play_seconds;
  e.max_calls_per_second = c.limits.calls_per_second;
  e.track_changes = !c.data_dir.empty();  // only a store drains take_changes()
  return e;
}

core::HttpMethod method_of(const std::string& m) {
  return m == "GET" ? core::HttpMethod::kGet : core::HttpMethod::kPost;
}

core::Outcome outcome_of(const std::string& o) {
  if (o == "busy") return core::Outcome::kBusy;
  if (o == "no-answer") return core::Outcome::kNoAnswer;
  if (o == "fail") return core::Outcome::kFail;
  return core::Outcome::kAnswer;
}

// Behaviours and numbers of the configuration file (validated by config::validate).
void add_seed(core::Engine& engine, const config::Config& c, core::SidGenerator& sids) {
  for (const auto& bc : c.behaviors) {
    core::Behavior b;
    b.outcome = outcome_of(bc.outcome);
    b.answer_after_s = bc.answer_after_s;
    b.answered_by = bc.answered_by;
    b.gather_inputs = bc.gather;
    b.hangup_after_s = bc.hangup_after_s;
    b.record_seconds = bc.record_seconds;
    if (bc.is_default) {
      engine.behaviors().set_default(std::move(b));
    } else {
      engine.behaviors().add(bc.number, std::move(b));
    }
  }
  for (const auto& nc : c.numbers) {
    core::PhoneNumber n;
    n.sid = sids.next("PN");
    n.account_sid = nc.account_sid.empty() ? c.account_sid : nc.account_sid;
    n.phone_number = nc.phone_number;
    n.voice_url = {nc.voice_url, method_of(nc.voice_method)};
    n.voice_fallback = {nc.voice_fallback_url, method_of(nc.voice_fallback_method)};
    n.status_callback = {nc.status_callback, method_of(nc.status_callback_method)};
    engine.numbers().put(std::move(n));
  }
}

void add_accounts(core::Engine& engine, const config::Config& c) {
  core::Account main;
  main.sid = c.account_sid;
  main.auth_token = c.auth_token;
  main.secondary_auth_token = c.secondary_auth_token;
  main.owner_account_sid = c.account_sid;
  main.friendly_name = "dialtone default account";
  engine.accounts().put(main);
  for (const auto& a : c.accounts) {
    core::Account account;
    account.sid = a.sid;
    account.auth_token = a.auth_token;
    account.secondary_auth_token = a.secondary_auth_token;
    account.owner_account_sid = a.owner_account_sid.empty() ? a.sid : a.owner_account_sid;
    account.friendly_name = a.friendly_name;
    for (const auto& k : a.api_keys) account.api_keys.push_back({k.sid, k.secret});
    engine.accounts().put(std::move(account));
  }
}

}  // namespace

struct EngineHost::Impl : std::enable_shared_from_this<EngineHost::Impl> {
  struct Waiter {
    std::function<void()> done;
    std::shared_ptr<asio::steady_timer> cap;
  };
  // A blocking wait of the control API: re-checked after every change.
  struct Watch {
    Check check;
    std::shared_ptr<std::function<void(bool)>> finish;  // runs once (see wait_until)
  };

  Impl(asio::io_context& io_context, const config::Config& c)
      : io(io_context),
        config(c),
        clock(c.clock == "manual" ? SwitchableClock::Mode::kManual : SwitchableClock::Mode::kReal,
              c.clock_speed),
        wall_clock(1.0),
        engine(clock, wall_clock, engine_config(c), std::random_device{}()),
        client(io_context, c.webhook),
        timer(io_context),
        default_settle_cap(c.webhook.total_timeout_ms + 1000) {
    seed_locked();
    if (!c.data_dir.empty()) open_store_locked();
  }

  asio::io_context& io;
  const config::Config config;
  SwitchableClock clock;
  RealClock wall_clock;
  core::Engine engine;  // guarded by mu
  WebhookClient client;
  Metrics metrics;
  core::SidGenerator seed_sids;  // guarded by mu

  mutable AdaptiveMutex mu;  // see adaptive_mutex.hpp
  asio::steady_timer timer;          // guarded by mu
  std::optional<core::TimePoint> armed_due;  // what `timer` waits for (real clock); mu
  size_t pending = 0;                // guarded by mu
  std::vector<Waiter> waiters;       // guarded by mu
  std::vector<Watch> watches;        // guarded by mu
  bool stopped = false;              // guarded by mu
  // Webhooks handed to the client and not yet fed back: what shutdown journals as undelivered.
  std::map<uint64_t, core::WebhookRequest> sending;  // guarded by mu; params left out
  bool closed = false;  // guarded by mu; after drain(): late results are dropped
  bool advancing = false;            // guarded by mu
  std::deque<std::function<void()>> advance_queue;  // guarded by mu
  std::chrono::milliseconds default_settle_cap;
  std::unique_ptr<Store> store;  // guarded by mu; null without data_dir
  std::string startup_note;      // written once by the constructor
  core::Effects recovered;       // the recovery's callbacks, sent once io runs

  bool manual() const { return clock.mode() == SwitchableClock::Mode::kManual; }

  // --- with mu held ---

  void seed_locked() {
    add_accounts(engine, config);
    add_seed(engine, config, seed_sids);
  }

  // Start-up with data_dir: what was saved replaces the seed (the configured accounts keep
  // their configured tokens), calls that were live end (recover_live_calls), and everything
  // is written back before the first request is served.
  void open_store_locked() {
    store = Store::open(config.data_dir);
    const bool had_settings = store->has_settings();
    const StoreStats loaded = store->load(engine);
    if (had_settings) add_accounts(engine, config);
    // A manual clock starts where the saved journal left off, so nothing moves backwards.
    if (manual() && !engine.journal().events().empty()) {
      clock.set_manual(std::max(clock.now(), engine.journal().events().back().at));
    }
    const size_t live = engine.recover_live_calls(recovered);
    track_locked(recovered);
    persist_locked(/*settings=*/true);
    // Logged by main() after the "listening on" line, which must stay the first log line.
    startup_note = fmt::format("data_dir {}: {} call(s), {} notification(s), {} journal "
                               "event(s) loaded; {} live call(s) ended by the restart",
                               store->path(), loaded.calls, loaded.notifications,
                               loaded.events, live);
  }

  // Writes what changed since the last write, before the lock is released and before any
  // answer leaves: a 2xx means it is on disk. Throws StoreError.
  void persist_locked(bool settings = false) {
    if (!store) return;
    store->write(engine.take_changes(), settings ? &engine : nullptr);
  }

  // For changes that no HTTP answer waits on (timers, webhook results): a failed write is
  // logged; the next write carries what changed after it.
  void persist_or_log_locked() {
    try {
      persist_locked();
    } catch (const StoreError& e) {
      spdlog::error("data_dir: write failed: {}", e.what());
    }
  }

  // Work that `fn` made due at this very instant (the dial of a call just created) runs in
  // the same hold instead of on a posted turn, which cost a second lock and a wake-up of the
  // other I/O thread per create. The request's answer was taken before (rendered, or copied
  // for rendering), so a create still answers "queued".
  void fire_due_now_locked(core::Effects& effects) {
    if (stopped) return;
    if (auto due = engine.next_due(); due && *due <= clock.now()) engine.fire_due(effects);
  }

  void arm_timer_locked() {
    if (stopped) return;
    auto due = engine.next_due();
    if (!due || manual()) {
      if (armed_due) timer.cancel();
      armed_due.reset();
      // Work due at this very instant (dialling a call just created) needs nobody to move a
      // manual clock; only what lies in the future waits for /_dialtone/clock/advance.
      if (due && manual() && *due <= clock.now()) {
        asio::post(io, [self = shared_from_this()] { self->fire_timers(); });
      }
      return;
    }
    // Every request and webhook result comes through here, and the next timer is nearly
    // always the one already set: re-setting it would cancel a wait and start another (two
    // trips through the reactor and a wasted completion each time).
    if (armed_due == due) return;
    armed_due = due;
    timer.expires_after(clock.wall_delay_until(*due));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;  // re-armed or stopped
      {
        std::lock_guard lock(self->mu);
        self->armed_due.reset();
      }
      self->fire_timers();
    });
  }

  // Re-checks the blocking waits; the ones that hold are finished after the lock is released.
  void check_watches_locked(std::vector<std::shared_ptr<std::function<void(bool)>>>& held) {
    if (watches.empty()) return;
    std::erase_if(watches, [&](const Watch& w) {
      if (!w.check(engine)) return false;
      held.push_back(w.finish);
      return true;
    });
  }

  // Counts and records the webhooks of `effects` before they go to the client, in the same
  // lock hold that produced them (one hold per webhook result, not two).
  void track_locked(const core::Effects& effects) {
    pending += effects.webhooks.size();
    for (const auto& r : effects.webhooks) {
      core::WebhookRequest brief;
      brief.id = r.id;
      brief.account_sid = r.account_sid;
      brief.call_sid = r.call_sid;
      brief.purpose = r.purpose;
      brief.target = r.target;
      sending.emplace(r.id, std::move(brief));
    }
  }

  void finish_watches(std::vector<std::shared_ptr<std::function<void(bool)>>>& held) {
    for (auto& f : held) asio::post(io, [f] { (*f)(true); });
  }

  // --- without mu ---

  // A failed write throws out of run() after the engine lock is released: the request that
  // caused it is answered 500, never 2xx. Its webhooks still go out (the engine moved on).
  void run(const EngineFn& fn, bool settings = false) {
    core::Effects effects;
    std::vector<std::shared_ptr<std::function<void(bool)>>> held;
    std::exception_ptr failed;
    {
      std::lock_guard lock(mu);
      fn(engine, effects);
      fire_due_now_locked(effects);
      try {
        persist_locked(settings);
      } catch (const StoreError& e) {
        spdlog::error("data_dir: write failed: {}", e.what());
        failed = std::current_exception();
      }
      track_locked(effects);
      arm_timer_locked();
      check_watches_locked(held);
    }
    dispatch(std::move(effects));
    finish_watches(held);
    if (failed) std::rethrow_exception(failed);
  }

  void fire_timers() {
    try {
      run([](core::Engine& e, core::Effects& out) { e.fire_due(out); });
    } catch (const StoreError&) {
      // Logged by run(); a timer has nobody to answer.
    }
  }

  // Sends webhooks that track_locked() recorded.
  void dispatch(core::Effects effects) {
    for (auto& request : effects.webhooks) {
      client.send(std::move(request), [self = shared_from_this()](core::WebhookResult result) {
        self->on_result(std::move(result));
      });
    }
  }

  void on_result(core::WebhookResult result) {
    metrics.observe_webhook(result.latency.count(), result.error_code, result.http_status);
    core::Effects effects;
    std::vector<Waiter> settled;
    std::vector<std::shared_ptr<std::function<void(bool)>>> held;
    {
      std::lock_guard lock(mu);
      if (closed) return;  // journaled as undelivered already
      sending.erase(result.id);
      engine.on_webhook_result(result, effects);
      persist_or_log_locked();
      // Count the new webhooks before dropping this one, so "settled" is never seen early.
      track_locked(effects);
      --pending;
      arm_timer_locked();
      check_watches_locked(held);
      if (pending == 0) settled.swap(waiters);
    }
    dispatch(std::move(effects));
    finish_watches(held);
    for (auto& w : settled) release(std::move(w));
  }

  // Shutdown: records every webhook still out as `webhook.undelivered` and drops the results
  // that come later. Returns how many there were.
  size_t close_and_journal_undelivered() {
    std::vector<Waiter> waiting;
    std::unique_lock lock(mu);
    closed = true;
    // Nothing settles any more: release every waiter (drain's own has run already), which also
    // drops the references they hold to this object.
    waiting.swap(waiters);
    for (const auto& [id, r] : sending) {
      const char* purpose = r.purpose == core::WebhookPurpose::kTwiml            ? "twiml"
                            : r.purpose == core::WebhookPurpose::kFallback       ? "fallback"
                            : r.purpose == core::WebhookPurpose::kStatusCallback ? "status_callback"
                                                                                 : "action";
      const char* method = r.target.method == core::HttpMethod::kGet ? "GET" : "POST";
      engine.record(r.account_sid, r.call_sid, "webhook.undelivered",
                    {{"id", std::to_string(id)},
                     {"url", r.target.url},
                     {"method", method},
                     {"purpose", purpose},
                     {"reason", "shutdown"}});
      spdlog::warn("shutdown: webhook {} for call {} not delivered: {} {}", id, r.call_sid,
                   method, r.target.url);
    }
    size_t n = sending.size();
    sending.clear();
    persist_or_log_locked();
    lock.unlock();
    for (auto& w : waiting) release(std::move(w));
    return n;
  }

  void release(Waiter w) {
    if (w.cap) w.cap->cancel();
    asio::post(io, std::move(w.done));
  }

  void when_settled(std::chrono::milliseconds cap, std::function<void()> done) {
    // One shot: whichever of "settled" and "cap expired" comes first runs `done`.
    auto once = std::make_shared<std::once_flag>();
    auto fire = [once, done = std::move(done)] { std::call_once(*once, done); };
    std::lock_guard lock(mu);
    if (pending == 0) {
      asio::post(io, fire);
      return;
    }
    auto t = std::make_shared<asio::steady_timer>(io, cap);
    t->async_wait([fire](boost::system::error_code) { fire(); });
    waiters.push_back({fire, t});
  }

  void wait_until(Check check, std::chrono::milliseconds timeout,
                  std::function<void(bool)> done) {
    auto once = std::make_shared<std::once_flag>();
    auto t = std::make_shared<asio::steady_timer>(io, timeout);
    auto finish = std::make_shared<std::function<void(bool)>>(
        [once, t, done = std::move(done)](bool held) {
          std::call_once(*once, [&] {
            t->cancel();
            done(held);
          });
        });
    {
      std::lock_guard lock(mu);
      if (check(engine)) {
        asio::post(io, [finish] { (*finish)(true); });
        return;
      }
      watches.push_back({std::move(check), finish});
    }
    t->async_wait([self = shared_from_this(), finish](boost::system::error_code ec) {
      if (ec) return;  // it held first
      {
        std::lock_guard lock(self->mu);
        std::erase_if(self->watches, [&](const Watch& w) { return w.finish == finish; });
      }
      (*finish)(false);
    });
  }

  // One step of advance(): fire what is due by `target` (at its own due time), or finish.
  void advance_step(core::TimePoint target, std::chrono::milliseconds cap,
                    std::function<void(size_t)> done, int guard, size_t fired_so_far) {
    core::Effects effects;
    bool fired = false;
    size_t fired_now = 0;
    std::vector<std::shared_ptr<std::function<void(bool)>>> held;
    {
      std::lock_guard lock(mu);
      auto due = engine.next_due();
      if (due && *due <= target && guard > 0 && manual()) {
        clock.set_manual(*due);
        fired_now = engine.fire_due(effects);
        persist_or_log_locked();
        track_locked(effects);
        fired = true;
      } else {
        clock.set_manual(target);
      }
      check_watches_locked(held);
    }
    finish_watches(held);
    if (!fired) {
      // The next advance starts only once this one has answered: the answer reads the clock,
      // and with both posted at once it could read the next advance's time.
      asio::post(io, [self = shared_from_this(), done = std::move(done), fired_so_far] {
        struct Next {
          Impl& impl;
          ~Next() { impl.next_advance(); }  // however `done` ends
        } next{*self};
        done(fired_so_far);
      });
      return;
    }
    dispatch(std::move(effects));
    const size_t total = fired_so_far + fired_now;
    when_settled(cap, [self = shared_from_this(), target, cap, done = std::move(done), guard,
                       total] { self->advance_step(target, cap, done, guard - 1, total); });
  }

  // Starts an advance now, or queues it behind the one running.
  void enqueue_advance(std::function<void()> start) {
    {
      std::lock_guard lock(mu);
      if (advancing) {
        advance_queue.push_back(std::move(start));
        return;
      }
      advancing = true;
    }
    start();
  }

  void next_advance() {
    std::function<void()> start;
    {
      std::lock_guard lock(mu);
      if (advance_queue.empty()) {
        advancing = false;
        return;
      }
      start = std::move(advance_queue.front());
      advance_queue.pop_front();
    }
    start();
  }
};

EngineHost::EngineHost(asio::io_context& io, const config::Config& config)
    : impl_(std::make_shared<Impl>(io, config)) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->arm_timer_locked();
  }
  impl_->dispatch(std::move(impl_->recovered));
}

EngineHost::~EngineHost() { stop(); }

void EngineHost::with_engine(const EngineFn& fn) { impl_->run(fn); }

bool EngineHost::manual_clock() const { return impl_->manual(); }

const std::string& EngineHost::startup_note() const { return impl_->startup_note; }

core::TimePoint EngineHost::now() const { return impl_->clock.now(); }

const SwitchableClock& EngineHost::clock() const { return impl_->clock; }

void EngineHost::set_clock(SwitchableClock::Mode mode, double speed) {
  std::lock_guard lock(impl_->mu);
  impl_->clock.set(mode, speed);
  impl_->armed_due.reset();  // the same virtual instant is another wall time now
  impl_->arm_timer_locked();
}

bool EngineHost::advance(core::Millis by, std::function<void()> done) {
  return advance(by, impl_->default_settle_cap, std::move(done));
}

bool EngineHost::advance(core::Millis by, std::chrono::milliseconds settle_cap,
                         std::function<void()> done) {
  return advance_counted(by, settle_cap, [done = std::move(done)](size_t) { done(); });
}

bool EngineHost::advance_counted(core::Millis by, std::chrono::milliseconds settle_cap,
                                 std::function<void(size_t)> done) {
  if (!impl_->manual()) return false;
  // Guard against a timer that never leaves the queue: at most this many steps per call.
  constexpr int kMaxSteps = 1'000'000;
  impl_->enqueue_advance([impl = impl_, by, settle_cap, done = std::move(done)] {
    // Earlier webhooks settle first, so that this advance starts from a quiet engine. The
    // target is taken when this advance starts, after any that ran before it.
    impl->when_settled(settle_cap, [impl, by, settle_cap, done] {
      auto target = impl->clock.now() + by;
      impl->advance_step(target, settle_cap, done, kMaxSteps, 0);
    });
  });
  return true;
}

std::chrono::milliseconds EngineHost::default_settle_cap() const {
  return impl_->default_settle_cap;
}

void EngineHost::wait_until(Check check, std::chrono::milliseconds timeout,
                            std::function<void(bool held)> done) {
  impl_->wait_until(std::move(check), timeout, std::move(done));
}

void EngineHost::save_settings() {
  std::lock_guard lock(impl_->mu);
  impl_->persist_locked(/*settings=*/true);
}

bool EngineHost::persistent() const { return impl_->store != nullptr; }

void EngineHost::reset_all() {
  impl_->run([&](core::Engine& e, core::Effects&) {
    e.reset();
    for (const auto& [sid, a] : std::map<std::string, core::Account>(e.accounts().all())) {
      e.accounts().erase(sid);
    }
    e.behaviors().clear();
    core::Behavior b;
    b.answer_after_s = impl_->config.ring_seconds;
    e.behaviors().set_default(b);
    e.numbers().clear();
    impl_->seed_locked();
  }, /*settings=*/true);
}

void EngineHost::reset_account(const std::string& account_sid) {
  impl_->run([&](core::Engine& e, core::Effects&) { e.reset_account(account_sid); },
             /*settings=*/true);
}

Metrics& EngineHost::metrics() { return impl_->metrics; }

const config::Config& EngineHost::config() const { return impl_->config; }

size_t EngineHost::webhooks_in_flight() const {
  std::lock_guard lock(impl_->mu);
  return impl_->pending;
}

void EngineHost::when_settled(std::chrono::milliseconds cap, std::function<void()> done) {
  impl_->when_settled(cap, std::move(done));
}

WebhookClient& EngineHost::webhook_client() { return impl_->client; }

void EngineHost::drain(std::chrono::milliseconds budget,
                       std::function<void(size_t undelivered)> done) {
  stop();
  impl_->when_settled(budget, [impl = impl_, done = std::move(done)] {
    const size_t undelivered = impl->close_and_journal_undelivered();
    impl->client.close_idle();
    done(undelivered);
  });
}

void EngineHost::stop() {
  std::lock_guard lock(impl_->mu);
  impl_->stopped = true;
  impl_->armed_due.reset();
  impl_->timer.cancel();
}

}  // namespace dialtone::server
