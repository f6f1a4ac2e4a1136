// CallIndex against std::unordered_map as the model, through enough churn that the small
// open-addressing tables grow, wrap around and shift runs back on removal.
#include "core/call_index.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace dialtone::core {
namespace {

int g_live_records = 0;

struct Rec {
  explicit Rec(std::string sid) { call.sid = std::move(sid); ++g_live_records; }
  ~Rec() { --g_live_records; }
  Rec(const Rec&) = delete;
  Rec& operator=(const Rec&) = delete;
  struct {
    std::string sid;
  } call;
};

std::string random_sid(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid = "CA";
  for (int i = 0; i < 32; ++i) sid.push_back(kHex[rng() & 0xf]);
  return sid;
}

TEST(CallIndex, AgreesWithAMapThroughInsertsLookupsAndRemovals) {
  std::mt19937_64 rng(42);
  {
    CallIndex<Rec> index;
    std::unordered_map<std::string, Rec*> model;
    std::vector<std::string> keys;  // every key ever inserted, some removed since
    for (int step = 0; step < 300000; ++step) {
      const uint64_t op = rng() % 10;
      if (op < 5 || keys.empty()) {  // insert; ~120k live at the end: ~30 per table
        std::string sid = random_sid(rng);
        Rec& r = index.insert(std::make_unique<Rec>(sid));
        EXPECT_EQ(r.call.sid, sid);
        model.emplace(sid, &r);
        keys.push_back(std::move(sid));
      } else if (op < 8) {  // look up a known key (maybe removed) or a stranger
        const std::string sid = op == 7 ? random_sid(rng) : keys[rng() % keys.size()];
        auto it = model.find(sid);
        ASSERT_EQ(index.find(sid), it == model.end() ? nullptr : it->second) << sid;
      } else {  // remove a known key (maybe already removed)
        const std::string& sid = keys[rng() % keys.size()];
        std::unique_ptr<Rec> out = index.take(sid);
        auto it = model.find(sid);
        ASSERT_EQ(out.get(), it == model.end() ? nullptr : it->second) << sid;
        if (it != model.end()) model.erase(it);
      }
      ASSERT_EQ(index.size(), model.size());
    }
    // After all that churn every live key is still reachable from its home slot...
    for (const auto& [sid, rec] : model) ASSERT_EQ(index.find(sid), rec) << sid;
    // ...and for_each sees each record once.
    size_t seen = 0;
    index.for_each([&](const Rec& r) {
      ++seen;
      EXPECT_EQ(model.at(r.call.sid), &r);
    });
    EXPECT_EQ(seen, model.size());
    EXPECT_EQ(g_live_records, static_cast<int>(model.size()));
  }
  EXPECT_EQ(g_live_records, 0) << "the index owns its records";
}

TEST(CallIndex, TakesAnyStringAsAKey) {
  CallIndex<Rec> index;
  for (const char* key : {"", "x", "CA", "not a sid at all", "CAzz"}) {
    index.insert(std::make_unique<Rec>(key));
  }
  EXPECT_NE(index.find(""), nullptr);
  EXPECT_NE(index.find("CAzz"), nullptr);
  EXPECT_EQ(index.find("CAz"), nullptr);
  EXPECT_EQ(index.take("x")->call.sid, "x");
  EXPECT_FALSE(index.contains("x"));
  EXPECT_EQ(index.size(), 4u);
}

TEST(CallIndex, ClearDeletesEveryRecordAndTheIndexStaysUsable) {
  std::mt19937_64 rng(7);
  CallIndex<Rec> index;
  for (int i = 0; i < 5000; ++i) index.insert(std::make_unique<Rec>(random_sid(rng)));
  EXPECT_EQ(g_live_records, 5000);
  index.clear();
  EXPECT_EQ(g_live_records, 0);
  EXPECT_TRUE(index.empty());
  const std::string sid = random_sid(rng);
  index.insert(std::make_unique<Rec>(sid));
  EXPECT_EQ(index.find(sid)->call.sid, sid);
}

}  // namespace
}  // namespace dialtone::core
