// The journal: everything that happened to every call, in order. Tests assert on it and wait on
// it; Twilio's Calls/{Sid}/Events and Notifications are served from it.
// Thread-safety: owned by the Engine. InternedString's pool is safe from any thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace dialtone::core {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A string from a small, bounded set (event types, account sids), stored once per process:
// a journal of a million events would otherwise hold a million copies of a few strings.
// Never use it for unbounded sets (call sids, values): the pool never shrinks.
class InternedString {
 public:
  InternedString();
  InternedString(std::string_view s);  // NOLINT: implicit, as the std::string it replaced
  InternedString(const std::string& s) : InternedString(std::string_view(s)) {}  // NOLINT
  InternedString(const char* s) : InternedString(std::string_view(s)) {}         // NOLINT
  InternedString& operator=(std::string_view s) { return *this = InternedString(s); }
  InternedString& operator=(const std::string& s) { return *this = InternedString(s); }
  InternedString& operator=(const char* s) { return *this = InternedString(s); }
  operator const std::string&() const { return *s_; }  // NOLINT
  operator std::string_view() const { return *s_; }    // NOLINT
  const std::string& str() const { return *s_; }
  bool empty() const { return s_->empty(); }
  size_t size() const { return s_->size(); }
  friend bool operator==(const InternedString& a, const InternedString& b) { return a.s_ == b.s_; }
  friend bool operator==(const InternedString& a, std::string_view b) { return *a.s_ == b; }
  friend bool operator==(const InternedString& a, const std::string& b) { return *a.s_ == b; }
  friend bool operator==(const InternedString& a, const char* b) { return *a.s_ == b; }

 private:
  const std::string* s_;  // owned by the pool, never null
};
std::ostream& operator<<(std::ostream& os, const InternedString& s);

// A string kept inside the object up to 39 characters (a 34-character sid fits), on the heap
// beyond: one journal event per call transition would otherwise allocate for each sid.
class CompactString {
 public:
  CompactString() { buf_[kTag] = 0; }
  CompactString(std::string_view s) { assign(s); }    // NOLINT: implicit, as std::string was
  CompactString(const std::string& s) { assign(s); }  // NOLINT
  CompactString(const char* s) { assign(s); }         // NOLINT
  CompactString(const CompactString& o) { assign(o.view()); }
  CompactString(CompactString&& o) noexcept {
    std::memcpy(buf_, o.buf_, sizeof buf_);
    o.buf_[kTag] = 0;
  }
  CompactString& operator=(const CompactString& o) { return *this = o.view(); }
  CompactString& operator=(CompactString&& o) noexcept {
    CompactString tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  CompactString& operator=(std::string_view s) {
    CompactString tmp(s);  // s may point into *this
    swap(tmp);
    return *this;
  }
  CompactString& operator=(const std::string& s) { return *this = std::string_view(s); }
  CompactString& operator=(const char* s) { return *this = std::string_view(s); }
  ~CompactString() {
    if (on_heap()) delete[] heap_data();
  }
  std::string_view view() const {
    if (!on_heap()) return std::string_view(buf_, static_cast<unsigned char>(buf_[kTag]));
    size_t n;
    std::memcpy(&n, buf_ + sizeof(char*), sizeof n);
    return std::string_view(heap_data(), n);
  }
  operator std::string_view() const { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  bool empty() const { return view().empty(); }
  size_t size() const { return view().size(); }
  friend bool operator==(const CompactString& a, const CompactString& b) {
    return a.view() == b.view();
  }
  friend bool operator==(const CompactString& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const CompactString& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const CompactString& a, const char* b) { return a.view() == b; }

 private:
  // Inline: the text, its length in the last byte. Heap: pointer and length at the front,
  // kHeapTag in the last byte.
  static constexpr size_t kTag = 39;
  static constexpr char kHeapTag = static_cast<char>(0xff);
  bool on_heap() const { return buf_[kTag] == kHeapTag; }
  char* heap_data() const {
    char* p;
    std::memcpy(&p, buf_, sizeof p);
    return p;
  }
  void assign(std::string_view s);
  void swap(CompactString& o) noexcept {
    char tmp[sizeof buf_];
    std::memcpy(tmp, buf_, sizeof buf_);
    std::memcpy(buf_, o.buf_, sizeof buf_);
    std::memcpy(o.buf_, tmp, sizeof buf_);
  }
  alignas(8) char buf_[40];
};
std::ostream& operator<<(std::ostream& os, const CompactString& s);

// An event's name/value pairs packed into one allocation (a vector of string pairs costs 64
// bytes a pair before any text). Read-only once built; iterates as pairs of string_views in the
// order they were given.
class EventFields {
 public:
  using value_type = std::pair<std::string_view, std::string_view>;
  class iterator {
   public:
    using value_type = EventFields::value_type;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    value_type operator*() const;
    iterator& operator++();
    iterator operator++(int) {
      iterator t = *this;
      ++*this;
      return t;
    }
    bool operator==(const iterator& o) const { return p_ == o.p_; }

   private:
    friend class EventFields;
    explicit iterator(const char* p) : p_(p) {}
    const char* p_ = nullptr;
  };

  EventFields() = default;
  EventFields(const Fields& fields);  // NOLINT: implicit, as the Fields it replaced
  EventFields(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
  // Pairs chosen at run time (some optional), packed straight from views.
  explicit EventFields(std::span<const value_type> fields);
  EventFields(const EventFields& o);
  EventFields(EventFields&&) noexcept = default;
  EventFields& operator=(const EventFields& o);
  EventFields& operator=(EventFields&&) noexcept = default;

  iterator begin() const { return iterator(data_.get()); }
  iterator end() const { return iterator(data_.get() + bytes_); }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::optional<std::string_view> get(std::string_view name) const;
  Fields to_fields() const;
  friend bool operator==(const EventFields& a, const EventFields& b);

 private:
  template <class It>
  void build(It first, It last);
  std::unique_ptr<char[]> data_;  // per pair: key length, value length (uint32), key, value
  uint32_t bytes_ = 0;
  uint32_t count_ = 0;
};
std::ostream& operator<<(std::ostream& os, const EventFields& f);

struct JournalEvent {
  uint64_t seq = 0;             // 1, 2, ... over the whole process
  InternedString account_sid;
  CompactString call_sid;       // empty for account-level events
  TimePoint at{};               // virtual time
  TimePoint wall{};             // wall-clock time
  InternedString type;          // "status", "webhook.request", "webhook.response", "verb",
                                // "api.request", "notification", "callee"
  EventFields fields;           // flat name/value pairs; meaning depends on type
  std::optional<std::string_view> field(std::string_view name) const { return fields.get(name); }
};

class Journal {
 public:
  explicit Journal(size_t max_events = 1'000'000) : max_events_(max_events) {}
  const JournalEvent& append(JournalEvent e);
  void restore(JournalEvent e);  // keeps e.seq; later appends continue after it
  const std::deque<JournalEvent>& events() const { return events_; }
  uint64_t last_seq() const { return next_seq_ - 1; }
  void erase_account(const std::string& account_sid);
  void clear() { events_.clear(); }

 private:
  std::deque<JournalEvent> events_;
  uint64_t next_seq_ = 1;
  size_t max_events_;
};

}  // namespace dialtone::core
