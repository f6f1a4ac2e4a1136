// Engine-level measurements that need no HTTP: how long one fire_due() takes for N due timers
// (N calls finishing a <Pause> at the same virtual instant) and the engine's memory per call.
// bench/run.sh runs it next to the HTTP workloads; it is also the quickest thing to profile:
//   perf record -g build/release/bench/engine_bench --calls 100000
//
//   engine_bench [--calls N] [--ended M]
// Prints one "key value" pair per line. --ended M measures only this instead:
// M calls created with <Hangup/> and run to completed: what a long-lived instance holds once
// its calls are history (the journal reaches its cap of 1M events on the way).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/engine.hpp"
#include "core/time.hpp"

using namespace dialtone::core;

namespace {

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

Account bench_account(const std::string& ac) {
  Account a;
  a.sid = a.owner_account_sid = ac;
  a.auth_token = "dialtone-auth-token";
  return a;
}

// M calls through their whole life, created in batches the way an API client would (create,
// the clock moves on, create more), so live and ended calls overlap as on a real instance.
int run_ended(size_t m, const std::string& ac) {
  const long rss0 = rss_kib();
  ManualClock clock;
  clock.set(TimePoint{Millis{1'700'000'000'000}});
  {
    Engine engine(clock, clock, EngineConfig{}, 43);
    engine.accounts().put(bench_account(ac));
    const auto t0 = std::chrono::steady_clock::now();
    Effects out;
    for (size_t i = 0; i < m; ++i) {
      CreateCall c;
      c.account_sid = ac;
      c.to = c.to_formatted = "+14155550100";
      c.from = c.from_formatted = "+15005550006";
      c.twiml = "<Response><Hangup/></Response>";
      if (!engine.create_call(c, out)) {
        std::fprintf(stderr, "create failed\n");
        return 1;
      }
      if (i % 10'000 == 9'999) {  // dial, then answer (1 s ring) and hang up
        engine.fire_due(out);
        clock.advance(Millis{1000});
        engine.fire_due(out);
        out.webhooks.clear();
      }
    }
    engine.fire_due(out);
    clock.advance(Millis{1000});
    engine.fire_due(out);
    const auto counts = engine.count_by_status();
    const auto stats = engine.stats();
    std::printf("ended_%zu_ms %.1f\n", m, ms_since(t0));
    std::printf("ended_completed %zu\n", counts[static_cast<size_t>(CallStatus::kCompleted)]);
    std::printf("ended_journal_events %zu\n", engine.journal().events().size());
    std::printf("ended_timers %zu\n", stats.timers);
    std::printf("rss_ended_%zu_kib %ld\n", m, rss_kib() - rss0);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 100'000;
  size_t ended = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--calls") n = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::string(argv[i]) == "--ended") ended = std::strtoul(argv[i + 1], nullptr, 10);
  }
  const std::string ac = "ACd1a170e0000000000000000000000000";
  if (ended > 0) return run_ended(ended, ac);  // on its own, so its RSS is its own
  ManualClock clock;
  clock.set(TimePoint{Millis{1'700'000'000'000}});
  Engine engine(clock, clock, EngineConfig{}, 42);
  engine.accounts().put(bench_account(ac));

  const long rss0 = rss_kib();
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    CreateCall c;
    c.account_sid = ac;
    c.to = c.to_formatted = "+14155550100";
    c.from = c.from_formatted = "+15005550006";
    c.twiml = "<Response><Pause length=\"10\"/></Response>";
    Effects out;
    if (!engine.create_call(c, out)) {
      std::fprintf(stderr, "create failed\n");
      return 1;
    }
  }
  std::printf("create_ms %.1f\n", ms_since(t0));
  std::printf("rss_live_queued_kib %ld\n", rss_kib() - rss0);

  // Dial (at once), ring (1 s), answer: every call is in-progress in its <Pause>.
  Effects out;
  t0 = std::chrono::steady_clock::now();
  engine.fire_due(out);
  clock.advance(Millis{1000});
  engine.fire_due(out);
  std::printf("dial_and_answer_ms %.1f\n", ms_since(t0));
  std::printf("rss_live_in_progress_kib %ld\n", rss_kib() - rss0);

  // The measured step: n <Pause> timers due at the same instant, fired by one call.
  clock.advance(Millis{10'000});
  out.webhooks.clear();
  t0 = std::chrono::steady_clock::now();
  engine.fire_due(out);
  const double fire_ms = ms_since(t0);
  const auto counts = engine.count_by_status();
  std::printf("fire_%zu_pause_timers_ms %.1f\n", n, fire_ms);
  std::printf("completed %zu\n", counts[static_cast<size_t>(CallStatus::kCompleted)]);
  std::printf("rss_ended_kib %ld\n", rss_kib() - rss0);
  return 0;
}
