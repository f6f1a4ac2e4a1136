// Core's records as JSON, each written whole: the format the store keeps on disk
// (server/store.cpp) and an account's snapshot holds (api/control/snapshot.hpp), one format for
// both. Reading checks every member: JsonIssues collects what is mistyped, out of range or
// unknown, with its path ("calls[2].status"). A snapshot refuses a document with any issue; the
// store, which reads back only what it wrote itself, takes the defaults instead (a start-up
// with a default beats no start-up).
// Thread-safety: pure functions; a JsonIssues or ObjectReader is used by one thread.
#pragma once

#include <rapidjson/document.h>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_writer.hpp"
#include "core/behavior.hpp"
#include "core/call.hpp"
#include "core/notification.hpp"
#include "core/number_store.hpp"
#include "core/time.hpp"

namespace dialtone::api {

// Writes compact JSON into a std::string: the bytes RapidJSON's Writer wrote, at a fraction
// of its cost (a durable update serializes its Call under the engine lock, on the I/O thread:
// RapidJSON's writer was ~2 us of it, fifteenth session).
class RecordWriter : public JsonWriter {
 public:
  // Which members a record holds. kEvery: all of them (a snapshot, which people read and
  // edit). kSet: only those that differ from what reading their absence gives (an empty
  // string, an empty list, false, a webhook with no URL): the store's rows, where a Call's
  // ~15 empty members were ~300 of its ~800 bytes. Every row is written to the log, synced,
  // and copied into the database: a bench's call rows went from 790 to 465 bytes, and durable
  // creates and updates gained 2-4% (bench/RESULTS.md, twentieth session). Both forms read
  // back the same, with any reader, older ones included.
  enum class Members { kEvery, kSet };
  explicit RecordWriter(std::string& out, Members members = Members::kEvery)
      : JsonWriter(out, Layout::kCompact), every_(members == Members::kEvery) {}
  // Whether a member holding what its absence reads as is written.
  bool writes_unset() const { return every_; }

 private:
  bool every_;
};

// Members, as the records write them: absent optionals are left out, times are ms since the
// epoch, webhooks are {"url", "method"}. With RecordWriter::Members::kSet, so are strings
// and lists that are empty, false, and webhooks without a URL that use POST.
void put(RecordWriter& w, const char* key, std::string_view v);
void put(RecordWriter& w, const char* key, int64_t v);
void put(RecordWriter& w, const char* key, core::TimePoint t);
void put(RecordWriter& w, const char* key, const std::optional<int64_t>& v);
void put(RecordWriter& w, const char* key, const std::optional<core::TimePoint>& t);
void put(RecordWriter& w, const char* key, const core::Webhook& h);
void put(RecordWriter& w, const char* key, const std::vector<std::string>& v);
// A bool, and only a bool: a string literal or another pointer would take a plain bool
// parameter over the string_view one.
template <std::same_as<bool> Bool>
void put(RecordWriter& w, const char* key, Bool v) {
  if (!v && !w.writes_unset()) return;  // reads as false
  w.Key(key);
  w.Bool(v);
}

// What reading found wrong: the first issue in full, and how many there were.
class JsonIssues {
 public:
  void add(const std::string& path, const std::string& what);
  bool any() const { return count_ > 0; }
  const std::string& first() const { return first_; }
  size_t count() const { return count_; }

 private:
  std::string first_;
  size_t count_ = 0;
};

// Reads the members of one object. A member that is absent or null reads as the default; one
// of the wrong type is an issue (and reads as the default).
class ObjectReader {
 public:
  // `path` names the object in issues ("calls[2]"); a value that is no object is an issue.
  ObjectReader(const rapidjson::Value& v, std::string path, JsonIssues& issues);
  bool is_object() const { return v_ != nullptr; }
  std::string str(const char* key);
  std::optional<int64_t> opt_int(const char* key);
  int64_t integer(const char* key) { return opt_int(key).value_or(0); }
  // An integer from `min` to `max`; outside, an issue and `fallback`.
  int64_t integer_in(const char* key, int64_t min, int64_t max, int64_t fallback);
  std::optional<core::TimePoint> opt_time(const char* key);
  core::TimePoint time(const char* key) { return opt_time(key).value_or(core::TimePoint{}); }
  bool boolean(const char* key);
  core::Webhook hook(const char* key);
  std::vector<std::string> strings(const char* key);
  // The member's value (nullptr when absent or null), for what the reads above do not cover.
  const rapidjson::Value* get(const char* key);
  // Notes an issue with one member.
  void issue(const char* key, const std::string& what);
  std::string path(const char* key) const;
  // Notes each member that no read asked for: a misspelt member would otherwise be dropped
  // without a word.
  void finish();

 private:
  const rapidjson::Value* v_ = nullptr;
  std::string path_;
  JsonIssues& issues_;
  std::vector<std::string_view> read_;
};

void write_call(RecordWriter& w, const core::Call& c);
core::Call read_call(ObjectReader& r);
void write_notification(RecordWriter& w, const core::Notification& n);
core::Notification read_notification(ObjectReader& r);
void write_behavior(RecordWriter& w, const core::Behavior& b);
core::Behavior read_behavior(ObjectReader& r);
void write_number(RecordWriter& w, const core::PhoneNumber& n);
core::PhoneNumber read_number(ObjectReader& r);

// One record on its own, as a string (a row of the store). The buffer starts above a
// call's size (~800 bytes) so that it does not grow while the call is written.
template <class Record>
std::string record_json(const Record& record, void (*write)(RecordWriter&, const Record&),
                        RecordWriter::Members members = RecordWriter::Members::kEvery) {
  std::string out;
  out.reserve(2048);
  RecordWriter w(out, members);
  write(w, record);
  return out;
}

}  // namespace dialtone::api
