// Running SQL in tests that talk to SQLite directly (the VFS, the page cache).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace dialtone::server::sqlite_test {

inline void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  ASSERT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
  sqlite3_free(err);
}

// The first column of the first row, "" when there is none.
inline std::string query(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
  std::string out;
  if (s && sqlite3_step(s) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(s, 0);
    out = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(s);
  return out;
}

}  // namespace dialtone::server::sqlite_test
