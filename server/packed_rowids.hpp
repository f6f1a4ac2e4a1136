// A 128-bit sid -> rowid map for the store's writer (call_rowids.hpp): 256 open-addressing
// tables chosen by the key's hash, each slot holding the key and the rowid.
// Why not std::unordered_map: with a million calls, looking up a new call's sid walked a
// bucket and a chain of nodes scattered over the heap, and inserting allocated a node. That
// was a tenth of the writer's time on durable creates (perf, seventeenth session). Here a
// lookup reads one slot's cache line, an insert writes it, and growing a table moves 1/256 of
// the slots at once (at 1M calls ~4k slots, ~100 us) rather than rehashing everything.
// Linear probing, at most 3/4 full, deletion by backward shift (no tombstones), as in
// core/call_index.hpp.
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>

namespace dialtone::server {

struct PackedSid {
  uint64_t hi, lo;
  bool operator==(const PackedSid&) const = default;
};

class PackedRowids {
 public:
  PackedRowids() : shards_(new Shard[kShards]) {}

  std::optional<int64_t> find(const PackedSid& k) const {
    const uint64_t h = hash(k);
    const Shard& shard = shards_[shard_index(h)];
    const size_t i = slot_of(shard, h, k);
    if (i == kNone) return std::nullopt;
    return shard.slots[i].rowid;
  }

  // Adds the key, or gives it a new rowid.
  void put(const PackedSid& k, int64_t rowid) {
    const uint64_t h = hash(k);
    Shard& shard = shards_[shard_index(h)];
    if (const size_t i = slot_of(shard, h, k); i != kNone) {
      shard.slots[i].rowid = rowid;
      return;
    }
    if ((shard.size + 1) * 4 > (shard.mask + 1) * 3) grow(shard);
    place(shard, Slot{k, rowid});
    ++shard.size;
    ++size_;
  }

  void erase(const PackedSid& k) {
    const uint64_t h = hash(k);
    Shard& shard = shards_[shard_index(h)];
    size_t i = slot_of(shard, h, k);
    if (i == kNone) return;
    // Backward shift: pull each following slot of the run into the hole unless its home lies
    // cyclically after the hole (it would then become unreachable from its home).
    for (size_t j = (i + 1) & shard.mask;; j = (j + 1) & shard.mask) {
      Slot& next = shard.slots[j];
      if (next.rowid == kEmpty) break;
      const size_t home = hash(next.key) & shard.mask;
      if (((j - home) & shard.mask) >= ((j - i) & shard.mask)) {
        shard.slots[i] = next;
        i = j;
      }
    }
    shard.slots[i] = Slot{};
    --shard.size;
    --size_;
  }

  void clear() {
    for (size_t s = 0; s < kShards; ++s) shards_[s] = Shard{};
    size_ = 0;
  }
  size_t size() const { return size_; }

 private:
  static constexpr int kShardBits = 8;
  static constexpr size_t kShards = size_t{1} << kShardBits;
  static constexpr size_t kFirstSlots = 16;
  // SQLite gives rows rowids from 1 up: this one marks an empty slot.
  static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();
  static constexpr size_t kNone = ~size_t{0};

  struct Slot {
    PackedSid key{0, 0};
    int64_t rowid = kEmpty;
  };
  struct Shard {
    std::unique_ptr<Slot[]> slots;
    size_t mask = 0;  // slots - 1; 0 before the first insert
    size_t size = 0;
  };

  // The sid's hex digits are random already; the multiply spreads both halves into every bit.
  // The shard takes the top bits and the slot the low bits, so the two choices are independent.
  static uint64_t hash(const PackedSid& k) { return (k.hi ^ k.lo) * 0x9E3779B97F4A7C15ull; }
  static size_t shard_index(uint64_t h) { return h >> (64 - kShardBits); }

  static size_t slot_of(const Shard& shard, uint64_t h, const PackedSid& k) {
    if (shard.size == 0) return kNone;
    for (size_t i = h & shard.mask;; i = (i + 1) & shard.mask) {
      const Slot& s = shard.slots[i];
      if (s.rowid == kEmpty) return kNone;
      if (s.key == k) return i;
    }
  }
  static void place(Shard& shard, const Slot& s) {
    size_t i = hash(s.key) & shard.mask;
    while (shard.slots[i].rowid != kEmpty) i = (i + 1) & shard.mask;
    shard.slots[i] = s;
  }
  static void grow(Shard& shard) {
    const size_t n = shard.slots ? (shard.mask + 1) * 2 : kFirstSlots;
    std::unique_ptr<Slot[]> old = std::move(shard.slots);
    const size_t old_n = old ? shard.mask + 1 : 0;
    shard.slots = std::make_unique<Slot[]>(n);
    shard.mask = n - 1;
    for (size_t i = 0; i < old_n; ++i) {
      if (old[i].rowid != kEmpty) place(shard, old[i]);
    }
  }

  std::unique_ptr<Shard[]> shards_;  // kShards, on the heap: 6 KiB
  size_t size_ = 0;
};

}  // namespace dialtone::server
