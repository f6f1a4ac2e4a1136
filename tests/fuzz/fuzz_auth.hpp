// fuzz_auth: Basic-auth parsing and authentication against one account with one API key.
// Input: a mode byte, then either a raw Authorization header (mode even) or user '\n' password
// that the harness encodes itself (mode odd, so the fuzzer reaches the credential checks without
// having to learn Base64). Properties: success only for the exact account token or key secret,
// and then always the account; failures are 401/20003; Base64 round-trips.
#pragma once

#include <string>

#include "api/auth.hpp"
#include "core/account.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

inline const std::string kAuthAccount = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
inline const std::string kAuthToken = "0123456789abcdef0123456789abcdef";
inline const std::string kAuthSub = "AC11111111111111111111111111111111";
inline const std::string kAuthKey = "SK33333333333333333333333333333333";
inline const std::string kAuthSecret = "keysecretkeysecretkeysecret";

inline std::string base64_encode(std::string_view in) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    acc = (acc << 8) | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kChars[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kChars[(acc << (6 - bits)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

inline void run_auth(const uint8_t* data, size_t size) {
  static const core::AccountStore accounts = [] {
    core::AccountStore s;
    s.put(core::Account{kAuthAccount, kAuthToken, kAuthAccount, "main", {{kAuthKey, kAuthSecret}}});
    s.put(core::Account{kAuthSub, "subtoken", kAuthAccount, "sub", {}});
    return s;
  }();

  Bytes in(data, size);
  const uint8_t mode = in.byte();
  const api::Format format = (mode & 2) ? api::Format::kJson : api::Format::kXml;
  const std::string_view rest = in.rest();

  std::string header;
  std::string user, password;
  bool known = false;  // user/password are what the header carries
  if (mode & 1) {
    const size_t nl = rest.find('\n');
    user = std::string(rest.substr(0, nl));
    password = nl == std::string_view::npos ? std::string() : std::string(rest.substr(nl + 1));
    // Templates for the user, so that the interesting branches are one byte away.
    switch ((mode >> 2) & 3) {
      case 1: user = kAuthAccount; break;
      case 2: user = kAuthKey; break;
      case 3: user = kAuthSub; break;
      default: break;
    }
    header = ((mode & 16) ? "basic  " : "Basic ") + base64_encode(user + ":" + password);
    known = true;

    std::string decoded;
    FUZZ_CHECK(api::base64_decode(base64_encode(rest), decoded));
    FUZZ_CHECK(decoded == rest);
  } else {
    header = std::string(rest);
  }

  const auto r = api::authenticate(accounts, header, format);
  if (r) {
    FUZZ_CHECK(r.value() != nullptr);
    const core::Account& a = *r.value();
    FUZZ_CHECK(a.sid == kAuthAccount || a.sid == kAuthSub);
    if (known) {
      const bool good = (user == kAuthAccount && password == kAuthToken) ||
                        (user == kAuthKey && password == kAuthSecret) ||
                        (user == kAuthSub && password == "subtoken");
      FUZZ_CHECK(good);
    }
    FUZZ_CHECK(api::authorize_account(accounts, a, a.sid, format).ok());
    const bool sub_ok = api::authorize_account(accounts, a, kAuthSub, format).ok();
    FUZZ_CHECK(sub_ok);  // the main account owns the sub; the sub is itself
    const bool main_ok = api::authorize_account(accounts, a, kAuthAccount, format).ok();
    FUZZ_CHECK(main_ok == (a.sid == kAuthAccount));
  } else {
    FUZZ_CHECK(r.error().http_status == 401);
    FUZZ_CHECK(r.error().code == 20003);
    if (known && user == kAuthAccount) FUZZ_CHECK(password != kAuthToken);
    if (known && user == kAuthKey) FUZZ_CHECK(password != kAuthSecret);
  }
  FUZZ_CHECK(api::constant_time_equal(header, header));
}

}  // namespace dialtone::fuzz
