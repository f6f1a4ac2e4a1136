#include "core/journal.hpp"

#include <algorithm>
#include <mutex>
#include <ostream>
#include <unordered_set>

namespace dialtone::core {
namespace {

struct Pool {
  std::mutex mu;
  std::unordered_set<std::string> strings;  // node-based: addresses stay put
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: events may outlive static destruction order
  return *p;
}

const std::string* intern_in_pool(std::string_view s) {
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  return &*p.strings.emplace(s).first;
}

// Every journal event interns its account sid and its type, a handful of strings that repeat:
// each thread remembers the last few it interned and finds them again without the pool's
// lock and hash (the lock was ~1% of a fetch's samples, seventeenth session). A miss replaces
// the oldest entry. The pool never frees a string, so a remembered pointer stays valid.
const std::string* intern(std::string_view s) {
  constexpr size_t kRemembered = 16;
  thread_local const std::string* remembered[kRemembered] = {};
  thread_local size_t next = 0;
  for (const std::string* r : remembered) {
    if (r && std::string_view(*r) == s) return r;
  }
  const std::string* interned = intern_in_pool(s);
  remembered[next] = interned;
  next = (next + 1) % kRemembered;
  return interned;
}

uint32_t read_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

// ---------------------------------------------------------------- InternedString

InternedString::InternedString() {
  static const std::string* const empty = intern({});
  s_ = empty;
}

InternedString::InternedString(std::string_view s) : s_(intern(s)) {}

std::ostream& operator<<(std::ostream& os, const InternedString& s) { return os << s.str(); }

// ---------------------------------------------------------------- CompactString

void CompactString::assign(std::string_view s) {
  if (s.size() < kTag) {
    std::memcpy(buf_, s.data(), s.size());
    buf_[kTag] = static_cast<char>(s.size());
    return;
  }
  char* p = new char[s.size()];
  std::memcpy(p, s.data(), s.size());
  const size_t n = s.size();
  std::memcpy(buf_, &p, sizeof p);
  std::memcpy(buf_ + sizeof p, &n, sizeof n);
  buf_[kTag] = kHeapTag;
}

std::ostream& operator<<(std::ostream& os, const CompactString& s) { return os << s.view(); }

// ---------------------------------------------------------------- EventFields

EventFields::value_type EventFields::iterator::operator*() const {
  const uint32_t k = read_u32(p_);
  const uint32_t v = read_u32(p_ + 4);
  return {std::string_view(p_ + 8, k), std::string_view(p_ + 8 + k, v)};
}

EventFields::iterator& EventFields::iterator::operator++() {
  p_ += 8 + read_u32(p_) + read_u32(p_ + 4);
  return *this;
}

template <class It>
void EventFields::build(It first, It last) {
  size_t bytes = 0;
  size_t count = 0;
  for (It it = first; it != last; ++it, ++count) {
    bytes += 8 + std::string_view(it->first).size() + std::string_view(it->second).size();
  }
  data_.reset(bytes ? new char[bytes] : nullptr);
  bytes_ = static_cast<uint32_t>(bytes);
  count_ = static_cast<uint32_t>(count);
  char* p = data_.get();
  for (It it = first; it != last; ++it) {
    const std::string_view k(it->first);
    const std::string_view v(it->second);
    const auto kn = static_cast<uint32_t>(k.size());
    const auto vn = static_cast<uint32_t>(v.size());
    std::memcpy(p, &kn, 4);
    std::memcpy(p + 4, &vn, 4);
    if (kn) std::memcpy(p + 8, k.data(), kn);
    if (vn) std::memcpy(p + 8 + kn, v.data(), vn);
    p += 8 + kn + vn;
  }
}

EventFields::EventFields(const Fields& fields) { build(fields.begin(), fields.end()); }

EventFields::EventFields(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  build(fields.begin(), fields.end());
}

EventFields::EventFields(std::span<const value_type> fields) {
  build(fields.begin(), fields.end());
}

EventFields::EventFields(const EventFields& o) : bytes_(o.bytes_), count_(o.count_) {
  if (bytes_) {
    data_.reset(new char[bytes_]);
    std::memcpy(data_.get(), o.data_.get(), bytes_);
  }
}

EventFields& EventFields::operator=(const EventFields& o) {
  if (this != &o) *this = EventFields(o);
  return *this;
}

std::optional<std::string_view> EventFields::get(std::string_view name) const {
  for (const auto& [k, v] : *this)
    if (k == name) return v;
  return std::nullopt;
}

Fields EventFields::to_fields() const {
  Fields out;
  out.reserve(count_);
  for (const auto& [k, v] : *this) out.emplace_back(k, v);
  return out;
}

bool operator==(const EventFields& a, const EventFields& b) {
  return a.bytes_ == b.bytes_ && a.count_ == b.count_ &&
         (a.bytes_ == 0 || std::memcmp(a.data_.get(), b.data_.get(), a.bytes_) == 0);
}

std::ostream& operator<<(std::ostream& os, const EventFields& f) {
  os << '{';
  for (const auto& [k, v] : f) os << k << '=' << v << ';';
  return os << '}';
}

// ---------------------------------------------------------------- Journal

const JournalEvent& Journal::append(JournalEvent e) {
  e.seq = next_seq_++;
  // A bounded journal: the oldest events go first, so a long-running staging instance keeps
  // its memory flat.
  if (events_.size() >= max_events_) events_.pop_front();
  events_.push_back(std::move(e));
  return events_.back();
}

void Journal::restore(JournalEvent e) {
  if (e.seq >= next_seq_) next_seq_ = e.seq + 1;
  if (events_.size() >= max_events_) events_.pop_front();
  events_.push_back(std::move(e));
}

void Journal::erase_account(const std::string& account_sid) {
  std::erase_if(events_, [&](const JournalEvent& e) { return e.account_sid == account_sid; });
}

}  // namespace dialtone::core
