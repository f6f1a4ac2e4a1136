#include "core/world/world.hpp"

#include <charconv>

namespace dialtone::core {

uint64_t world_seed(uint64_t engine_seed, const std::string& root_sid) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the sid, then splitmix64's finaliser
  for (unsigned char c : root_sid) h = (h ^ c) * 1099511628211ull;
  uint64_t z = h ^ engine_seed;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::optional<uint64_t> parse_seed(std::string_view text) {
  uint64_t v = 0;
  if (text.empty() || text.size() > 20) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace dialtone::core
