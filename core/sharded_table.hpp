// Open-addressing hash tables in shards chosen by the key's hash: the shape of the engine's
// calls by sid (core/call_index.hpp) and of the store's rowids by sid
// (server/packed_rowids.hpp).
// Why this shape: every growth step runs on a thread that others wait for (the engine lock, the
// store's writer). Here a step doubles one shard: 1/2^kShardBits of the entries, moved as
// slots. A lookup reads the slot's cache line; a node-based map walked scattered nodes.
// Linear probing, at most 3/4 full, deletion by backward shift (no tombstones).
// Slot is a small value type. Traits says which slots are empty and what a slot's hash is:
//   static bool empty(const Slot&);        // a default-constructed Slot is empty
//   static uint64_t hash(const Slot&);     // the hash it was placed by
// The shard takes the hash's top bits and the slot its low bits, so the two are independent.
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace dialtone::core {

template <class Slot, class Traits, int kShardBits, size_t kFirstSlots>
class ShardedTable {
 public:
  ShardedTable() : shards_(new Shard[kShards]) {}

  // The slot that has hash h and that is_key accepts, or null.
  template <class IsKey>
  const Slot* find(uint64_t h, IsKey&& is_key) const {
    const Shard& shard = shards_[shard_index(h)];
    const size_t i = index_of(shard, h, is_key);
    return i == kNone ? nullptr : &shard.slots[i];
  }
  template <class IsKey>
  Slot* find(uint64_t h, IsKey&& is_key) {
    return const_cast<Slot*>(std::as_const(*this).find(h, is_key));
  }

  // Adds a slot whose key is not in the table.
  void insert(uint64_t h, const Slot& slot) {
    Shard& shard = shards_[shard_index(h)];
    if ((shard.size + 1) * 4 > (shard.mask + 1) * 3) grow(shard);
    place(shard, h, slot);
    ++shard.size;
    ++size_;
  }

  // Removes the slot find() would give and returns it.
  template <class IsKey>
  std::optional<Slot> erase(uint64_t h, IsKey&& is_key) {
    Shard& shard = shards_[shard_index(h)];
    size_t i = index_of(shard, h, is_key);
    if (i == kNone) return std::nullopt;
    const Slot removed = shard.slots[i];
    // Backward shift: pull each following slot of the run into the hole unless its home lies
    // cyclically after the hole (it would then become unreachable from its home).
    for (size_t j = (i + 1) & shard.mask;; j = (j + 1) & shard.mask) {
      const Slot& next = shard.slots[j];
      if (Traits::empty(next)) break;
      const size_t home = Traits::hash(next) & shard.mask;
      if (((j - home) & shard.mask) >= ((j - i) & shard.mask)) {
        shard.slots[i] = next;
        i = j;
      }
    }
    shard.slots[i] = Slot{};
    --shard.size;
    --size_;
    return removed;
  }

  void clear() {
    for (size_t k = 0; k < kShards; ++k) shards_[k] = Shard{};  // and give the slots back
    size_ = 0;
  }
  size_t size() const { return size_; }

  // Every slot that holds something, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (size_t k = 0; k < kShards; ++k) {
      const Shard& shard = shards_[k];
      for (size_t i = 0; shard.size > 0 && i <= shard.mask; ++i) {
        if (!Traits::empty(shard.slots[i])) f(shard.slots[i]);
      }
    }
  }

 private:
  static constexpr size_t kShards = size_t{1} << kShardBits;
  static constexpr size_t kNone = ~size_t{0};
  struct Shard {
    std::unique_ptr<Slot[]> slots;
    size_t mask = 0;  // slots - 1; 0 before the first insert
    size_t size = 0;
  };

  static size_t shard_index(uint64_t h) { return h >> (64 - kShardBits); }

  template <class IsKey>
  static size_t index_of(const Shard& shard, uint64_t h, IsKey& is_key) {
    if (shard.size == 0) return kNone;
    for (size_t i = h & shard.mask;; i = (i + 1) & shard.mask) {
      const Slot& s = shard.slots[i];
      if (Traits::empty(s)) return kNone;
      if (is_key(s)) return i;
    }
  }
  static void place(Shard& shard, uint64_t h, const Slot& slot) {
    size_t i = h & shard.mask;
    while (!Traits::empty(shard.slots[i])) i = (i + 1) & shard.mask;
    shard.slots[i] = slot;
  }
  static void grow(Shard& shard) {
    const size_t n = shard.slots ? (shard.mask + 1) * 2 : kFirstSlots;
    std::unique_ptr<Slot[]> old = std::move(shard.slots);
    const size_t old_n = old ? shard.mask + 1 : 0;
    shard.slots = std::make_unique<Slot[]>(n);
    shard.mask = n - 1;
    for (size_t i = 0; i < old_n; ++i) {
      if (!Traits::empty(old[i])) place(shard, Traits::hash(old[i]), old[i]);
    }
  }

  std::unique_ptr<Shard[]> shards_;  // kShards of them, on the heap
  size_t size_ = 0;
};

}  // namespace dialtone::core
