// The page cache that skips SQLite's needless truncate walks (server/sqlite_page_cache.hpp):
// the swaps through the lock page happen, the walks after them are skipped, and the database
// stays what a model of it says, through commits, rollbacks that shrink it and reopenings.
#include "server/sqlite_page_cache.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <random>
#include <string>

#include "tests/server/sqlite_helpers.hpp"

namespace dialtone::server {
namespace {

// Installed before any test starts SQLite, as Store::open does in dialtone: every server test
// that uses SQLite, the store's among them, runs on this cache.
class SqlitePageCacheEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_TRUE(install_sqlite_page_cache()); }
};
[[maybe_unused]] const auto* const kPageCache =
    ::testing::AddGlobalTestEnvironment(new SqlitePageCacheEnvironment);

using sqlite_test::exec;
using sqlite_test::query;

class SqlitePageCacheTest : public ::testing::Test {
 protected:
  SqlitePageCacheTest() { open(); }
  ~SqlitePageCacheTest() override { sqlite3_close(db_); }  // before dir_ goes

  void open() {
    ASSERT_EQ(sqlite3_open((dir_ / "t.db").c_str(), &db_), SQLITE_OK);
    exec(db_, "PRAGMA journal_mode=WAL; PRAGMA cache_size=-32768;");
  }
  void reopen() {
    sqlite3_close(db_);
    db_ = nullptr;
    open();
  }

  // Low page numbers for a table that is then emptied (its pages go to the freelist), above
  // them a table with an index on random keys: the index's splits take freed pages, out of
  // order, which is what makes balance_nonroot swap page numbers through the lock page.
  void fill() {
    exec(db_,
         "CREATE TABLE filler(k INTEGER PRIMARY KEY, v BLOB);"
         "CREATE TABLE t(k INTEGER PRIMARY KEY, r INTEGER NOT NULL, v TEXT NOT NULL);"
         "CREATE INDEX t_r ON t(r);"
         "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
         " INSERT INTO filler SELECT i, zeroblob(1000) FROM n; COMMIT;");
    insert_rows(2000);
    exec(db_, "DELETE FROM filler");
    ASSERT_GT(std::stoi(query(db_, "PRAGMA freelist_count")), 500);
  }

  void insert_rows(int n) {
    exec(db_, "BEGIN");
    for (int i = 0; i < n; ++i) put(next_key_++, static_cast<int64_t>(rng_() % 1'000'000'000));
    exec(db_, "COMMIT");
  }

  void put(int64_t k, int64_t r) {
    const std::string v(40 + k % 60, static_cast<char>('a' + k % 26));
    exec(db_,
         "INSERT INTO t VALUES(" + std::to_string(k) + ", " + std::to_string(r) + ", '" + v + "')");
    model_[k] = {r, v};
  }

  // The table and its index hold exactly the model's rows, and SQLite finds nothing wrong.
  void expect_matches_model() {
    EXPECT_EQ(query(db_, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(query(db_, "SELECT count(*) FROM t"), std::to_string(model_.size()));
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "SELECT k, r, v FROM t ORDER BY r, k", -1, &s, nullptr),
              SQLITE_OK);
    std::multimap<int64_t, int64_t> by_r;
    for (const auto& [k, row] : model_) by_r.emplace(row.first, k);
    auto want = by_r.begin();
    while (sqlite3_step(s) == SQLITE_ROW && want != by_r.end()) {
      const int64_t k = sqlite3_column_int64(s, 0);
      const auto& row = model_.at(k);
      EXPECT_EQ(sqlite3_column_int64(s, 1), row.first);
      EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 2)), row.second);
      EXPECT_EQ(row.first, want->first);
      ++want;
    }
    sqlite3_finalize(s);
    EXPECT_EQ(want, by_r.end());
  }

  sqlite_test::ScratchDir dir_{"dialtone_page_cache_test_"};
  sqlite3* db_ = nullptr;
  std::mt19937_64 rng_{20261207};
  int64_t next_key_ = 1;
  std::map<int64_t, std::pair<int64_t, std::string>> model_;
};

// One cache driven directly, as SQLite's pager drives it.
class PageCacheMethodsTest : public ::testing::Test {
 protected:
  static constexpr unsigned kLockPage = 0x40000000 / 4096 + 1;
  // sqlite3_initialize starts SQLite's own cache, which this one forwards to.
  PageCacheMethodsTest()
      : m_(sqlite_page_cache_methods()),
        cache_(sqlite3_initialize() == SQLITE_OK ? m_.xCreate(4096, 64, 1) : nullptr) {
    m_.xCachesize(cache_, 100);  // room to keep unpinned pages, as the pager sets it
  }
  ~PageCacheMethodsTest() override { m_.xDestroy(cache_); }

  // A page at KEY, made and unpinned (as the pager leaves a clean page it is done with).
  sqlite3_pcache_page* page(unsigned key) {
    sqlite3_pcache_page* p = m_.xFetch(cache_, key, 2);
    EXPECT_NE(p, nullptr);
    return p;
  }
  void done(sqlite3_pcache_page* p) { m_.xUnpin(cache_, p, 0); }
  int pages() { return m_.xPagecount(cache_); }
  uint64_t skipped() { return sqlite_page_cache_stats().truncates_skipped; }

  const sqlite3_pcache_methods2& m_;
  sqlite3_pcache* cache_;
};

TEST_F(PageCacheMethodsTest, DropsWhatIsPastTheLimit) {
  done(page(3));
  done(page(10));
  done(page(20));
  const uint64_t before = skipped();
  m_.xTruncate(cache_, 15);
  EXPECT_EQ(pages(), 2);
  EXPECT_EQ(m_.xFetch(cache_, 20, 0), nullptr);
  EXPECT_EQ(skipped(), before);
}

TEST_F(PageCacheMethodsTest, SkipsWhenNothingIsPastTheLimit) {
  done(page(3));
  done(page(10));
  const uint64_t before = skipped();
  m_.xTruncate(cache_, 11);
  EXPECT_EQ(pages(), 2);
  EXPECT_EQ(skipped(), before + 1);
}

// balance_nonroot's swap of two pages' numbers: A to the lock page, B to A's, A to B's.
TEST_F(PageCacheMethodsTest, ASwapThroughTheLockPageLeavesNothingPastTheLimit) {
  sqlite3_pcache_page* a = page(12);
  sqlite3_pcache_page* b = page(4);
  m_.xRekey(cache_, a, 12, kLockPage);
  m_.xRekey(cache_, b, 4, 12);
  m_.xRekey(cache_, a, kLockPage, 4);
  done(a);
  done(b);
  const uint64_t before = skipped();
  m_.xTruncate(cache_, 13);
  EXPECT_EQ(skipped(), before + 1);
  EXPECT_EQ(m_.xFetch(cache_, 4, 0), a);
  EXPECT_EQ(m_.xFetch(cache_, 12, 0), b);
}

TEST_F(PageCacheMethodsTest, APageLeftOnTheLockPageIsTruncated) {
  sqlite3_pcache_page* a = page(12);
  m_.xRekey(cache_, a, 12, kLockPage);
  done(a);
  m_.xTruncate(cache_, 13);
  EXPECT_EQ(pages(), 0);
  // Discarded while parked: the cache cannot tell, so the next truncate is not skipped.
  sqlite3_pcache_page* b = page(7);
  m_.xRekey(cache_, b, 7, kLockPage);
  m_.xUnpin(cache_, b, 1);
  done(page(5));
  const uint64_t before = skipped();
  m_.xTruncate(cache_, 13);
  EXPECT_EQ(skipped(), before);
  EXPECT_EQ(pages(), 1);
  // After a truncate that went through, the cache knows again.
  m_.xTruncate(cache_, 13);
  EXPECT_EQ(skipped(), before + 1);
}

TEST_F(PageCacheMethodsTest, ARekeyPastTheLimitIsTruncated) {
  sqlite3_pcache_page* a = page(2);
  m_.xRekey(cache_, a, 2, 30);
  done(a);
  m_.xTruncate(cache_, 13);
  EXPECT_EQ(pages(), 0);
}

TEST_F(SqlitePageCacheTest, SkipsTheWalkAfterSwapsThroughTheLockPage) {
  fill();
  const SqlitePageCacheStats before = sqlite_page_cache_stats();
  for (int i = 0; i < 40; ++i) insert_rows(50);
  const SqlitePageCacheStats after = sqlite_page_cache_stats();
  // The case the cache is for happened, and the commits after it did not walk.
  EXPECT_GT(after.lock_page_swaps, before.lock_page_swaps);
  EXPECT_GE(after.truncates_skipped - before.truncates_skipped, 40u);
  expect_matches_model();
  reopen();
  expect_matches_model();
}

TEST_F(SqlitePageCacheTest, RollbacksThatShrinkTheDatabaseStillTruncate) {
  fill();
  for (int round = 0; round < 20; ++round) {
    // Grows the file past its size (new pages, and pages of the freelist), then takes it all
    // back: the cache holds pages past the size it returns to, and must drop them.
    exec(db_, "BEGIN");
    for (int i = 0; i < 400; ++i) {
      exec(db_, "INSERT INTO t VALUES(" + std::to_string(1'000'000 + i) + ", " +
                    std::to_string(rng_() % 1'000'000'000) + ", hex(randomblob(600)))");
    }
    exec(db_, "ROLLBACK");
    // What comes next takes those page numbers again, with other content.
    insert_rows(30);
    ASSERT_NO_FATAL_FAILURE(expect_matches_model()) << "round " << round;
  }
  reopen();
  expect_matches_model();
}

TEST_F(SqlitePageCacheTest, DeletesAndInsertsAgainstAModel) {
  fill();
  for (int round = 0; round < 30; ++round) {
    exec(db_, "BEGIN");
    // Deletes a random stretch of keys (pages freed in the middle of the file), then inserts.
    const int64_t from = 1 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(next_key_));
    exec(db_, "DELETE FROM t WHERE k BETWEEN " + std::to_string(from) + " AND " +
                  std::to_string(from + 150));
    for (auto it = model_.lower_bound(from); it != model_.end() && it->first <= from + 150;) {
      it = model_.erase(it);
    }
    exec(db_, "COMMIT");
    insert_rows(120);
  }
  expect_matches_model();
  reopen();
  expect_matches_model();
}

}  // namespace
}  // namespace dialtone::server
