#include "api/json_writer.hpp"

#include <cmath>
#include <cstring>

#include <rapidjson/internal/dtoa.h>

namespace dialtone::api {

namespace {

// What RapidJSON's Writer writes after a backslash for each byte below 0x20 ('u': \u00XX).
constexpr std::string_view kControlEscapes = "uuuuuuuubtnufruuuuuuuuuuuuuuuuuu";
constexpr char kHex[] = "0123456789ABCDEF";

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Eight bytes at a time (the classic SWAR tests for a zero byte and for a byte below n): true
// when one of them is a control character, '"' or '\\'.
bool word_needs_escape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) != 0;
}

// Where the first byte that needs escaping is, or s.size().
size_t first_escape(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (word_needs_escape(w)) break;
  }
  for (; i < s.size(); ++i) {
    if (needs_escape(static_cast<unsigned char>(s[i]))) return i;
  }
  return i;
}

}  // namespace

void JsonWriter::escape_to(std::string& out, std::string_view s) {
  const size_t clean = first_escape(s);
  if (clean == s.size()) {  // the common case: nothing to escape
    out.append(s);
    return;
  }
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = clean; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out += '\\';
    if (c == '"' || c == '\\') {
      out += static_cast<char>(c);
    } else if (kControlEscapes[c] != 'u') {
      out += kControlEscapes[c];
    } else {
      const char u[] = {'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(u, sizeof u);
    }
  }
  out.append(s.data() + run, s.size() - run);
}

char* JsonWriter::escape_into(char* out, std::string_view s) {
  const size_t clean = first_escape(s);
  std::memcpy(out, s.data(), clean);
  out += clean;
  for (size_t i = clean; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) {
      *out++ = static_cast<char>(c);
      continue;
    }
    *out++ = '\\';
    if (c == '"' || c == '\\') {
      *out++ = static_cast<char>(c);
    } else if (kControlEscapes[c] != 'u') {
      *out++ = kControlEscapes[c];
    } else {
      const char u[] = {'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      std::memcpy(out, u, sizeof u);
      out += sizeof u;
    }
  }
  return out;
}

void JsonWriter::Double(double d) {
  prefix();
  // RapidJSON's default Writer refuses NaN and infinities and writes nothing; null keeps the
  // document valid.
  if (!std::isfinite(d)) {
    out_ += "null";
    return;
  }
  char buf[32];
  char* end = rapidjson::internal::dtoa(d, buf);
  out_.append(buf, end);
}

}  // namespace dialtone::api
