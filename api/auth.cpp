#include "api/auth.hpp"

#include <cstdint>
#include <string>

#include "core/sid.hpp"

namespace dialtone::api {

namespace {

core::TwilioError no_credentials() {
  return core::TwilioError{401, 20003, "Authentication Error - No credentials provided",
                           "Your AccountSid or AuthToken was incorrect."};
}

core::TwilioError bad_credentials(Format format) {
  // JSON captures show an empty detail; the XML captures show the sentence. Both verbatim.
  return core::TwilioError{
      401, 20003, "Authenticate",
      format == Format::kXml ? "Your AccountSid or AuthToken was incorrect." : ""};
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Walk the longer of the two so the time does not depend on where they differ.
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = base64_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return bits < 6;  // a lone trailing sextet cannot be valid Base64
}

core::Result<const core::Account*> authenticate(const core::AccountStore& accounts,
                                                std::string_view authorization, Format format) {
  std::string_view h = authorization;
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.empty()) return no_credentials();
  if (!iequals_prefix(h, "basic ")) return bad_credentials(format);
  h.remove_prefix(6);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);

  // A client sends the same header on every request: keep the last one decoded per thread.
  // Only the decoding is kept; the credentials are checked against the accounts every time.
  thread_local std::string last_encoded;
  thread_local std::string last_decoded;
  thread_local bool last_ok = false;
  if (h != last_encoded) {
    last_encoded.assign(h);
    last_ok = base64_decode(h, last_decoded);
  }
  if (!last_ok) return bad_credentials(format);
  const std::string& decoded = last_decoded;
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return bad_credentials(format);
  const std::string_view user = std::string_view(decoded).substr(0, colon);
  const std::string_view secret = std::string_view(decoded).substr(colon + 1);
  if (user.empty() && secret.empty()) return no_credentials();

  if (core::is_sid(user, "AC")) {
    const core::Account* account = accounts.find(user);
    if (!account) return bad_credentials(format);
    // Both tokens are compared, without a short cut on the first match.
    const bool primary =
        !account->auth_token.empty() && constant_time_equal(account->auth_token, secret);
    const bool secondary = !account->secondary_auth_token.empty() &&
                           constant_time_equal(account->secondary_auth_token, secret);
    if (primary || secondary) return account;
    return bad_credentials(format);
  }
  if (core::is_sid(user, "SK")) {
    const core::ApiKey* key = nullptr;
    const core::Account* account = accounts.find_by_key(user, &key);
    if (account && key && !key->secret.empty() && constant_time_equal(key->secret, secret)) {
      return account;
    }
  }
  return bad_credentials(format);
}

core::Status authorize_account(const core::AccountStore& accounts,
                               const core::Account& principal, std::string_view path_account,
                               Format format) {
  if (path_account == principal.sid) return core::Ok{};
  const core::Account* target = accounts.find(path_account);
  if (target && target->owner_account_sid == principal.sid) return core::Ok{};
  return bad_credentials(format);
}

}  // namespace dialtone::api
