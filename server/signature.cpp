#include "server/signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>

namespace dialtone::server {

std::string signature_base(std::string_view url, const Params& params) {
  // Sorting pointers (by name, then value) and skipping exact repeats gives the order of a
  // map of sets without its two node allocations and two string copies per parameter: this
  // runs for every webhook. std::string compares as unsigned bytes via char_traits, which is
  // Twilio's byte order.
  std::vector<const Params::value_type*> order;
  order.reserve(params.size());
  size_t size = url.size();
  for (const auto& p : params) {
    order.push_back(&p);
    size += p.first.size() + p.second.size();
  }
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return *a < *b; });
  order.erase(std::unique(order.begin(), order.end(),
                          [](const auto* a, const auto* b) { return *a == *b; }),
              order.end());
  std::string out;
  out.reserve(size);
  out += url;
  for (const auto* p : order) {
    out += p->first;
    out += p->second;
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const Params& params) {
  std::string base = signature_base(url, params);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &len);
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
