// dialtone: wires config, logging, the engine host and the HTTP server together, and shuts
// down cleanly on SIGINT/SIGTERM within shutdown_timeout_s: stop accepting, finish the API
// requests in flight, deliver the webhooks in flight (status callbacks included) with what is
// left of the budget, journal and log the ones that could not be, exit 0.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "server/engine_host.hpp"
#include "server/faults/fault_injector.hpp"
#include "server/healthcheck.hpp"
#include "server/http_server.hpp"
#include "server/io_threads.hpp"
#include "server/logging.hpp"
#include "server/router.hpp"
#include "server/store.hpp"
#if DIALTONE_HUGE_PAGES
#include "server/tcmalloc_huge_pages.hpp"
#endif

namespace asio = boost::asio;
using namespace dialtone;

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;

// Polls until the server has no request in flight, or the deadline passes; then lets the
// webhooks in flight finish within what is left of the budget, and stops io.
void drain_then_stop(asio::io_context& io, server::HttpServer& http, server::EngineHost& host,
                     std::shared_ptr<asio::steady_timer> timer,
                     std::chrono::steady_clock::time_point deadline) {
  if (http.active_requests() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (http.active_requests() != 0) {
      spdlog::warn("shutdown timeout: {} request(s) still in flight", http.active_requests());
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (host.webhooks_in_flight() != 0) {
      spdlog::info("shutdown: waiting up to {} ms for {} webhook(s) in flight",
                   std::max<long long>(left.count(), 0), host.webhooks_in_flight());
    }
    host.drain(std::max(left, std::chrono::milliseconds(0)), [&io](size_t undelivered) {
      if (undelivered != 0) {
        spdlog::warn("shutdown: {} webhook(s) not delivered (journaled as webhook.undelivered)",
                     undelivered);
      }
      spdlog::info("dialtone stopped");
      io.stop();
    });
    return;
  }
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([&io, &http, &host, timer, deadline](boost::system::error_code) {
    drain_then_stop(io, http, host, timer, deadline);
  });
}

}  // namespace

int main(int argc, char** argv) {
  // `dialtone healthcheck [options]`: the container's HEALTHCHECK (server/healthcheck.hpp).
  if (argc > 1 && std::string_view(argv[1]) == "healthcheck") {
    return server::run_healthcheck(argc - 1, argv + 1);
  }
#if DIALTONE_HUGE_PAGES
  server::use_huge_pages_for_heap();  // before the heap grows
#endif
  auto loaded = config::load(argc, argv);
  if (loaded.show_help) {
    std::fputs(config::help_text().c_str(), stdout);
    return 0;
  }
  if (!loaded.ok()) {
    std::fprintf(stderr, "dialtone: configuration error: %s\n", loaded.error.c_str());
    return kExitConfig;
  }
  if (loaded.config.threads == 0) loaded.config.threads = server::io_threads(0);
  const config::Config& cfg = loaded.config;
  if (auto err = server::setup_logging(cfg.log_format, cfg.log_level); !err.empty()) {
    std::fprintf(stderr, "dialtone: configuration error: %s\n", err.c_str());
    return kExitConfig;
  }

  // Access-log lines go out in batches, within 50 ms (a test waits ~100 ms for one).
  server::PeriodicLogFlush log_flush(std::chrono::milliseconds(50));

  const auto started = std::chrono::steady_clock::now();
  asio::io_context io(cfg.threads);
  // With data_dir, the host loads the store and ends the calls that were live before
  // anything listens: their status callbacks go out as soon as io runs.
  std::unique_ptr<server::EngineHost> host_ptr;
  try {
    host_ptr = std::make_unique<server::EngineHost>(io, cfg);
  } catch (const server::StoreError& e) {
    std::fprintf(stderr, "dialtone: data_dir: %s\n", e.what());
    return kExitConfig;
  }
  server::EngineHost& host = *host_ptr;
  if (const auto& err = host.webhook_client().tls_error(); !err.empty()) {
    std::fprintf(stderr, "dialtone: configuration error: %s\n", err.c_str());
    return kExitConfig;
  }
  // Twilio's failures on demand (docs/faults.md): the rule table and signature faults.
  server::faults::FaultInjector faults(io, host);
  host.webhook_client().set_request_hook(faults.webhook_hook());
  server::HttpServer http(io, cfg, server::make_router(host, started, faults));
  if (auto err = http.start(); !err.empty()) {
    std::fprintf(stderr, "dialtone: %s\n", err.c_str());
    return kExitRuntime;
  }
  // Tests start dialtone with --port 0 and read the port from this, the first log line.
  spdlog::info("dialtone listening on {}", http.url());
  spdlog::info("version {}, account {}, clock {}{}, {} thread(s){}", DIALTONE_VERSION,
               cfg.account_sid, cfg.clock,
               cfg.clock == "real" && cfg.clock_speed != 1.0
                   ? " x" + std::to_string(cfg.clock_speed)
                   : "",
               cfg.threads, cfg.config_file.empty() ? "" : ", config " + cfg.config_file);
  if (!host.startup_note().empty()) spdlog::info("{}", host.startup_note());
  server::flush_log();  // a test reads the port from the first line as soon as it starts

  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void(boost::system::error_code, int)> on_signal;
  bool stopping = false;
  on_signal = [&](boost::system::error_code ec, int signo) {
    if (ec) return;
    if (stopping) {  // a second signal: do not wait any longer
      spdlog::warn("signal {} again: stopping now", signo);
      io.stop();
      return;
    }
    stopping = true;
    spdlog::info("signal {}: shutting down (up to {} s for in-flight requests)", signo,
                 cfg.shutdown_timeout_s);
    http.shutdown();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(cfg.shutdown_timeout_s);
    drain_then_stop(io, http, host, std::make_shared<asio::steady_timer>(io), deadline);
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  return 0;
}
