// SQLite's own page cache, with one scan taken out of the durable store's commits.
//
// At the end of every transaction SQLite truncates its page cache to the database's size
// (pager_end_transaction). Its cache (pcache1) does that by walking only the keys between the
// size and the largest key it has held, unless that range is wider than its hash table: then
// it walks the whole table, every page of the cache (8192 with the store's 32 MiB).
//
// The largest key jumps past the database's size whenever a B-tree split takes pages off the
// freelist out of order: balance_nonroot swaps the new pages' numbers through the lock page
// (pgno 262145 with 4 KiB pages) as a temporary, and pcache1 remembers that key until the next
// truncate. Once the store's journal is past its bound, its pruning keeps the freelist full,
// and most commits paid for the whole walk: 11% of the group-commit writer's time, durable
// creates 7-12% slower than on a fresh --data-dir (bench/RESULTS.md, twenty-first session).
//
// This cache forwards everything to SQLite's default one and keeps its own largest key, which
// leaves out the lock page while nothing is parked there. A truncate with no page at or past
// its limit is then skipped: it would have freed nothing.
//
// Thread-safety: installed once per process (thread-safe), before SQLite starts; each cache
// belongs to one connection, as SQLite's are.
#pragma once

#include <sqlite3.h>

#include <cstdint>

namespace dialtone::server {

// Installs the cache if SQLite has not started yet (sqlite3_config's rule); returns whether
// it is in place. Without it, SQLite's default cache works as before, only slower past the
// journal's bound.
bool install_sqlite_page_cache();

// Since the start, over every cache (tests and measurement builds read them).
struct SqlitePageCacheStats {
  uint64_t truncates_skipped = 0;
  uint64_t lock_page_swaps = 0;  // pages moved to the lock page (the swaps above)
};
SqlitePageCacheStats sqlite_page_cache_stats();

// The cache's methods, for tests that drive one directly (valid once installed).
const sqlite3_pcache_methods2& sqlite_page_cache_methods();

}  // namespace dialtone::server
