#include "core/sid.hpp"

#include <array>

namespace dialtone::core {

std::string SidGenerator::next(std::string_view prefix) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid(prefix);
  sid.reserve(prefix.size() + 32);
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = rng_();
    for (int i = 0; i < 16; ++i, bits >>= 4) sid.push_back(kHex[bits & 0xf]);
  }
  ++made_;
  return sid;
}

void SidGenerator::skip(uint64_t n) {
  rng_.discard(2 * n);  // next() draws two numbers a sid
  made_ += n;
}

namespace {

// Every API request checks a few sids (route, credentials): a table, not six comparisons.
constexpr std::array<bool, 256> kIsHex = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("0123456789abcdefABCDEF")) {
    t[static_cast<unsigned char>(c)] = true;
  }
  return t;
}();

}  // namespace

bool is_sid(std::string_view text, std::string_view prefix) {
  if (text.size() != prefix.size() + 32 || !text.starts_with(prefix)) return false;
  bool hex = true;
  for (size_t i = prefix.size(); i < text.size(); ++i) {
    hex &= kIsHex[static_cast<unsigned char>(text[i])];
  }
  return hex;
}

}  // namespace dialtone::core
