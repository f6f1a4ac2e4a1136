// Where each call's row is in the store's `calls` table: call sid -> SQLite rowid, kept by the
// store's writer. The table has no index on sid: an index keyed by random sids takes every new
// call at a random leaf, one page of the write-ahead log per call in a commit, and that was
// two thirds of what a commit of new calls wrote (bench/RESULTS.md, "Durable"). Rows are found
// by rowid instead, which also keeps them in creation order.
// Dialtone's own sids ("CA" and 32 hex digits) are held as 16 bytes in open-addressing tables
// (packed_rowids.hpp); any other sid (none is made today) as text.
// It also keeps each account's rowids, for the account's reset: the table has no index on
// the account either. That index took every new call's entry in a commit, 3-4 of the ~17
// pages a commit of durable creates wrote to the log (bench/RESULTS.md, twenty-fifth
// session); here it is 8 bytes a call in memory. A list is not pruned when one of its calls
// is deleted alone: its rowid stays until the account's reset, which deletes a row only if
// it still holds one of the account's calls (SQLite may give a freed rowid to a new row).
// Thread-safety: none; the store's one writer at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  // A row the writer inserted, or read at start-up.
  void put(std::string_view sid, int64_t rowid, std::string_view account_sid) {
    if (auto k = key(sid)) {
      packed_.put(*k, rowid);
    } else {
      other_[std::string(sid)] = rowid;
    }
    auto it = by_account_.find(account_sid);
    if (it == by_account_.end()) it = by_account_.emplace(std::string(account_sid), Rows{}).first;
    it->second.push_back(rowid);
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
    by_account_.clear();
  }
  // Every rowid put for the account since the last take (or clear), some perhaps no longer
  // its own (see the top); the account then has none. Its sids stay until erase()d.
  std::vector<int64_t> take_account_rows(std::string_view account_sid) {
    auto it = by_account_.find(account_sid);
    if (it == by_account_.end()) return {};
    Rows rows = std::move(it->second);
    by_account_.erase(it);
    return rows;
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

  using Rows = std::vector<int64_t>;
  PackedRowids packed_;
  core::StringMap<int64_t> other_;
  core::StringMap<Rows> by_account_;
};

}  // namespace dialtone::server
