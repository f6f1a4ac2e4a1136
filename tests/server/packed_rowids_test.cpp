// The store's sid -> rowid map (server/packed_rowids.hpp, through server/call_rowids.hpp):
// after any mix of inserts, new rowids and erasures it answers as a std::unordered_map does,
// including for keys whose probe runs wrap and for erasures in the middle of a run (the
// backward shift).
#include "server/packed_rowids.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

#include "server/call_rowids.hpp"

namespace dialtone::server {
namespace {

struct KeyHash {
  size_t operator()(const PackedSid& k) const { return k.hi * 31 + k.lo; }
};

TEST(PackedRowids, AnswersAsAMapDoesThroughInsertsUpdatesAndErasures) {
  PackedRowids map;
  std::unordered_map<PackedSid, int64_t, KeyHash> model;
  std::mt19937_64 rng(7);
  std::vector<PackedSid> keys;
  // Few distinct keys against many operations: runs fill, wrap and are cut by erasures.
  for (int i = 0; i < 20000; ++i) keys.push_back({rng(), rng()});
  for (int op = 0; op < 300000; ++op) {
    const PackedSid& k = keys[rng() % keys.size()];
    if (rng() % 3 == 0) {
      map.erase(k);
      model.erase(k);
    } else {
      const auto rowid = static_cast<int64_t>(op + 1);
      map.put(k, rowid);
      model[k] = rowid;
    }
  }
  EXPECT_EQ(map.size(), model.size());
  for (const PackedSid& k : keys) {
    const auto it = model.find(k);
    const auto found = map.find(k);
    if (it == model.end()) {
      EXPECT_FALSE(found.has_value());
    } else {
      ASSERT_TRUE(found.has_value());
      EXPECT_EQ(*found, it->second);
    }
  }
}

TEST(PackedRowids, KeysThatShareTheirHashAreKeptApart) {
  // hash() mixes hi ^ lo: these keys collide on every bit, so each probes past the others.
  PackedRowids map;
  for (uint64_t i = 0; i < 100; ++i) map.put({i, i}, static_cast<int64_t>(i + 1));
  for (uint64_t i = 0; i < 100; i += 2) map.erase({i, i});
  for (uint64_t i = 0; i < 100; ++i) {
    const auto found = map.find({i, i});
    if (i % 2 == 0) {
      EXPECT_FALSE(found.has_value()) << i;
    } else {
      ASSERT_TRUE(found.has_value()) << i;
      EXPECT_EQ(*found, static_cast<int64_t>(i + 1));
    }
  }
  EXPECT_EQ(map.size(), 50u);
  map.clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_FALSE(map.find({1, 1}).has_value());
}

TEST(CallRowids, DialtoneSidsAndOtherSidsAreFoundTheirOwnWay) {
  CallRowids rowids;
  const std::string ours = "CA0123456789abcdef0123456789abcdef";
  const std::string upper = "CA0123456789ABCDEF0123456789ABCDEF";  // not as dialtone makes them
  const std::string other = "XX-not-a-dialtone-sid";
  rowids.put(ours, 1, "ACa");
  rowids.put(upper, 2, "ACa");
  rowids.put(other, 3, "ACa");
  EXPECT_EQ(rowids.find(ours), 1);
  EXPECT_EQ(rowids.find(upper), 2);
  EXPECT_EQ(rowids.find(other), 3);
  EXPECT_EQ(rowids.size(), 3u);
  rowids.erase(ours);
  rowids.erase(other);
  EXPECT_FALSE(rowids.find(ours).has_value());
  EXPECT_FALSE(rowids.find(other).has_value());
  EXPECT_EQ(rowids.find(upper), 2);
}

TEST(CallRowids, AnAccountsRowsAreTakenOnceAndKeepTheirSids) {
  CallRowids rowids;
  rowids.put("CA00000000000000000000000000000001", 1, "ACa");
  rowids.put("CA00000000000000000000000000000002", 2, "ACb");
  rowids.put("CA00000000000000000000000000000003", 3, "ACa");
  // Deleting a call alone leaves its rowid in the list (the reset checks the row's account).
  rowids.erase("CA00000000000000000000000000000003");
  EXPECT_EQ(rowids.take_account_rows("ACa"), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(rowids.take_account_rows("ACa").empty());
  EXPECT_EQ(rowids.find("CA00000000000000000000000000000001"), 1);  // erased by the caller
  rowids.put("CA00000000000000000000000000000004", 4, "ACa");
  EXPECT_EQ(rowids.take_account_rows("ACa"), (std::vector<int64_t>{4}));
  EXPECT_EQ(rowids.take_account_rows("ACb"), (std::vector<int64_t>{2}));
  rowids.put("CA00000000000000000000000000000005", 5, "ACb");
  rowids.clear();
  EXPECT_TRUE(rowids.take_account_rows("ACb").empty());
}

}  // namespace
}  // namespace dialtone::server
