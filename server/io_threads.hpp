// How many I/O threads dialtone runs when the configuration says 0 (the default): from the
// cores this process may use, because dialtone usually shares them with the app under test
// and its test runner (docs/scaling.md, "I/O threads").
// Thread-safety: pure functions but available_cores(), which reads the process's CPU
// affinity and cgroup; call either from any thread.
#pragma once

namespace dialtone::server {

// The CPUs the scheduler lets this process use (its affinity mask), lowered to the cgroup's
// CPU quota (cgroup v2 cpu.max, as `docker --cpus` sets), at least 1.
int available_cores();

// Half the cores, at least 1 and at most 4. On 2 cores one thread measured faster than two
// (the second contends for the engine lock and takes a core from the clients); more than 4
// find the engine lock busy, since all engine work is behind it.
int default_io_threads(int cores);

// `configured` if it is not 0, else default_io_threads(available_cores()).
int io_threads(int configured);

}  // namespace dialtone::server
