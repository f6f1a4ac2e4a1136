// What the access log costs the I/O thread: the line of a fetch formatted and appended to the
// thread's buffer (server/logging.hpp, access_log_answer), in CPU time of the calling thread,
// with the log's writer (dt-log) running as it does in dialtone. dt-log's own CPU is not
// counted here: bench/run.sh reads it from /proc during the fetch rounds, and adds the two.
//
//   access_log_bench [lines]    (default 2000000; the lines go to stdout: send it to /dev/null)
// Prints on stderr: "access_log_line_ns X (median of R rounds of N lines)".
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "server/logging.hpp"

namespace {

double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  const long total = argc > 1 ? std::atol(argv[1]) : 2000000;
  constexpr int kRounds = 10;
  const long per_round = std::max(1L, total / kRounds);
  if (auto err = dialtone::server::setup_logging("text", "info"); !err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  dialtone::server::PeriodicLogFlush writer(std::chrono::milliseconds(50));  // as main() runs it
  // A fetch of a call, as the bench's fetch.lua sends it: the path holds the sid.
  const std::string sid = "CA0123456789abcdef0123456789abcdef";
  const std::string path =
      "/2010-04-01/Accounts/ACd1a170e0000000000000000000000000/Calls/" + sid + ".json";
  const std::string request_id = "RQ0123456789abcdef0123456789abcdef";
  const auto started = std::chrono::steady_clock::now();  // each line reads the clock, as served
  std::vector<double> ns;
  for (int r = 0; r < kRounds; ++r) {
    const double start = thread_cpu_ns();
    for (long i = 0; i < per_round; ++i) {
      dialtone::server::access_log_answer("GET", path, 200, started, sid, request_id);
    }
    ns.push_back((thread_cpu_ns() - start) / static_cast<double>(per_round));
  }
  std::sort(ns.begin(), ns.end());
  std::fprintf(stderr, "access_log_line_ns %.0f (median of %d rounds of %ld lines)\n",
               ns[ns.size() / 2], kRounds, per_round);
  return 0;
}
