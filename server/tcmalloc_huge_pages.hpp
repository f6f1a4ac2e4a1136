// Huge pages for tcmalloc's heap. A first touch of a 4 KiB page is a page fault, and on a
// small VM a fault is dear: 10-13 us on the 2-core machines dialtone is measured on, against
// 0.2-0.5 us a 4 KiB page when the kernel backs the memory with 2 MiB pages (bench/RESULTS.md,
// twelfth session). Every call created is new memory (about 2 KiB), so creating calls paid
// about 5 us a call in faults, a sixth of its cost.
//
// So tcmalloc takes its memory from 64 MiB mappings advised for transparent huge pages
// (madvise MADV_HUGEPAGE: a request, which a kernel with THP "never" ignores), and a thread of
// its own (dt-prefault) faults in the next 8 MiB before tcmalloc hands them out, so that the
// I/O threads do not stop for a 2 MiB fault. Allocations of more than 16 MiB go to tcmalloc's
// own system allocator.
//
// Built into the dialtone binary only when it links tcmalloc (DIALTONE_TCMALLOC); the
// sanitizer builds and the tests use their own allocators.
// Thread-safety: call once, from main(), before other threads start.
#pragma once

namespace dialtone::server {

// Returns false if tcmalloc has no system allocator to fall back on (it then keeps its own).
bool use_huge_pages_for_heap();

}  // namespace dialtone::server
