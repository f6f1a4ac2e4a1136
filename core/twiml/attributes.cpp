#include "core/twiml/attributes.hpp"

#include <algorithm>
#include <cstdlib>

namespace dialtone::core::twiml {

int attr_int(const Node& n, std::string_view key, int fallback, int lo, int hi) {
  const std::string* v = n.attr(key);
  if (!v || v->empty()) return fallback;
  char* end = nullptr;
  const long x = std::strtol(v->c_str(), &end, 10);
  if (*end != '\0') return fallback;
  return static_cast<int>(std::clamp<long>(x, lo, hi));
}

HttpMethod attr_method(const Node& n, std::string_view key) {
  const std::string* v = n.attr(key);
  return v && (*v == "GET" || *v == "get") ? HttpMethod::kGet : HttpMethod::kPost;
}

}  // namespace dialtone::core::twiml
