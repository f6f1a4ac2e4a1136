// The VFS that writes a commit's log frames together (server/wal_write_buffer.hpp): after
// every COMMIT, the files as the kernel has them (what a sync makes durable) hold the whole
// commit, checksums included, so that SQLite's recovery from a copy of them finds every row.
// The transactions here spill pages out of a tiny cache and change them again, which makes
// SQLite overwrite frames in place and rewrite their checksums at commit.
#include "server/wal_write_buffer.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "tests/server/sqlite_helpers.hpp"

namespace dialtone::server {
namespace {

namespace fs = std::filesystem;

using sqlite_test::exec;
using sqlite_test::query;

class WalWriteBufferTest : public ::testing::Test {
 protected:
  // What a power loss right after a sync would leave: the database and its log as they are
  // in the file system now (no wal-index: SQLite rebuilds it from the log, checking every
  // frame's checksum), opened with the default VFS.
  std::string recovered(const std::string& sql, int round) {
    const fs::path copy = dir_ / ("copy" + std::to_string(round));
    fs::create_directories(copy);
    fs::copy_file(dir_ / "t.db", copy / "t.db");
    fs::copy_file(dir_ / "t.db-wal", copy / "t.db-wal");
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((copy / "t.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
              SQLITE_OK);
    const std::string check = query(db, "PRAGMA integrity_check");
    const std::string out = query(db, sql);
    sqlite3_close(db);
    EXPECT_EQ(check, "ok");
    return out;
  }

  sqlite_test::ScratchDir dir_{"dialtone_wal_buffer_test_"};
};

TEST_F(WalWriteBufferTest, EveryCommitIsWholeInTheFilesWhenItReturns) {
  const char* vfs = wal_write_buffer_vfs();
  ASSERT_NE(vfs, nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "t.db").c_str(), &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
            SQLITE_OK);
  exec(db,
       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=16; "
       "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT NOT NULL);");
  const std::string value(300, 'v');
  int rows = 0;
  for (int round = 0; round < 3; ++round) {
    // Many pages, more than the cache holds, each changed twice.
    exec(db, "BEGIN");
    for (int i = 0; i < 2000; ++i) {
      exec(db, "INSERT INTO t(v) VALUES('" + value + "')");
    }
    exec(db, "UPDATE t SET v = v || 'x' WHERE k > " + std::to_string(rows));
    exec(db, "COMMIT");
    rows += 2000;
    EXPECT_EQ(recovered("SELECT count(*) || ' ' || sum(length(v)) FROM t", round * 2),
              std::to_string(rows) + " " + std::to_string(rows * 301));
    // A commit of one page.
    exec(db, "UPDATE t SET v = 'one' WHERE k = 1");
    EXPECT_EQ(recovered("SELECT v FROM t WHERE k = 1", round * 2 + 1), "one");
    exec(db, "UPDATE t SET v = '" + value + "x' WHERE k = 1");  // the sum holds again
  }
  sqlite3_close(db);
}

}  // namespace
}  // namespace dialtone::server
