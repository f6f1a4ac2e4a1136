// Hash maps keyed by std::string that are looked up by std::string_view without making a
// string first (C++20 heterogeneous lookup): a lookup per request that built a key string paid
// an allocation and a free for it (a call sid, an inline TwiML document).
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dialtone::core {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace dialtone::core
