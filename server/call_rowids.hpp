// Where each call's row is in the store's `calls` table: call sid -> SQLite rowid, kept by the
// store's writer. The table has no index on sid: an index keyed by random sids takes every new
// call at a random leaf, one page of the write-ahead log per call in a commit, and that was
// two thirds of what a commit of new calls wrote (bench/RESULTS.md, "Durable"). Rows are found
// by rowid instead, which also keeps them in creation order.
// Dialtone's own sids ("CA" and 32 hex digits) are held as 16 bytes in open-addressing tables
// (packed_rowids.hpp); any other sid (none is made today) as text.
// Thread-safety: none; the store's one writer at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/string_hash.hpp"
#include "server/packed_rowids.hpp"

namespace dialtone::server {

class CallRowids {
 public:
  std::optional<int64_t> find(std::string_view sid) const {
    if (auto k = key(sid)) return packed_.find(*k);
    if (auto it = other_.find(sid); it != other_.end()) return it->second;
    return std::nullopt;
  }
  void put(std::string_view sid, int64_t rowid) {
    if (auto k = key(sid)) {
      packed_.put(*k, rowid);
    } else {
      other_[std::string(sid)] = rowid;
    }
  }
  void erase(std::string_view sid) {
    if (auto k = key(sid)) {
      packed_.erase(*k);
    } else {
      if (auto it = other_.find(sid); it != other_.end()) other_.erase(it);
    }
  }
  void clear() {
    packed_.clear();
    other_.clear();
  }
  size_t size() const { return packed_.size() + other_.size(); }

 private:
  // "CA" + 32 lowercase hex digits, as core/sid.cpp makes them.
  static std::optional<PackedSid> key(std::string_view sid) {
    if (sid.size() != 34 || sid[0] != 'C' || sid[1] != 'A') return std::nullopt;
    PackedSid k{0, 0};
    for (size_t i = 0; i < 32; ++i) {
      const char c = sid[2 + i];
      uint64_t v;
      if (c >= '0' && c <= '9') {
        v = static_cast<uint64_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v = static_cast<uint64_t>(c - 'a' + 10);
      } else {
        return std::nullopt;
      }
      uint64_t& half = i < 16 ? k.hi : k.lo;
      half = (half << 4) | v;
    }
    return k;
  }

  PackedRowids packed_;
  core::StringMap<int64_t> other_;
};

}  // namespace dialtone::server
