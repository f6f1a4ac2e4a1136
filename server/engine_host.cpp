#include "server/engine_host.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mutex>
#include <random>
#include <vector>

#include "server/real_clock.hpp"

namespace dialtone::server {

namespace asio = boost::asio;

namespace {

core::EngineConfig engine_config(const config::Config& c) {
  core::EngineConfig e;
  e.ring_seconds = c.ring_seconds;
  e.play_seconds = c.play_seconds;
  return e;
}

void add_accounts(core::Engine& engine, const config::Config& c) {
  core::Account main;
  main.sid = c.account_sid;
  main.auth_token = c.auth_token;
  main.owner_account_sid = c.account_sid;
  main.friendly_name = "dialtone default account";
  engine.accounts().put(main);
  for (const auto& a : c.accounts) {
    core::Account account;
    account.sid = a.sid;
    account.auth_token = a.auth_token;
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

  Impl(asio::io_context& io_context, const config::Config& c)
      : io(io_context),
        manual(c.clock == "manual"),
        real_clock(c.clock_speed),
        wall_clock(1.0),
        engine(manual ? static_cast<const core::Clock&>(manual_clock)
                      : static_cast<const core::Clock&>(real_clock),
               wall_clock, engine_config(c), std::random_device{}()),
        client(io_context, c.webhook),
        timer(io_context),
        default_settle_cap(c.webhook.total_timeout_ms + 1000) {
    add_accounts(engine, c);
  }

  asio::io_context& io;
  bool manual;
  core::ManualClock manual_clock;
  RealClock real_clock;
  RealClock wall_clock;
  core::Engine engine;  // guarded by mu
  WebhookClient client;

  mutable std::mutex mu;
  asio::steady_timer timer;          // guarded by mu
  size_t pending = 0;                // guarded by mu
  std::vector<Waiter> waiters;       // guarded by mu
  bool stopped = false;              // guarded by mu
  std::chrono::milliseconds default_settle_cap;

  const core::Clock& clock() const {
    return manual ? static_cast<const core::Clock&>(manual_clock) : real_clock;
  }

  // --- with mu held ---

  void arm_timer_locked() {
    if (manual || stopped) return;
    auto due = engine.next_due();
    if (!due) {
      timer.cancel();
      return;
    }
    timer.expires_after(real_clock.wall_delay_until(*due));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;  // re-armed or stopped
      self->fire_timers();
    });
  }

  // --- without mu ---

  void run(const EngineFn& fn) {
    core::Effects effects;
    {
      std::lock_guard lock(mu);
      fn(engine, effects);
      pending += effects.webhooks.size();
      arm_timer_locked();
    }
    dispatch(std::move(effects));
  }

  void fire_timers() {
    run([](core::Engine& e, core::Effects& out) { e.fire_due(out); });
  }

  void dispatch(core::Effects effects) {
    for (auto& request : effects.webhooks) {
      client.send(std::move(request), [self = shared_from_this()](core::WebhookResult result) {
        self->on_result(std::move(result));
      });
    }
  }

  void on_result(core::WebhookResult result) {
    core::Effects effects;
    std::vector<Waiter> settled;
    {
      std::lock_guard lock(mu);
      engine.on_webhook_result(result, effects);
      // Count the new webhooks before dropping this one, so "settled" is never seen early.
      pending += effects.webhooks.size();
      --pending;
      arm_timer_locked();
      if (pending == 0) settled.swap(waiters);
    }
    dispatch(std::move(effects));
    for (auto& w : settled) release(std::move(w));
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

  // One step of advance(): fire what is due by `target` (at its own due time), or finish.
  void advance_step(core::TimePoint target, std::chrono::milliseconds cap,
                    std::function<void()> done, int guard) {
    core::Effects effects;
    bool fired = false;
    {
      std::lock_guard lock(mu);
      auto due = engine.next_due();
      if (due && *due <= target && guard > 0) {
        if (*due > manual_clock.now()) manual_clock.set(*due);
        engine.fire_due(effects);
        pending += effects.webhooks.size();
        fired = true;
      } else if (target > manual_clock.now()) {
        manual_clock.set(target);
      }
    }
    if (!fired) {
      asio::post(io, std::move(done));
      return;
    }
    dispatch(std::move(effects));
    when_settled(cap, [self = shared_from_this(), target, cap, done = std::move(done), guard] {
      self->advance_step(target, cap, done, guard - 1);
    });
  }
};

EngineHost::EngineHost(asio::io_context& io, const config::Config& config)
    : impl_(std::make_shared<Impl>(io, config)) {
  std::lock_guard lock(impl_->mu);
  impl_->arm_timer_locked();
}

EngineHost::~EngineHost() { stop(); }

void EngineHost::with_engine(const EngineFn& fn) { impl_->run(fn); }

bool EngineHost::manual_clock() const { return impl_->manual; }

core::TimePoint EngineHost::now() const { return impl_->clock().now(); }

bool EngineHost::advance(core::Millis by, std::function<void()> done) {
  return advance(by, impl_->default_settle_cap, std::move(done));
}

bool EngineHost::advance(core::Millis by, std::chrono::milliseconds settle_cap,
                         std::function<void()> done) {
  if (!impl_->manual) return false;
  // Guard against a timer that never leaves the queue: at most this many steps per call.
  constexpr int kMaxSteps = 1'000'000;
  // Earlier webhooks settle first, so that this advance starts from a quiet engine.
  auto target = impl_->manual_clock.now() + by;
  impl_->when_settled(settle_cap, [impl = impl_, target, settle_cap, done = std::move(done)] {
    impl->advance_step(target, settle_cap, done, kMaxSteps);
  });
  return true;
}

size_t EngineHost::webhooks_in_flight() const {
  std::lock_guard lock(impl_->mu);
  return impl_->pending;
}

void EngineHost::when_settled(std::chrono::milliseconds cap, std::function<void()> done) {
  impl_->when_settled(cap, std::move(done));
}

WebhookClient& EngineHost::webhook_client() { return impl_->client; }

void EngineHost::stop() {
  std::lock_guard lock(impl_->mu);
  impl_->stopped = true;
  impl_->timer.cancel();
}

}  // namespace dialtone::server
