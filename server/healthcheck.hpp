// `dialtone healthcheck`: asks GET /_dialtone/health of the dialtone that the same settings as
// the server's (--config, DIALTONE_* environment, options) describe, and exits 0 on a 200,
// 1 otherwise. The container image's HEALTHCHECK runs it: no shell or curl needed.
// Thread-safety: each call runs its own io_context; nothing is shared.
#pragma once

#include <chrono>
#include <string>

#include "config/config.hpp"

namespace dialtone::server {

struct HealthcheckResult {
  bool healthy = false;
  std::string message;  // one line: what was asked and what came back (or what failed)
};

// The address to ask: the loopback address when the server listens on every interface
// ("0.0.0.0" -> "127.0.0.1", "::" -> "::1"), else the configured host itself.
std::string healthcheck_host(const std::string& listen_host);

// One blocking GET of /_dialtone/health on cfg.host/cfg.port, all of it within `timeout`.
HealthcheckResult check_health(const config::Config& cfg, std::chrono::milliseconds timeout);

// The subcommand, given main's argc/argv from "healthcheck" on (argv[0] is "healthcheck" and
// is skipped as config::load skips the program name). Prints the result on one line and
// returns the exit code: 0 healthy, 1 not (configuration errors included).
int run_healthcheck(int argc, char** argv);

}  // namespace dialtone::server
