// A 128-bit sid -> rowid map for the store's writer (call_rowids.hpp): 256 open-addressing
// tables chosen by the key's hash (core/sharded_table.hpp), each slot holding the key and
// the rowid.
// Why not std::unordered_map: with a million calls, looking up a new call's sid walked a
// bucket and a chain of nodes scattered over the heap, and inserting allocated a node. That
// was a tenth of the writer's time on durable creates (perf, seventeenth session). Here a
// lookup reads one slot's cache line, an insert writes it, and growing moves 1/256 of the
// slots at once (at 1M calls ~4k slots) rather than rehashing everything.
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include "core/sharded_table.hpp"

namespace dialtone::server {

struct PackedSid {
  uint64_t hi, lo;
  bool operator==(const PackedSid&) const = default;
};

class PackedRowids {
 public:
  std::optional<int64_t> find(const PackedSid& k) const {
    const Slot* s = table_.find(hash(k), Is{k});
    if (!s) return std::nullopt;
    return s->rowid;
  }

  // Adds the key, or gives it a new rowid.
  void put(const PackedSid& k, int64_t rowid) {
    const uint64_t h = hash(k);
    if (Slot* s = table_.find(h, Is{k})) {
      s->rowid = rowid;
      return;
    }
    table_.insert(h, Slot{k, rowid});
  }

  void erase(const PackedSid& k) { table_.erase(hash(k), Is{k}); }
  void clear() { table_.clear(); }
  size_t size() const { return table_.size(); }

 private:
  // SQLite gives rows rowids from 1 up: this one marks an empty slot.
  static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();
  struct Slot {
    PackedSid key{0, 0};
    int64_t rowid = kEmpty;
  };
  // The sid's hex digits are random already; the multiply spreads both halves into every bit.
  static uint64_t hash(const PackedSid& k) { return (k.hi ^ k.lo) * 0x9E3779B97F4A7C15ull; }
  struct Traits {
    static bool empty(const Slot& s) { return s.rowid == kEmpty; }
    static uint64_t hash(const Slot& s) { return PackedRowids::hash(s.key); }
  };
  struct Is {
    PackedSid k;
    bool operator()(const Slot& s) const { return s.key == k; }
  };

  core::ShardedTable<Slot, Traits, 8, 16> table_;
};

}  // namespace dialtone::server
