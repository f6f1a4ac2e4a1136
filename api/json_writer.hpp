// A streaming JSON writer that separates like Twilio's bodies do: `{"code": 20404, "message":
// ...}` (": " after a key, ", " between members), on one line, appended to a std::string.
// It writes the same bytes RapidJSON's Writer did (the golden-body tests hold it to that):
// only '"', '\\' and control characters are escaped, as \b \t \n \f \r or \u00XX; other bytes,
// UTF-8 included, pass through. Every API answer renders through it, so it is written for
// speed: no DOM, no per-character capacity checks, strings that need no escaping (sids, dates,
// URIs, numbers: almost all) copied in one append.
// Thread-safety: one writer per thread.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace dialtone::api {

class JsonWriter {
 public:
  // kTwilio separates like Twilio's bodies (", ", ": "); kCompact writes none of the spaces:
  // the bytes RapidJSON's Writer wrote, which the store and snapshots keep (RecordWriter).
  enum class Layout { kTwilio, kCompact };
  explicit JsonWriter(std::string& out, Layout layout = Layout::kTwilio)
      : out_(out),
        comma_(layout == Layout::kTwilio ? ", " : ","),
        colon_(layout == Layout::kTwilio ? ": " : ":") {}

  void Null() { prefix(); out_ += "null"; }
  void Bool(bool b) { prefix(); out_ += b ? "true" : "false"; }
  void Int(int i) { Int64(i); }
  void Int64(int64_t i) { prefix(); number(i); }
  void Uint64(uint64_t u) { prefix(); number(u); }
  void Double(double d);  // shortest round-trip form, as RapidJSON's (1.0, 0.5, 1e21)
  void String(std::string_view s) {
    prefix();
    out_ += '"';
    append_escaped(s);
    out_ += '"';
  }
  void Key(std::string_view s) { String(s); }
  void StartObject() { open(false, '{'); }
  void EndObject() { close('}'); }
  void StartArray() { open(true, '['); }
  void EndArray() { close(']'); }

  // Conveniences for the resource renderers.
  void member(std::string_view key, std::string_view value) { Key(key); String(value); }
  void member_or_null(std::string_view key, std::string_view value) {
    Key(key);
    if (value.empty()) Null(); else String(value);
  }
  void member_null(std::string_view key) { Key(key); Null(); }
  void member_int(std::string_view key, int64_t value) { Key(key); Int64(value); }

  // A value its caller writes itself, whole (the Call's hand-written renderer).
  template <class F>
  void raw_value(F&& write) {
    prefix();
    write(out_);
  }
  // Appends s to out with JSON's escapes, without quotes.
  static void escape_to(std::string& out, std::string_view s);
  // The same into a buffer with room for kMaxEscapedPerByte * s.size() bytes; returns the end.
  static constexpr size_t kMaxEscapedPerByte = 6;  // \u00XX
  static char* escape_into(char* out, std::string_view s);

 private:
  void append_escaped(std::string_view s) { escape_to(out_, s); }

  struct Level {
    bool in_array = false;
    uint32_t count = 0;
  };
  // Nesting is fixed by the renderers' code (a handful of levels); deeper writes share the
  // last level rather than overflow.
  static constexpr size_t kMaxDepth = 32;

  void prefix() {
    if (depth_ == 0) return;
    Level& level = levels_[depth_ - 1];
    if (level.count > 0) out_.append((level.in_array || level.count % 2 == 0) ? comma_ : colon_);
    ++level.count;
  }
  void open(bool array, char c) {
    prefix();
    out_ += c;
    if (depth_ < kMaxDepth) ++depth_;
    levels_[depth_ - 1] = Level{array, 0};
  }
  void close(char c) {
    if (depth_ > 0) --depth_;
    out_ += c;
  }
  template <class T>
  void number(T v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }

  std::string& out_;
  std::string_view comma_, colon_;
  std::array<Level, kMaxDepth> levels_{};
  size_t depth_ = 0;
};

}  // namespace dialtone::api
