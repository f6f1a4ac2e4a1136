#include "server/engine_host.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <unordered_map>
#include <vector>

#include "server/adaptive_mutex.hpp"
#include "server/group_commit.hpp"
#include "server/real_clock.hpp"
#include "server/store.hpp"
#include "server/timed_transaction.hpp"
#include "server/websocket/stream_client.hpp"

namespace dialtone::server {

namespace asio = boost::asio;

namespace {

core::EngineConfig engine_config(const config::Config& c) {
  core::EngineConfig e;
  e.ring_seconds = c.ring_seconds;
  e.play_seconds = c.play_seconds;
  e.media_base_url = c.media_base_url;
  e.max_calls_per_second = c.limits.calls_per_second;
  e.track_changes = !c.data_dir.empty();  // only a store drains take_changes()
  e.default_account_sid = c.account_sid;
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

// Behaviours and numbers of the configuration file (validated by config::validate). The
// behaviours are what every account's world starts with.
void add_seed(core::Engine& engine, const config::Config& c) {
  core::BehaviorTable& table = engine.world_template().behaviors;
  table.clear();
  core::Behavior ring;
  ring.answer_after_s = c.ring_seconds;
  table.set_default(ring);
  engine.world_template().calls_per_second = c.limits.calls_per_second;
  for (const auto& bc : c.behaviors) {
    core::Behavior b;
    b.outcome = outcome_of(bc.outcome);
    b.answer_after_s = bc.answer_after_s;
    b.answered_by = bc.answered_by;
    b.gather_inputs = bc.gather;
    if (auto script = core::callee::make_script(bc.script)) b.script = std::move(*script);
    b.hangup_after_s = bc.hangup_after_s;
    b.record_seconds = bc.record_seconds;
    if (bc.is_default) {
      table.set_default(std::move(b));
    } else {
      table.add(bc.number, std::move(b));
    }
  }
  engine.for_each_world([&](core::World& w) {
    w.behaviors = table;
    w.calls_per_second = engine.world_template().calls_per_second;
    w.numbers.clear();
  });
  for (const auto& nc : c.numbers) {
    core::PhoneNumber n;
    n.account_sid = nc.account_sid.empty() ? c.account_sid : nc.account_sid;
    n.sid = engine.world(n.account_sid).sids.next("PN");
    n.phone_number = nc.phone_number;
    n.voice_url = {nc.voice_url, method_of(nc.voice_method)};
    n.voice_fallback = {nc.voice_fallback_url, method_of(nc.voice_fallback_method)};
    n.status_callback = {nc.status_callback, method_of(nc.status_callback_method)};
    engine.numbers(n.account_sid).put(std::move(n));
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

// The host's side of one account's world: its clock (made by the host's clock factory), the
// wall-clock timer that wakes it in real mode, the webhooks it has out, and its advances.
struct HostWorld {
  HostWorld(asio::io_context& io, std::string root, SwitchableClock& c)
      : sid(std::move(root)), clock(c), timer(io) {}
  struct Waiter {
    std::function<void()> done;
    std::shared_ptr<asio::steady_timer> cap;
  };
  const std::string sid;
  SwitchableClock& clock;                    // owned by the core::World
  asio::steady_timer timer;                  // guarded by mu
  std::optional<core::TimePoint> armed_due;  // what `timer` waits for (real clock); mu
  size_t pending = 0;                        // webhooks out; guarded by mu
  std::vector<Waiter> waiters;               // until pending is 0; guarded by mu
  // The ids of its webhooks out, in the order they were sent, and the results that came back
  // before an earlier one of them (EngineHost::Impl::in_order_locked). Guarded by mu.
  std::set<uint64_t> out;
  std::map<uint64_t, core::WebhookResult> early;
  bool advancing = false;                    // guarded by mu
  std::deque<std::function<void()>> advance_queue;  // guarded by mu
  bool gone = false;                         // its account was deleted; guarded by mu
  bool manual() const { return clock.mode() == SwitchableClock::Mode::kManual; }
};

struct EngineHost::Impl : std::enable_shared_from_this<EngineHost::Impl> {
  using Waiter = HostWorld::Waiter;
  // A blocking wait of the control API: re-checked after every change.
  struct Watch {
    Check check;
    std::shared_ptr<std::function<void(bool)>> finish;  // runs once (see wait_until)
  };
  using Held = std::vector<std::shared_ptr<std::function<void(bool)>>>;
  using Wait = GroupCommit::Wait;

  Impl(asio::io_context& io_context, const config::Config& c)
      : io(io_context),
        config(c),
        clock_mode(c.clock == "manual" ? SwitchableClock::Mode::kManual
                                       : SwitchableClock::Mode::kReal),
        wall_clock(1.0),
        engine(
            [mode = clock_mode, speed = c.clock_speed](const std::string&) {
              return std::make_unique<SwitchableClock>(mode, speed);
            },
            wall_clock, engine_config(c),
            core::parse_seed(c.seed).value_or(std::random_device{}())),
        client(io_context, c.webhook),
        streams(io_context, c.webhook),
        default_settle_cap(c.webhook.total_timeout_ms + 1000) {
    seed_locked();
    if (!c.data_dir.empty()) open_store_locked();
  }

  asio::io_context& io;
  const config::Config config;
  const SwitchableClock::Mode clock_mode;  // of every new world (the configuration's)
  RealClock wall_clock;
  core::Engine engine;  // guarded by mu
  WebhookClient client;
  StreamClient streams;  // the Media Streams' sockets (server/websocket/)
  Metrics metrics;

  mutable AdaptiveMutex mu;  // see adaptive_mutex.hpp
  // By root account sid; shared with the asynchronous work that names one. Guarded by mu.
  std::unordered_map<std::string, std::shared_ptr<HostWorld>> worlds;
  size_t pending = 0;                // every world's webhooks out; guarded by mu
  std::vector<Waiter> waiters;       // until no webhook is out anywhere; guarded by mu
  std::vector<Watch> watches;        // guarded by mu
  bool stopped = false;              // guarded by mu
  // Webhooks handed to the client and not yet fed back: what shutdown journals as undelivered.
  std::map<uint64_t, core::WebhookRequest> sending;  // guarded by mu; params left out
  bool closed = false;  // guarded by mu; after drain(): late results are dropped
  std::chrono::milliseconds default_settle_cap;
  std::unique_ptr<Store> store;  // null without data_dir; the writer's after start-up
  std::unique_ptr<TimedTransaction> timed_store;  // the store, its commits timed (metrics)
  // Commits the batches made under mu (after `store`: it goes first). Null without data_dir.
  std::unique_ptr<GroupCommit> writer;
  std::string startup_note;      // written once by the constructor
  core::Effects recovered;       // the recovery's callbacks, sent once io runs

  static SwitchableClock& clock_of(core::World& w) {
    return static_cast<SwitchableClock&>(*w.clock);  // the factory above made every one
  }

  // --- with mu held ---

  HostWorld& host_world_locked(core::World& w) {
    auto& hw = worlds[w.sid];
    if (!hw) hw = std::make_shared<HostWorld>(io, w.sid, clock_of(w));
    return *hw;
  }
  HostWorld& host_world_locked(const std::string& account_sid) {
    return host_world_locked(engine.world(account_sid));
  }

  // After Engine::erase_world: its wake-up stops, its waiters go, its advances finish.
  void forget_world_locked(const std::string& sid) {
    auto it = worlds.find(sid);
    if (it == worlds.end()) return;
    std::shared_ptr<HostWorld> hw = it->second;
    worlds.erase(it);
    hw->gone = true;
    hw->armed_due.reset();
    hw->timer.cancel();
    std::vector<Waiter> released;
    take_waiters(hw->waiters, released);
    // Results that waited for an earlier one have nothing left to apply to, but they were
    // counted as out: they stop counting now (the rest do when they come back).
    for (const auto& [id, result] : hw->early) {
      sending.erase(id);
      --pending;
    }
    hw->early.clear();
    if (pending == 0) take_waiters(waiters, released);
    for (auto& w : released) release(std::move(w));
  }

  void seed_locked() {
    add_accounts(engine, config);
    add_seed(engine, config);
  }

  // Start-up with data_dir: what was saved replaces the seed (the configured accounts keep
  // their configured tokens), calls that were live end (recover_live_calls), and everything
  // is written back before the first request is served.
  void open_store_locked() {
    store = Store::open(config.data_dir);
    const bool had_settings = store->has_settings();
    const StoreStats loaded = store->load(engine);
    if (had_settings) add_accounts(engine, config);
    // A manual clock starts where its world's saved journal left off, so nothing moves
    // backwards.
    for (const auto& e : engine.journal().events()) {
      SwitchableClock& c = clock_of(engine.world(e.account_sid.str()));
      if (c.mode() == SwitchableClock::Mode::kManual && e.at > c.now()) c.set_manual(e.at);
    }
    const size_t live = engine.recover_live_calls(recovered);
    track_locked(recovered);
    // Written here, before anything listens; from now on only the writer thread commits.
    store->write(engine.take_changes(), &engine);
    timed_store = std::make_unique<TimedTransaction>(
        *store, [&m = metrics](std::chrono::microseconds d) { m.observe_store_commit(d); });
    writer = std::make_unique<GroupCommit>(
        *timed_store,
        [&io = io](std::function<void()> f) { asio::post(io, std::move(f)); },
        [](bool failing, const std::string& message) {
          if (failing) {
            spdlog::error("{}", message);
          } else {
            spdlog::info("{}", message);
          }
        },
        GroupCommit::kMaxGather, [s = store.get(), &m = metrics] {
          const auto started = std::chrono::steady_clock::now();
          s->sync();  // a failed sync is not timed: the metric is of the disk's flushes
          m.observe_store_sync(std::chrono::duration_cast<std::chrono::microseconds>(
              std::chrono::steady_clock::now() - started));
        });
    // Logged by main() after the "listening on" line, which must stay the first log line.
    startup_note = fmt::format("data_dir {}: {} call(s), {} notification(s), {} journal "
                               "event(s) loaded; {} live call(s) ended by the restart",
                               store->path(), loaded.calls, loaded.notifications,
                               loaded.events, live);
  }

  // Hands what changed since the last call to the writer. Returns what an answer about it
  // must wait for (nothing without data_dir): no answer leaves before the change it reports,
  // or any change it may have seen, is on disk. The writer logs failed writes and writes the
  // change again until it is on disk.
  Wait persist_locked(bool settings = false) {
    if (!writer) return {};
    core::Changes changes = engine.take_changes();
    if (changes.empty() && !settings) return writer->read_point();
    StoreBatch batch = Store::prepare(changes, settings ? &engine : nullptr);
    if (batch.empty()) return writer->read_point();  // e.g. only a read's journal line
    return writer->submit(std::move(batch));
  }

  // What a hold produced leaves the process once the change behind it is durable: webhooks
  // (their request tells the app about a call) and the blocking waits that now hold.
  void release_after(Wait wait, core::Effects effects, Held held) {
    if (!writer || wait.ticket == 0) {
      dispatch(std::move(effects));
      finish_watches(held);
      return;
    }
    if (effects.webhooks.empty() && held.empty()) return;
    writer->when_durable(wait, [self = shared_from_this(), effects = std::move(effects),
                                held = std::move(held)](bool) mutable {
      self->dispatch(std::move(effects));
      self->finish_watches(held);
    });
  }

  // The worlds whose next timer may have moved get their wake-ups re-armed. Work that became
  // due at this very instant (the dial of a call just created) runs in the same hold instead
  // of on a posted turn, which cost a second lock and a wake-up of the other I/O thread per
  // create. The request's answer was taken before (rendered, or copied for rendering), so a
  // create still answers "queued".
  void fire_now_and_arm_locked(core::Effects& effects) {
    std::vector<core::World*> touched = engine.take_touched();
    if (stopped) return;  // nothing fires or is armed once stop() has run
    for (core::World* w : touched) {
      if (auto due = engine.next_due(*w); due && *due <= w->clock->now()) {
        engine.fire_due(*w, effects);
      }
    }
    for (core::World* w : engine.take_touched()) {
      if (std::find(touched.begin(), touched.end(), w) == touched.end()) touched.push_back(w);
    }
    for (core::World* w : touched) arm_world_locked(*w);
  }

  void arm_touched_locked() {
    for (core::World* w : engine.take_touched()) arm_world_locked(*w);
  }

  static void take_waiters(std::vector<Waiter>& from, std::vector<Waiter>& to) {
    std::move(from.begin(), from.end(), std::back_inserter(to));
    from.clear();
  }

  void arm_world_locked(core::World& w) {
    if (stopped) return;
    HostWorld& hw = host_world_locked(w);
    auto due = engine.next_due(w);
    if (!due || hw.manual()) {
      if (hw.armed_due) hw.timer.cancel();
      hw.armed_due.reset();
      // Work due at this very instant needs nobody to move a manual clock; only what lies in
      // the future waits for /_dialtone/clock/advance.
      if (due && hw.manual() && *due <= hw.clock.now()) {
        asio::post(io, [self = shared_from_this(), sid = w.sid] { self->fire_world(sid); });
      }
      return;
    }
    // Every request and webhook result comes through here, and the next timer is nearly
    // always the one already set: re-setting it would cancel a wait and start another (two
    // trips through the reactor and a wasted completion each time).
    if (hw.armed_due == due) return;
    hw.armed_due = due;
    // At the wall instant the clock reads `due`, to the microsecond, and a hair after: now()
    // truncates to the millisecond, and a timer a microsecond early would find nothing due.
    // (wall_delay_until's whole milliseconds, rounded up, made every Media Streams frame 1-2
    // ms late.)
    if (auto at = hw.clock.wall_time_of(*due)) {
      hw.timer.expires_at(*at + std::chrono::microseconds(200));
    } else {
      hw.timer.expires_after(hw.clock.wall_delay_until(*due));
    }
    hw.timer.async_wait([self = shared_from_this(), sid = w.sid](boost::system::error_code ec) {
      if (ec) return;  // re-armed or stopped
      {
        std::lock_guard lock(self->mu);
        if (auto it = self->worlds.find(sid); it != self->worlds.end()) {
          it->second->armed_due.reset();
        }
      }
      self->fire_world(sid);
    });
  }

  // Re-checks the blocking waits; the ones that hold are finished after the lock is released.
  void check_watches_locked(Held& held) {
    if (watches.empty()) return;
    std::erase_if(watches, [&](const Watch& w) {
      if (!w.check(engine)) return false;
      held.push_back(w.finish);
      return true;
    });
  }

  // Counts and records the webhooks of `effects` before they go to the client, in the same
  // lock hold that produced them (one hold per webhook result, not two). Media Stream
  // commands go to the stream client here, under the lock: two holds' frames of one stream
  // then never overtake each other. A manual world counts each open and send as pending until
  // it is done, so an advance of N seconds answers only once N seconds of frames are written.
  void track_locked(core::Effects& effects) {
    for (auto& c : effects.streams) {
      bool counted = false;
      std::optional<std::chrono::steady_clock::time_point> due;  // a real-time frame's
      if (c.kind != core::StreamCommand::Kind::kClose) {
        if (auto w = worlds.find(engine.root_of(c.account_sid));
            w != worlds.end() && !w->second->gone) {
          if (w->second->manual()) {
            ++w->second->pending;
            ++pending;
            counted = true;
          } else if (c.due != core::TimePoint{}) {
            due = w->second->clock.wall_time_of(c.due);
          }
        }
      }
      streams.execute(std::move(c), counted, due);
    }
    effects.streams.clear();
    for (uint64_t id : engine.take_dropped_streams()) streams.abort(id);
    pending += effects.webhooks.size();
    for (const auto& r : effects.webhooks) {
      HostWorld& hw = host_world_locked(r.account_sid);
      ++hw.pending;
      hw.out.insert(r.id);
      core::WebhookRequest brief;
      brief.id = r.id;
      brief.account_sid = r.account_sid;
      brief.call_sid = r.call_sid;
      brief.purpose = r.purpose;
      brief.target = r.target;
      sending.emplace(r.id, std::move(brief));
    }
  }

  void finish_watches(Held& held) {
    for (auto& f : held) asio::post(io, [f] { (*f)(true); });
  }

  // --- without mu ---

  // Runs fn under the lock and returns what its answer must wait for (see persist_locked).
  // Its webhooks go out once the change is durable, and even if writing it failed (the
  // engine moved on).
  Wait run_async(EngineFn fn, bool settings = false) {
    core::Effects effects;
    Held held;
    Wait wait;
    {
      std::lock_guard lock(mu);
      fn(engine, effects);
      fire_now_and_arm_locked(effects);
      wait = persist_locked(settings);
      track_locked(effects);
      check_watches_locked(held);
    }
    release_after(wait, std::move(effects), std::move(held));
    return wait;
  }

  // run_async, then blocks until its change is durable. A failed write throws StoreError:
  // the request that caused it is answered 500, never 2xx.
  void run(EngineFn fn, bool settings = false) {
    const Wait wait = run_async(fn, settings);
    if (writer && wait.ticket != 0 && !writer->wait(wait)) {
      throw StoreError("the change could not be written (see the log)");
    }
  }

  void fire_world(const std::string& sid) {
    // A timer has nobody to answer: nothing waits for the disk here.
    run_async([&sid](core::Engine& e, core::Effects& out) {
      if (e.find_world(sid)) e.fire_due(e.world(sid), out);
    });
  }

  // Sends webhooks that track_locked() recorded.
  void dispatch(core::Effects effects) {
    for (auto& request : effects.webhooks) {
      client.send(std::move(request), [self = shared_from_this()](core::WebhookResult result) {
        self->on_result(std::move(result));
      });
    }
  }

  // A manual-clock world's results reach the engine in the order their requests went out,
  // whatever order the app answered them in: the journal, and every sid drawn while they are
  // handled, are then the same on every run of a test (docs/accounts.md, seeds). A result that
  // overtook an earlier one of its world waits in `early` for it. Returns the results to apply
  // now, in order. Real-clock worlds take them as they come, and so does a world that stopped
  // being manual (or went) while some of its results waited.
  // Each step is a lookup in the world's own ids out: a result in order is applied at once, with
  // whatever waited for it, and an advance that sends 10k webhooks stays linear.
  std::vector<core::WebhookResult> in_order_locked(core::WebhookResult result) {
    auto it = sending.find(result.id);
    if (it == sending.end()) return {std::move(result)};
    auto w = worlds.find(engine.root_of(it->second.account_sid));
    if (w == worlds.end()) return {std::move(result)};  // the world went: nothing to order
    HostWorld& hw = *w->second;
    std::vector<core::WebhookResult> ready;
    if (!hw.manual()) {  // no longer manual: whatever waited goes first, then this one
      for (auto& [id, r] : hw.early) ready.push_back(std::move(r));
      hw.early.clear();
      ready.push_back(std::move(result));
      return ready;
    }
    hw.early.emplace(result.id, std::move(result));
    // `early` holds only ids that are still out, so both run in step while they agree.
    auto next = hw.out.begin();
    for (auto e = hw.early.begin(); e != hw.early.end() && next != hw.out.end() &&
                                    e->first == *next;
         ++next) {
      ready.push_back(std::move(e->second));
      e = hw.early.erase(e);
    }
    return ready;
  }

  // Feeds one result to the engine; the webhooks it leads to go into `effects`.
  void apply_result_locked(const core::WebhookResult& result, core::Effects& effects,
                           std::vector<Waiter>& settled, Wait& wait) {
    std::string account_sid;
    if (auto it = sending.find(result.id); it != sending.end()) {
      account_sid = it->second.account_sid;
      sending.erase(it);
    }
    core::Effects more;
    engine.on_webhook_result(result, more);
    wait = persist_locked();
    // Count the new webhooks before dropping this one, so "settled" is never seen early.
    track_locked(more);
    std::move(more.webhooks.begin(), more.webhooks.end(), std::back_inserter(effects.webhooks));
    if (auto it = worlds.find(engine.root_of(account_sid)); it != worlds.end()) {
      HostWorld& hw = *it->second;
      hw.out.erase(result.id);
      if (hw.pending > 0 && --hw.pending == 0) take_waiters(hw.waiters, settled);
    }
    --pending;
  }

  void on_result(core::WebhookResult result) {
    metrics.observe_webhook(result.latency.count(), result.error_code, result.http_status);
    core::Effects effects;
    std::vector<Waiter> settled;
    Held held;
    Wait wait;
    {
      std::lock_guard lock(mu);
      if (closed) return;  // journaled as undelivered already
      for (const auto& r : in_order_locked(std::move(result))) {
        apply_result_locked(r, effects, settled, wait);
      }
      arm_touched_locked();
      check_watches_locked(held);
      if (pending == 0) take_waiters(waiters, settled);
    }
    release_after(wait, std::move(effects), std::move(held));
    for (auto& w : settled) release(std::move(w));
  }

  // A counted stream command is done: like a webhook result, it may settle its world.
  void stream_done_locked(const std::string& account_sid, std::vector<Waiter>& settled) {
    if (auto it = worlds.find(engine.root_of(account_sid)); it != worlds.end()) {
      HostWorld& hw = *it->second;
      if (hw.pending > 0 && --hw.pending == 0) take_waiters(hw.waiters, settled);
    }
    if (pending > 0) --pending;
    if (pending == 0) take_waiters(waiters, settled);
  }

  void on_stream_sent(const std::string& account_sid) {
    std::vector<Waiter> settled;
    {
      std::lock_guard lock(mu);
      stream_done_locked(account_sid, settled);
    }
    for (auto& w : settled) release(std::move(w));
  }

  // What happened on a stream's socket reaches the engine; what it leads to goes out.
  void on_stream_event(core::StreamEvent event, bool counted) {
    core::Effects effects;
    std::vector<Waiter> settled;
    Held held;
    Wait wait;
    {
      std::lock_guard lock(mu);
      if (closed) return;
      const std::string account_sid = event.account_sid;
      engine.on_stream_event(event, effects);
      wait = persist_locked();
      track_locked(effects);
      if (counted) stream_done_locked(account_sid, settled);
      arm_touched_locked();
      check_watches_locked(held);
    }
    release_after(wait, std::move(effects), std::move(held));
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
    take_waiters(waiters, waiting);
    for (auto& [sid, hw] : worlds) take_waiters(hw->waiters, waiting);
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
    for (auto& [sid, hw] : worlds) {
      hw->out.clear();
      hw->early.clear();
    }
    persist_locked();
    lock.unlock();
    for (auto& w : waiting) release(std::move(w));
    return n;
  }

  // Waiters and queued advances hold the Impl (and their HostWorld) strongly, and they sit in
  // containers the Impl owns; a wait that outlives its host (a webhook still out when a test
  // ends, its cap already fired) would keep the whole host alive. The host going drops them.
  void drop_waiters() {
    std::vector<Waiter> dropped;
    std::deque<std::function<void()>> queued;
    {
      std::lock_guard lock(mu);
      auto take = [&](std::vector<Waiter>& from) {
        for (auto& w : from) dropped.push_back(std::move(w));
        from.clear();
      };
      take(waiters);
      for (auto& [sid, hw] : worlds) {
        take(hw->waiters);
        for (auto& q : hw->advance_queue) queued.push_back(std::move(q));
        hw->advance_queue.clear();
      }
    }
    for (auto& w : dropped) {
      if (w.cap) w.cap->cancel();
    }
  }

  void release(Waiter w) {
    if (w.cap) w.cap->cancel();
    asio::post(io, std::move(w.done));
  }

  // Runs `done` once the webhooks out (of one world, or of all with `world` null) have come
  // back, or after `cap` of wall time, whichever is first.
  void when_settled(const std::shared_ptr<HostWorld>& world, std::chrono::milliseconds cap,
                    std::function<void()> done) {
    auto once = std::make_shared<std::once_flag>();
    auto fire = [once, done = std::move(done)] { std::call_once(*once, done); };
    std::lock_guard lock(mu);
    if ((world ? world->pending : pending) == 0 || (world && world->gone)) {
      asio::post(io, fire);
      return;
    }
    auto t = std::make_shared<asio::steady_timer>(io, cap);
    t->async_wait([fire](boost::system::error_code) { fire(); });
    (world ? world->waiters : waiters).push_back({fire, t});
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

  // One step of an advance of `world`: fire what is due by `target` (at its own due time), or
  // finish. Only this world's timers fire and only its webhooks are waited for.
  void advance_step(std::shared_ptr<HostWorld> world, core::TimePoint target,
                    std::chrono::milliseconds cap, std::function<void(size_t)> done, int guard,
                    size_t fired_so_far) {
    core::Effects effects;
    bool fired = false;
    size_t fired_now = 0;
    Held held;
    Wait wait;
    {
      std::lock_guard lock(mu);
      // A deleted account's world (and its clock) is gone: the advance just answers.
      core::World* w = world->gone ? nullptr : &engine.world(world->sid);
      auto due = w ? engine.next_due(*w) : std::nullopt;
      if (due && *due <= target && guard > 0 && world->manual()) {
        world->clock.set_manual(*due);
        fired_now = engine.fire_due(*w, effects);
        wait = persist_locked();
        track_locked(effects);
        fired = true;
      } else if (w) {
        world->clock.set_manual(target);
      }
      arm_touched_locked();
      check_watches_locked(held);
    }
    // The webhooks fired go out once their change is durable; the step goes on once they
    // have come back (they are counted as pending already).
    release_after(wait, std::move(effects), std::move(held));
    if (!fired) {
      // The next advance starts only once this one has answered: the answer reads the clock,
      // and with both posted at once it could read the next advance's time.
      asio::post(io, [self = shared_from_this(), world, done = std::move(done), fired_so_far] {
        struct Next {
          Impl& impl;
          std::shared_ptr<HostWorld> world;
          ~Next() { impl.next_advance(world); }  // however `done` ends
        } next{*self, world};
        done(fired_so_far);
      });
      return;
    }
    const size_t total = fired_so_far + fired_now;
    when_settled(world, cap,
                 [self = shared_from_this(), world, target, cap, done = std::move(done), guard,
                  total] { self->advance_step(world, target, cap, done, guard - 1, total); });
  }

  // Starts an advance of `world` now, or queues it behind the one running there.
  void enqueue_advance(HostWorld& world, std::function<void()> start) {
    {
      std::lock_guard lock(mu);
      if (world.advancing) {
        world.advance_queue.push_back(std::move(start));
        return;
      }
      world.advancing = true;
    }
    start();
  }

  void next_advance(const std::shared_ptr<HostWorld>& world) {
    std::function<void()> start;
    {
      std::lock_guard lock(mu);
      if (world->advance_queue.empty()) {
        world->advancing = false;
        return;
      }
      start = std::move(world->advance_queue.front());
      world->advance_queue.pop_front();
    }
    start();
  }

  std::shared_ptr<HostWorld> world_for(const std::string& account_sid) {
    std::lock_guard lock(mu);
    const std::string root = engine.root_of(account_sid);
    host_world_locked(account_sid);
    return worlds.at(root);
  }
};

EngineHost::EngineHost(asio::io_context& io, const config::Config& config)
    : impl_(std::make_shared<Impl>(io, config)) {
  // The sockets may outlive the host by a handler or two: they reach it only while it lives.
  std::weak_ptr<Impl> weak = impl_;
  impl_->streams.set_handlers(
      [weak](core::StreamEvent event, bool counted) {
        if (auto self = weak.lock()) self->on_stream_event(std::move(event), counted);
      },
      [weak](const std::string& account_sid) {
        if (auto self = weak.lock()) self->on_stream_sent(account_sid);
      },
      [weak](std::chrono::microseconds lateness) {
        if (auto self = weak.lock()) self->metrics.observe_stream_frame(lateness);
      });
  {
    std::lock_guard lock(impl_->mu);
    impl_->engine.for_each_world([&](core::World& w) { impl_->arm_world_locked(w); });
    impl_->engine.take_touched();
  }
  impl_->dispatch(std::move(impl_->recovered));
}

EngineHost::~EngineHost() {
  stop();
  impl_->drop_waiters();
  // What is queued is written now; a handler that outlives the host writes on its own thread.
  if (impl_->writer) impl_->writer->close();
}

void EngineHost::with_engine(EngineFn fn) { impl_->run(fn); }

EngineHost::Durability EngineHost::with_engine_async(EngineFn fn) {
  return impl_->run_async(fn);
}

void EngineHost::when_durable(Durability wait, std::function<void(bool ok)> done) {
  if (!impl_->writer || wait.ticket == 0) return done(true);
  impl_->writer->when_durable(wait, std::move(done));
}

bool EngineHost::manual_clock(const std::string& account_sid) const {
  return clock(account_sid).mode() == SwitchableClock::Mode::kManual;
}

const std::string& EngineHost::startup_note() const { return impl_->startup_note; }

core::TimePoint EngineHost::now(const std::string& account_sid) const {
  return clock(account_sid).now();
}

const SwitchableClock& EngineHost::clock(const std::string& account_sid) const {
  return impl_->world_for(account_sid)->clock;
}

void EngineHost::set_clock(const std::string& account_sid, SwitchableClock::Mode mode,
                           double speed) {
  std::lock_guard lock(impl_->mu);
  core::World& w = impl_->engine.world(account_sid);
  HostWorld& hw = impl_->host_world_locked(w);
  hw.clock.set(mode, speed);
  hw.armed_due.reset();  // the same virtual instant is another wall time now
  hw.timer.cancel();
  impl_->arm_world_locked(w);
}

void EngineHost::set_world_clock(core::World& world, const std::optional<std::string>& mode,
                                 std::optional<double> speed) {
  auto& clock = Impl::clock_of(world);
  SwitchableClock::Mode m = clock.mode();
  if (mode) m = *mode == "manual" ? SwitchableClock::Mode::kManual : SwitchableClock::Mode::kReal;
  clock.restart(m, speed.value_or(clock.speed()));
}

api::ClockView EngineHost::clock_view(const core::World& world) {
  const auto& clock = static_cast<const SwitchableClock&>(*world.clock);
  return {std::string(SwitchableClock::to_string(clock.mode())), clock.speed(), clock.now()};
}

bool EngineHost::advance(const std::string& account_sid, core::Millis by,
                         std::function<void()> done) {
  return advance_counted(account_sid, by, impl_->default_settle_cap,
                         [done = std::move(done)](size_t) { done(); });
}

bool EngineHost::advance_counted(const std::string& account_sid, core::Millis by,
                                 std::chrono::milliseconds settle_cap,
                                 std::function<void(size_t)> done) {
  auto world = impl_->world_for(account_sid);
  if (!world->manual()) return false;
  // Guard against a timer that never leaves the queue: at most this many steps per call.
  constexpr int kMaxSteps = 1'000'000;
  impl_->enqueue_advance(*world, [impl = impl_, world, by, settle_cap, done = std::move(done)] {
    // Earlier webhooks of this world settle first, so that this advance starts from a quiet
    // world. The target is taken when this advance starts, after any that ran before it.
    impl->when_settled(world, settle_cap, [impl, world, by, settle_cap, done] {
      auto target = world->clock.now() + by;
      impl->advance_step(world, target, settle_cap, done, kMaxSteps, 0);
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
  if (!impl_->writer) return;
  Impl::Wait wait;
  {
    std::lock_guard lock(impl_->mu);
    wait = impl_->persist_locked(/*settings=*/true);
  }
  if (!impl_->writer->wait(wait)) {
    throw StoreError("the settings could not be written (see the log)");
  }
}

bool EngineHost::persistent() const { return impl_->store != nullptr; }

void EngineHost::reset_all() {
  std::vector<std::string> gone;
  impl_->run([&](core::Engine& e, core::Effects&) {
    e.reset();
    for (const auto& [sid, a] : core::AccountStore::AccountMap(e.accounts().all())) {
      e.accounts().erase(sid);
    }
    impl_->seed_locked();
    // Worlds of accounts the configuration does not have go with their accounts; the others
    // keep their clocks, so time never runs backwards under a suite that resets.
    e.for_each_world([&](core::World& w) {
      if (!e.accounts().find(w.sid)) gone.push_back(w.sid);
    });
    for (const auto& sid : gone) {
      e.erase_world(sid);
      impl_->forget_world_locked(sid);
    }
  }, /*settings=*/true);
}

void EngineHost::reset_account(const std::string& account_sid) {
  impl_->run([&](core::Engine& e, core::Effects&) { e.reset_account(account_sid); },
             /*settings=*/true);
}

void EngineHost::delete_account(const std::string& account_sid) {
  impl_->run([&](core::Engine& e, core::Effects&) {
    std::vector<std::string> sids{account_sid};
    const bool root = e.root_of(account_sid) == account_sid;
    if (root) {
      for (const auto& [sid, a] : e.accounts().all()) {
        if (sid != account_sid && a.owner_account_sid == account_sid) sids.push_back(sid);
      }
      e.erase_world(account_sid);
      impl_->forget_world_locked(account_sid);
    } else {
      e.reset_account(account_sid);
    }
    for (const auto& sid : sids) e.accounts().erase(sid);
  }, /*settings=*/true);
}

core::Result<core::AccountSnapshot> EngineHost::snapshot(const std::string& account_sid) {
  std::optional<core::Result<core::AccountSnapshot>> taken;
  impl_->run([&](core::Engine& e, core::Effects&) {
    taken = e.snapshot(account_sid);
    if (!*taken) return;
    const api::ClockView clock = clock_view(e.world(account_sid));
    (*taken)->clock.mode = clock.mode;
    (*taken)->clock.speed = clock.speed;
  });
  return std::move(*taken);
}

core::Status EngineHost::restore(const std::string& account_sid, core::AccountSnapshot s) {
  const core::ClockReading clock = s.clock;
  core::Status status = core::Ok{};
  impl_->run([&](core::Engine& e, core::Effects&) {
    status = e.restore(account_sid, std::move(s));
    if (!status) return;
    HostWorld& hw = impl_->host_world_locked(account_sid);
    hw.clock.restore(clock.mode == "manual" ? SwitchableClock::Mode::kManual
                                            : SwitchableClock::Mode::kReal,
                     clock.speed, clock.now);
    hw.armed_due.reset();  // its wake-up is re-armed as the hold ends (the world is touched)
    hw.timer.cancel();
  }, /*settings=*/true);
  return status;
}

Metrics& EngineHost::metrics() { return impl_->metrics; }

const config::Config& EngineHost::config() const { return impl_->config; }

size_t EngineHost::webhooks_in_flight() const {
  std::lock_guard lock(impl_->mu);
  return impl_->pending;
}

void EngineHost::when_settled(std::chrono::milliseconds cap, std::function<void()> done) {
  impl_->when_settled(nullptr, cap, std::move(done));
}

WebhookClient& EngineHost::webhook_client() { return impl_->client; }

void EngineHost::drain(std::chrono::milliseconds budget,
                       std::function<void(size_t undelivered)> done) {
  stop();
  impl_->when_settled(nullptr, budget, [impl = impl_, done = std::move(done)] {
    const size_t undelivered = impl->close_and_journal_undelivered();
    impl->client.close_idle();
    done(undelivered);
  });
}

StreamClient& EngineHost::stream_client() { return impl_->streams; }

void EngineHost::stop() {
  impl_->streams.close_all();
  std::lock_guard lock(impl_->mu);
  impl_->stopped = true;
  for (auto& [sid, hw] : impl_->worlds) {
    hw->armed_due.reset();
    hw->timer.cancel();
  }
}

}  // namespace dialtone::server
