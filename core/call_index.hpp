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
// The tables are core/sharded_table.hpp's (linear probing, deletion by backward shift).
// Record is CallRecord (a parameter only to keep this header free of engine_impl.hpp); the
// key is the record's own `call.sid`. The index owns its records.
// Thread-safety: none (owned by the Engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/sharded_table.hpp"

namespace dialtone::core {

template <class Record>
class CallIndex {
 public:
  CallIndex() = default;
  ~CallIndex() { clear(); }
  CallIndex(const CallIndex&) = delete;
  CallIndex& operator=(const CallIndex&) = delete;

  Record* find(std::string_view sid) const {
    const uint64_t h = hash(sid);
    const Slot* s = table_.find(h, is(h, sid));
    return s ? s->rec : nullptr;
  }
  bool contains(std::string_view sid) const { return find(sid) != nullptr; }

  // The sid must be new.
  Record& insert(std::unique_ptr<Record> rec) {
    const uint64_t h = hash(rec->call.sid);
    table_.insert(h, Slot{h, rec.get()});
    return *rec.release();
  }

  // Removes and hands back the record; null when there is none.
  std::unique_ptr<Record> take(std::string_view sid) {
    const uint64_t h = hash(sid);
    const auto removed = table_.erase(h, is(h, sid));
    return std::unique_ptr<Record>(removed ? removed->rec : nullptr);
  }

  size_t size() const { return table_.size(); }
  bool empty() const { return table_.size() == 0; }
  void clear() {
    table_.for_each([](const Slot& s) { delete s.rec; });
    table_.clear();
  }

  // Every record, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    table_.for_each([&](const Slot& s) { f(static_cast<const Record&>(*s.rec)); });
  }
  template <class F>
  void for_each(F&& f) {
    table_.for_each([&](const Slot& s) { f(*s.rec); });
  }

 private:
  // A slot holds the hash and the record: growing moves 16-byte slots without touching a
  // record, and a lookup reads one record, the one whose hash matches.
  struct Slot {
    uint64_t hash = 0;
    Record* rec = nullptr;  // null: empty
  };
  struct Traits {
    static bool empty(const Slot& s) { return s.rec == nullptr; }
    static uint64_t hash(const Slot& s) { return s.hash; }
  };

  static uint64_t hash(std::string_view sid) { return std::hash<std::string_view>{}(sid); }
  static auto is(uint64_t h, std::string_view sid) {
    return [h, sid](const Slot& s) {
      return s.hash == h && std::string_view(s.rec->call.sid) == sid;
    };
  }

  // 4096 shards (96 KiB): at 1M calls a growth step moves ~250 slots.
  ShardedTable<Slot, Traits, 12, 8> table_;
};

}  // namespace dialtone::core
