// The engine's calls by sid: 4096 small open-addressing tables, chosen by the sid's hash.
// Why this shape: every growth step runs with the engine lock held, so what matters is how
// long one step stalls the requests waiting for that lock.
// - One std::unordered_map rehashed all its nodes at once: ~30 ms at 260k calls.
// - 256 unordered_map shards fill evenly, so all 256 rehashed within the same second, each
//   walking ~2k nodes scattered over the heap: 200 holds of ~1.2 ms at 520k calls, which set
//   the p99 of creates.
// - Here a slot holds the hash and the record, so a rehash moves 16-byte slots without
//   touching a record, and a table holds 1/4096 of the calls: at 1M calls a step moves ~250
//   slots. A lookup reads one record, the one it compares the sid of.
// Linear probing, at most 3/4 full, deletion by backward shift (no tombstones).
// Record is CallRecord (a parameter only to keep this header free of engine_impl.hpp); the
// key is the record's own `call.sid`. The index owns its records.
// Thread-safety: none (owned by the Engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace dialtone::core {

template <class Record>
class CallIndex {
 public:
  CallIndex() : shards_(new Shard[kShards]) {}
  ~CallIndex() { clear(); }
  CallIndex(const CallIndex&) = delete;
  CallIndex& operator=(const CallIndex&) = delete;

  Record* find(std::string_view sid) const {
    const uint64_t h = hash(sid);
    const Shard& shard = shards_[shard_index(h)];
    const size_t i = slot_of(shard, h, sid);
    return i == kNone ? nullptr : shard.slots[i].rec;
  }
  bool contains(std::string_view sid) const { return find(sid) != nullptr; }

  // The sid must be new.
  Record& insert(std::unique_ptr<Record> rec) {
    const uint64_t h = hash(rec->call.sid);
    Shard& shard = shards_[shard_index(h)];
    if ((shard.size + 1) * 4 > (shard.mask + 1) * 3) grow(shard);
    place(shard, Slot{h, rec.get()});
    ++shard.size;
    ++size_;
    return *rec.release();
  }

  // Removes and hands back the record; null when there is none.
  std::unique_ptr<Record> take(std::string_view sid) {
    const uint64_t h = hash(sid);
    Shard& shard = shards_[shard_index(h)];
    size_t i = slot_of(shard, h, sid);
    if (i == kNone) return nullptr;
    std::unique_ptr<Record> out(shard.slots[i].rec);
    // Backward shift: pull each following slot of the run into the hole unless its home lies
    // cyclically after the hole (it would then become unreachable from its home).
    for (size_t j = (i + 1) & shard.mask;; j = (j + 1) & shard.mask) {
      Slot& next = shard.slots[j];
      if (!next.rec) break;
      const size_t home = next.hash & shard.mask;
      if (((j - home) & shard.mask) >= ((j - i) & shard.mask)) {
        shard.slots[i] = next;
        i = j;
      }
    }
    shard.slots[i] = Slot{};
    --shard.size;
    --size_;
    return out;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    visit([](Record* r) { delete r; });
    for (size_t k = 0; k < kShards; ++k) shards_[k] = Shard{};  // and give the slots back
    size_ = 0;
  }

  // Every record, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    visit([&](Record* r) { f(static_cast<const Record&>(*r)); });
  }
  template <class F>
  void for_each(F&& f) {
    visit([&](Record* r) { f(*r); });
  }

 private:
  static constexpr int kShardBits = 12;
  static constexpr size_t kShards = size_t{1} << kShardBits;
  static constexpr size_t kFirstSlots = 8;
  struct Slot {
    uint64_t hash = 0;
    Record* rec = nullptr;  // null: empty
  };
  struct Shard {
    std::unique_ptr<Slot[]> slots;
    size_t mask = 0;  // slots - 1; 0 before the first insert
    size_t size = 0;
  };

  // The shard takes the top bits and the slot the low bits, so the two choices are independent.
  static uint64_t hash(std::string_view sid) { return std::hash<std::string_view>{}(sid); }
  static size_t shard_index(uint64_t h) { return h >> (64 - kShardBits); }

  // The slot holding sid in its shard, or kNone.
  static constexpr size_t kNone = ~size_t{0};
  static size_t slot_of(const Shard& shard, uint64_t h, std::string_view sid) {
    if (shard.size == 0) return kNone;
    for (size_t i = h & shard.mask;; i = (i + 1) & shard.mask) {
      const Slot& s = shard.slots[i];
      if (!s.rec) return kNone;
      if (s.hash == h && std::string_view(s.rec->call.sid) == sid) return i;
    }
  }

  static void place(Shard& shard, Slot s) {
    size_t i = s.hash & shard.mask;
    while (shard.slots[i].rec) i = (i + 1) & shard.mask;
    shard.slots[i] = s;
  }
  static void grow(Shard& shard) {
    const size_t n = shard.slots ? (shard.mask + 1) * 2 : kFirstSlots;
    std::unique_ptr<Slot[]> old = std::move(shard.slots);
    const size_t old_n = old ? shard.mask + 1 : 0;
    shard.slots = std::make_unique<Slot[]>(n);
    shard.mask = n - 1;
    for (size_t i = 0; i < old_n; ++i) {
      if (old[i].rec) place(shard, old[i]);
    }
  }

  template <class F>
  void visit(F&& f) const {
    for (size_t k = 0; k < kShards; ++k) {
      const Shard& shard = shards_[k];
      for (size_t i = 0; shard.size > 0 && i <= shard.mask; ++i) {
        if (shard.slots[i].rec) f(shard.slots[i].rec);
      }
    }
  }

  std::unique_ptr<Shard[]> shards_;  // kShards, on the heap: 96 KiB
  size_t size_ = 0;
};

}  // namespace dialtone::core
