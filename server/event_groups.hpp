// The journal on disk, one row per account per commit (table event_groups, server/store.cpp):
// the row's events as one JSON array, [2, [seq, call_sid, at_ms, wall_ms, type, fields], ...].
// The 2 says that each event is written against the one before it in the row (the first
// against zeros): seq, at_ms and wall_ms as differences, and call_sid null when it is the
// previous event's. A durable create journals three events of one call at one moment, and
// their sids and times written whole were ~150 of the row's ~500 bytes a create (the sparse
// call rows, api/records_json.hpp, had made the journal the larger part of what a create
// writes). Rows of schema 3 hold each event whole, without the 2: both are read.
// Why not a row per event: a durable create journals three events, and their three inserts
// (each with its index entry) were ~45% of the writer's CPU; the writer's CPU is most of what
// a durable create costs beyond an in-memory one (eighteenth session, bench/RESULTS.md).
// Why per account: an account's reset deletes its rows by the account column, as before.
//
// EventGroups collects a transaction's events as the writer applies its batches; reading
// puts the rows' events back in journal order (EventGroupMerger): the rows of one commit
// overlap in seq (A:1, B:2, A:3 are rows A [1, 3] and B [2]).
// Thread-safety: plain values, one thread at a time (the store's writer, start-up).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/journal.hpp"

namespace dialtone::server {

// Deletes the groups whose last event is at or before ?1. The first_seq bound adds nothing to
// what goes but makes it a range of the primary key: on last_seq alone SQLite scanned the
// whole table at every prune, once the journal had reached its bound (every commit: durable
// creates went from 30k/s to 4k/s).
inline constexpr const char* kPruneEventGroups =
    "DELETE FROM event_groups WHERE first_seq <= ?1 AND last_seq <= ?1";

class EventGroups {
 public:
  struct Group {
    std::string account_sid;
    int64_t first_seq = 0;
    int64_t last_seq = 0;  // 0 until the first event; the next event's seq is written against it
    std::string json;      // "[2,[...],[...]" until close()
    // What else the next event is written against (see the top). `events` says whether the
    // row has one yet: an account's own event has an empty call sid, so prev_call cannot.
    size_t events = 0;
    int64_t prev_at = 0, prev_wall = 0;
    std::string prev_call;
  };
  static constexpr const char* kRowStart = "[2";

  // Events come in journal order (seq rising).
  void add(const core::JournalEvent& e);
  // An account reset later in the same transaction: its events so far are not written.
  void drop_account(std::string_view account_sid);
  void clear() { groups_.clear(); }
  bool empty() const { return groups_.empty(); }
  // The groups' arrays, closed; clear() before the next add().
  const std::vector<Group>& close();

 private:
  std::vector<Group> groups_;  // a handful: the accounts one commit touched
};

// Rows in first_seq order in, events in seq order out.
class EventGroupMerger {
 public:
  // One row's events (the JSON array); false when it does not read as one.
  bool add_row(int64_t first_seq, const std::string& account_sid, std::string_view json);
  // Every event held that no later row can precede (all of them after the last row).
  void drain(const std::function<void(core::JournalEvent&&)>& emit, bool all);

 private:
  std::vector<core::JournalEvent> held_;  // a min-heap on seq
  int64_t next_row_first_ = 0;             // no event of a row yet to come is before it
};

// An event's fields as written ([[name, value], ...]); pairs that do not read are skipped.
core::Fields event_fields_from(const rapidjson::Value& a);

}  // namespace dialtone::server
