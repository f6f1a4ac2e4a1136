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
  // How many sids it has made: with the seed, where its sequence stands (an account's
  // snapshot keeps both, so that a restored world goes on with the same sids).
  uint64_t made() const { return made_; }
  // Moves on as if `n` more sids had been made.
  void skip(uint64_t n);

 private:
  std::mt19937_64 rng_;
  uint64_t made_ = 0;
};

// True for prefix + 32 hex digits (either case, as Twilio's path patterns allow).
bool is_sid(std::string_view text, std::string_view prefix);

}  // namespace dialtone::core
