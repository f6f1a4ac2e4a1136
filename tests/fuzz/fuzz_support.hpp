// Shared pieces of the libFuzzer harnesses: a reader that turns fuzz bytes into choices, and
// the check macro. Each harness's logic lives in a header (fuzz_*.hpp) as a plain function so
// that the regression tests in tests/api and tests/core replay a finding through exactly the
// same code in the ordinary (g++, no libFuzzer) build.
// Thread-safety: none needed; one harness run at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace dialtone::fuzz {

// What a failed FUZZ_CHECK does. The fuzzers abort (libFuzzer saves the input); a regression
// test replaces it to report a test failure instead of killing the test binary.
using FailureHandler = void (*)(const char* condition, const char* file, int line);
inline void abort_on_failure(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "FUZZ_CHECK failed: %s at %s:%d\n", condition, file, line);
  std::abort();
}
inline FailureHandler failure_handler = &abort_on_failure;

#define FUZZ_CHECK(cond)                                                     \
  do {                                                                       \
    if (!(cond)) ::dialtone::fuzz::failure_handler(#cond, __FILE__, __LINE__); \
  } while (0)

// Consumes fuzz input front to back. Reads past the end give zeros and empty strings, so every
// input, however short, is a complete program.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  explicit Bytes(std::string_view s)
      : p_(reinterpret_cast<const uint8_t*>(s.data())), n_(s.size()) {}

  bool empty() const { return i_ >= n_; }
  size_t remaining() const { return i_ < n_ ? n_ - i_ : 0; }

  uint8_t byte() { return i_ < n_ ? p_[i_++] : 0; }
  bool boolean() { return (byte() & 1) != 0; }
  // A value in [0, n) (n > 0).
  size_t pick(size_t n) { return n == 0 ? 0 : byte() % n; }
  uint16_t u16() { return static_cast<uint16_t>(byte() | (byte() << 8)); }

  // A string of up to `max` bytes: a length byte, then that many bytes.
  std::string str(size_t max = 255) {
    size_t len = byte();
    if (len > max) len = max;
    if (len > remaining()) len = remaining();
    std::string out(reinterpret_cast<const char*>(p_ + i_), len);
    i_ += len;
    return out;
  }
  // Everything that is left.
  std::string_view rest() {
    std::string_view out(reinterpret_cast<const char*>(p_ + i_), remaining());
    i_ = n_;
    return out;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;
};

// Splits text into lines ('\n', a trailing '\r' dropped).
template <class F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

inline void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace dialtone::fuzz
