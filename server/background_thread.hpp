// Marks the calling thread as one of the store's background threads: named (for top -H, perf
// and gdb) and scheduled as SCHED_BATCH. With --data-dir the I/O threads answer clients, and
// the store's writer (dt-commit), sync (dt-sync) and checkpointer (dt-checkpoint) threads work
// for them, each sleeping and waking thousands of times a second under load. A normal thread
// woken while an I/O thread runs may preempt it on the spot, mid-request and with the engine
// lock held: perf showed the I/O thread descheduled inside GroupCommit::submit's wake-up of the
// writer. A batch thread does not preempt when it wakes: it runs on an idle core at once, or
// when the running thread's slice ends. Durable updates at 64 connections on 2 cores went from
// 18.0-22.7k/s (47-60 us of CPU each) to 24.0-25.1k/s (37-42 us), the two builds alternating;
// durable creates did not move beyond the noise (bench/RESULTS.md, thirteenth session).
// dt-prefault (tcmalloc_huge_pages.hpp) stays a normal thread: as a batch thread it made
// in-memory creates slower (34.3k and 32.8k/s against 46.5k and 41.2k), the I/O thread then
// idling while it waited; the likely cause is the prefault holding the address space's lock
// while descheduled in the middle of an 8 MiB populate.
// Switching to SCHED_BATCH needs no privilege; where it is refused anyway (a seccomp profile),
// the thread keeps its policy and only the speed differs.
#pragma once

namespace dialtone::server {

// name: at most 15 characters (the kernel's limit).
void mark_background_thread(const char* name);

}  // namespace dialtone::server
