#include "server/sqlite_page_cache.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <new>

namespace dialtone::server {

namespace {

// SQLite's own cache, as it was before this one took its place.
sqlite3_pcache_methods2 g_default{};
sqlite3_pcache_methods2 g_mine{};
std::atomic<uint64_t> g_skipped{0};
std::atomic<uint64_t> g_swaps{0};

// SQLite's lock page: PENDING_BYTE (1 GiB unless a test build moves it) / page size + 1. No
// data ever lives there, which is why balance_nonroot borrows its number.
constexpr unsigned kPendingByte = 0x40000000;

struct Cache {
  sqlite3_pcache* inner = nullptr;
  unsigned lock_page = 0;
  // The largest key a page may have, the lock page left out: every page comes in through
  // fetch and changes its key only through rekey, and only a truncate removes keys for sure.
  unsigned max_key = 0;
  // Pages moved to the lock page and not moved off it. A page discarded while parked there
  // is not seen, so this may stay above zero: then truncates go through, as before.
  unsigned parked = 0;
};

Cache* cache_of(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }

sqlite3_pcache* cache_create(int page_size, int extra, int purgeable) {
  sqlite3_pcache* inner = g_default.xCreate(page_size, extra, purgeable);
  if (!inner) return nullptr;
  auto* c = new (std::nothrow) Cache;
  if (!c) {
    g_default.xDestroy(inner);
    return nullptr;
  }
  c->inner = inner;
  c->lock_page = kPendingByte / static_cast<unsigned>(page_size) + 1;
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void cache_cachesize(sqlite3_pcache* p, int n) { g_default.xCachesize(cache_of(p)->inner, n); }
int cache_pagecount(sqlite3_pcache* p) { return g_default.xPagecount(cache_of(p)->inner); }

sqlite3_pcache_page* cache_fetch(sqlite3_pcache* p, unsigned key, int create_flag) {
  Cache* c = cache_of(p);
  sqlite3_pcache_page* page = g_default.xFetch(c->inner, key, create_flag);
  if (page) c->max_key = std::max(c->max_key, key);
  return page;
}

void cache_unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
  g_default.xUnpin(cache_of(p)->inner, page, discard);
}

void cache_rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache* c = cache_of(p);
  g_default.xRekey(c->inner, page, old_key, new_key);
  if (old_key == c->lock_page && c->parked > 0) --c->parked;
  if (new_key == c->lock_page) {
    ++c->parked;
    g_swaps.fetch_add(1, std::memory_order_relaxed);
  } else {
    c->max_key = std::max(c->max_key, new_key);
  }
}

void cache_truncate(sqlite3_pcache* p, unsigned limit) {
  Cache* c = cache_of(p);
  const bool parked_past = c->parked > 0 && c->lock_page >= limit;
  if (c->max_key < limit && !parked_past) {
    g_skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_default.xTruncate(c->inner, limit);
  // What SQLite's cache now holds is all below the limit.
  if (c->max_key >= limit) c->max_key = limit == 0 ? 0 : limit - 1;
  if (c->lock_page >= limit) c->parked = 0;
}

void cache_destroy(sqlite3_pcache* p) {
  Cache* c = cache_of(p);
  g_default.xDestroy(c->inner);
  delete c;
}

void cache_shrink(sqlite3_pcache* p) { g_default.xShrink(cache_of(p)->inner); }

bool install_cache() {
  if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &g_default) != SQLITE_OK) return false;
  g_mine = g_default;  // iVersion, pArg, xInit and xShutdown as SQLite's
  g_mine.xCreate = &cache_create;
  g_mine.xCachesize = &cache_cachesize;
  g_mine.xPagecount = &cache_pagecount;
  g_mine.xFetch = &cache_fetch;
  g_mine.xUnpin = &cache_unpin;
  g_mine.xRekey = &cache_rekey;
  g_mine.xTruncate = &cache_truncate;
  g_mine.xDestroy = &cache_destroy;
  g_mine.xShrink = &cache_shrink;
  return sqlite3_config(SQLITE_CONFIG_PCACHE2, &g_mine) == SQLITE_OK;
}

}  // namespace

bool install_sqlite_page_cache() {
  static const bool installed = install_cache();
  return installed;
}

const sqlite3_pcache_methods2& sqlite_page_cache_methods() { return g_mine; }

SqlitePageCacheStats sqlite_page_cache_stats() {
  return {g_skipped.load(std::memory_order_relaxed), g_swaps.load(std::memory_order_relaxed)};
}

}  // namespace dialtone::server
