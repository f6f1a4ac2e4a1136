#include "server/io_threads.hpp"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <thread>

namespace dialtone::server {

namespace {

// cgroup v2: "max 100000" (no quota) or "QUOTA PERIOD" in microseconds. 0: no quota found.
int cgroup_quota_cores() {
  std::ifstream f("/sys/fs/cgroup/cpu.max");
  std::string quota;
  long long period = 0;
  if (!(f >> quota >> period) || quota == "max" || period <= 0) return 0;
  try {
    const long long q = std::stoll(quota);
    if (q <= 0) return 0;
    return static_cast<int>(std::ceil(static_cast<double>(q) / static_cast<double>(period)));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

int available_cores() {
  int cores = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  if (cores <= 0) cores = static_cast<int>(std::thread::hardware_concurrency());
  if (const int quota = cgroup_quota_cores(); quota > 0) cores = std::min(cores, quota);
  return std::max(cores, 1);
}

int default_io_threads(int cores) { return std::clamp(cores / 2, 1, 4); }

int io_threads(int configured) {
  return configured > 0 ? configured : default_io_threads(available_cores());
}

}  // namespace dialtone::server
