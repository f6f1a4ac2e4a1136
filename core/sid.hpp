// Twilio-shaped identifiers: a two-letter prefix and 32 lowercase hex digits.
// Thread-safety: SidGenerator is not thread-safe; one per engine.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace dialtone::core {

class SidGenerator {
 public:
  explicit SidGenerator(uint64_t seed = std::random_device{}()) : rng_(seed) {}
  std::string next(std::string_view prefix);

 private:
  std::mt19937_64 rng_;
};

// True for prefix + 32 hex digits (either case, as Twilio's path patterns allow).
bool is_sid(std::string_view text, std::string_view prefix);

}  // namespace dialtone::core
