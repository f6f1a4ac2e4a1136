#include "server/signature.hpp"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>
#include <string>

namespace dialtone::server {

// Sorting views of the pairs (by name, then value) and skipping exact repeats gives the order
// of a map of sets without its two node allocations and two string copies per parameter: this
// runs for every webhook. string_view compares as unsigned bytes via char_traits, which is
// Twilio's byte order.
std::string signature_base(std::string_view url, const core::EventFields& params) {
  std::vector<std::pair<std::string_view, std::string_view>> order;
  order.reserve(params.size());
  size_t size = url.size();
  for (const auto& [k, v] : params) {
    order.emplace_back(k, v);
    size += k.size() + v.size();
  }
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  std::string out;
  out.reserve(size);
  out += url;
  for (const auto& [k, v] : order) {
    out += k;
    out += v;
  }
  return out;
}

namespace {

struct MacFree {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// Every webhook is signed. OpenSSL 3's one-shot HMAC() fetches the algorithm and sets up the
// key each time; here each thread keeps a context keyed with the last auth token (nearly
// always the same one) and only restarts it.
bool hmac_sha1(std::string_view key, std::string_view data, unsigned char* out, size_t& len) {
  thread_local std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  thread_local std::unique_ptr<EVP_MAC_CTX, MacFree> ctx;
  thread_local std::string ctx_key;
  if (!mac) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  bool ok;
  if (ctx && ctx_key == key) {
    ok = EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) == 1;  // same key: restart
  } else {
    ctx.reset(EVP_MAC_CTX_new(mac.get()));
    ctx_key.clear();
    char digest_name[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    ok = ctx && EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()),
                             key.size(), params) == 1;
    if (ok) ctx_key.assign(key);
  }
  ok = ok && EVP_MAC_update(ctx.get(), bytes, data.size()) == 1 &&
       EVP_MAC_final(ctx.get(), out, &len, EVP_MAX_MD_SIZE) == 1;
  if (!ok) ctx.reset();  // start afresh next time
  return ok;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const core::EventFields& params) {
  std::string base = signature_base(url, params);
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (!hmac_sha1(auth_token, base, digest, len)) return {};
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

}  // namespace dialtone::server
