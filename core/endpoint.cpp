#include "core/endpoint.hpp"

#include <cctype>

namespace dialtone::core {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  return true;
}

bool printable_no_space(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return false;
  return true;
}

std::optional<Endpoint> parse_phone(std::string_view text) {
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && i == 0) {
      plus = true;
    } else if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '-' || c == ' ' || c == '.' || c == '(' || c == ')') {
      continue;  // separators people type; Twilio normalises them away
    } else {
      return std::nullopt;
    }
  }
  if (!plus) {
    // Twilio reads bare 10-digit numbers (and 11 starting with 1) as North American.
    if (digits.size() == 10) digits.insert(digits.begin(), '1');
    else if (!(digits.size() == 11 && digits[0] == '1')) return std::nullopt;
  }
  // E.164: a country code never starts with 0; at most 15 digits.
  if (digits.size() < 7 || digits.size() > 15 || digits[0] == '0') return std::nullopt;
  // Appended, not "+" + digits: GCC 12 at -O3 reports a false overlap (-Wrestrict) for a
  // literal prepended to a string (https://github.com/dyninst/dyninst/issues/1422).
  Endpoint e{EndpointKind::kPhone, std::string(1, '+').append(digits), {}};
  if (digits.size() == 11 && digits[0] == '1') {
    const std::string_view d = digits;
    e.formatted.append("(").append(d.substr(1, 3)).append(") ").append(d.substr(4, 3));
    e.formatted.append("-").append(d.substr(7));
  } else {
    e.formatted = e.value;
  }
  return e;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  if (starts_with_ci(text, "client:")) {
    const std::string_view name = text.substr(7);
    if (name.empty() || name.size() > 256 || !printable_no_space(name)) return std::nullopt;
    return Endpoint{EndpointKind::kClient, std::string(text), std::string(text)};
  }
  if (starts_with_ci(text, "sip:") || starts_with_ci(text, "sips:")) {
    const std::string_view rest = text.substr(text[3] == ':' ? 4 : 5);
    const size_t at = rest.find('@');
    const std::string_view host = at == std::string_view::npos ? rest : rest.substr(at + 1);
    if (host.empty() || rest.size() > 512 || !printable_no_space(rest)) return std::nullopt;
    return Endpoint{EndpointKind::kSip, std::string(text), std::string(text)};
  }
  return parse_phone(text);
}

}  // namespace dialtone::core
