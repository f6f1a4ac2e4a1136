#include "core/sid.hpp"

namespace dialtone::core {

std::string SidGenerator::next(std::string_view prefix) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid(prefix);
  sid.reserve(prefix.size() + 32);
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = rng_();
    for (int i = 0; i < 16; ++i, bits >>= 4) sid.push_back(kHex[bits & 0xf]);
  }
  return sid;
}

bool is_sid(std::string_view text, std::string_view prefix) {
  if (text.size() != prefix.size() + 32 || text.substr(0, prefix.size()) != prefix) return false;
  for (char c : text.substr(prefix.size())) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

}  // namespace dialtone::core
