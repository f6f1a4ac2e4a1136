// Marks the calling thread as one of dialtone's background threads: named (for top -H, perf
// and gdb) and scheduled as SCHED_BATCH. The I/O threads answer clients; the store's writer
// (dt-commit), sync (dt-sync) and checkpointer (dt-checkpoint) threads, the heap's prefault
// thread (dt-prefault, tcmalloc_huge_pages.hpp) and the log's writer (dt-log, log_buffers.hpp)
// work for them, each sleeping and waking thousands of times a second under load (dt-log a
// hundred or more). A normal thread woken while an I/O thread runs may preempt it on the
// spot, mid-request and with the engine lock held: perf showed the I/O thread descheduled
// inside GroupCommit::submit's wake-up of the writer. A batch thread does not preempt when it
// wakes: it runs on an idle core at once, or when the running thread's slice ends. Measured
// at 64 connections on 2 cores, the builds or settings alternating, 3 s rounds, medians
// (bench/RESULTS.md, thirteenth session):
// - durable updates 21.1k/s at 52.5 us of CPU each before, 22.9k/s at 44.5 us after; durable
//   creates 16.6k/s at 60.5 us before, 17.4k/s at 52.5 us after (eight rounds each). dt-sync
//   left normal (it wakes when the disk's flush ends, on the clients' path) measured the same
//   for updates and worse for creates (16.3k/s);
// - in-memory creates with dt-prefault batch against normal, two sets of eight rounds: p99
//   4.93 against 5.26 ms and 5.20 against 5.66 ms; throughput a wash (44.4k against 42.6k/s,
//   then 39.1k against 40.1k).
// Switching to SCHED_BATCH needs no privilege; where it is refused anyway (a seccomp profile),
// the thread keeps its policy and only the speed differs.
#pragma once

namespace dialtone::server {

// name: at most 15 characters (the kernel's limit).
void mark_background_thread(const char* name);

}  // namespace dialtone::server
