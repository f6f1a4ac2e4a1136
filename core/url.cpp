#include "core/url.hpp"

namespace dialtone::core {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

bool is_absolute_http_url(std::string_view url) {
  return starts_with(url, "http://") || starts_with(url, "https://");
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  if (is_absolute_http_url(ref) || base.empty()) return std::string(ref);
  const size_t scheme_end = base.find("://");
  if (scheme_end == std::string_view::npos) return std::string(ref);
  const size_t path_start = base.find('/', scheme_end + 3);
  const std::string_view origin = base.substr(0, path_start);
  if (starts_with(ref, "//")) return std::string(base.substr(0, scheme_end + 1)) + std::string(ref);
  if (starts_with(ref, "/")) return std::string(origin) + std::string(ref);
  if (path_start == std::string_view::npos) return std::string(origin) + "/" + std::string(ref);
  std::string_view path = base.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));
  if (starts_with(ref, "?")) return std::string(origin) + std::string(path) + std::string(ref);
  path = path.substr(0, path.rfind('/') + 1);
  return std::string(origin) + std::string(path) + std::string(ref);
}

namespace {

// Letters, digits and "-._*" plain, space as '+', every other byte as %XX (url.hpp).
void append_encoded(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '*') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
}

}  // namespace

std::string percent_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_encoded(out, s);
  return out;
}

std::string form_encode(const EventFields& fields) {
  size_t size = 0;
  for (const auto& [k, v] : fields) size += k.size() + v.size() + 2;
  std::string out;
  out.reserve(size + size / 4);
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out.push_back('&');
    append_encoded(out, k);
    out.push_back('=');
    append_encoded(out, v);
  }
  return out;
}

}  // namespace dialtone::core
