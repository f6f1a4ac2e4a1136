// tcmalloc's heap, faulted in ahead of it. A first touch of a page is a page fault, and on a
// small VM a fault is dear. Every call created is new memory (about 2 KiB), so creating calls
// paid about 5 us a call in faults, a sixth of its cost (bench/RESULTS.md, twelfth session).
//
// So tcmalloc takes its memory from 64 MiB mappings, and a thread of its own (dt-prefault)
// faults in the next 8 MiB before tcmalloc hands them out, so that the I/O threads do not stop
// for faults. It does so 2 MiB at a time, each chunk advised for transparent huge pages or
// against them first, whichever has cost it less CPU lately (server/page_size_chooser.hpp):
// the VMs dialtone is measured on disagree (on one 4 KiB faults cost 25-50 times what huge
// pages did per 4 KiB; on another a fresh huge page cost 4-5 times what 4 KiB faults did:
// twelfth and fourteenth sessions). A kernel with THP "never" ignores the advice. Allocations
// of more than 16 MiB go to tcmalloc's own system allocator.
//
// Built into the dialtone binary only when it links tcmalloc (DIALTONE_TCMALLOC); the
// sanitizer builds and the tests use their own allocators.
// Thread-safety: call once, from main(), before other threads start.
#pragma once

namespace dialtone::server {

// Returns false if tcmalloc has no system allocator to fall back on (it then keeps its own).
bool use_huge_pages_for_heap();

}  // namespace dialtone::server
