// Marks the calling thread as one of the store's background threads: named (for top -H, perf
// and gdb) and scheduled as SCHED_BATCH. With --data-dir the I/O threads answer clients, and
// the store's writer (dt-commit), sync (dt-sync) and checkpointer (dt-checkpoint) threads work
// for them, each sleeping and waking thousands of times a second under load. A normal thread
// woken while an I/O thread runs may preempt it on the spot, mid-request and with the engine
// lock held: perf showed the I/O thread descheduled inside GroupCommit::submit's wake-up of the
// writer. A batch thread does not preempt when it wakes: it runs on an idle core at once, or
// when the running thread's slice ends. Durable writes at 64 connections on 2 cores, eight
// 3 s rounds of each build alternating (medians): updates 21.1k/s at 52.5 us of CPU each
// before, 22.9k/s at 44.5 us after; creates 16.6k/s at 60.5 us before, 17.4k/s at 52.5 us
// after (bench/RESULTS.md, thirteenth session). Leaving dt-sync a normal thread (it wakes when
// the disk's flush ends, on the clients' path) measured the same for updates and worse for
// creates (16.3k/s).
// dt-prefault (tcmalloc_huge_pages.hpp) stays a normal thread: a prefault that falls behind
// puts 2 MiB page faults back on the I/O threads, and the one alternating run with it
// batch-scheduled made in-memory creates slower (34.3k and 32.8k/s against 46.5k and 41.2k;
// weak evidence, as this VM's speed moved as much minutes later).
// Switching to SCHED_BATCH needs no privilege; where it is refused anyway (a seccomp profile),
// the thread keeps its policy and only the speed differs.
#pragma once

namespace dialtone::server {

// name: at most 15 characters (the kernel's limit).
void mark_background_thread(const char* name);

}  // namespace dialtone::server
