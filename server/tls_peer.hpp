// The TLS set-up shared by the webhook client and the Media Streams client: what an outgoing
// connection tells OpenSSL about the peer before its handshake.
// Thread-safety: acts on the one SSL object it is given.
#pragma once

#include <string>

typedef struct ssl_st SSL;

namespace dialtone::server {

// SNI with a host name (not with an IP literal, nor when `sni` is false), and, unless
// `insecure`, the peer's certificate checked for that name or IP during verification, so that a
// mismatch has its own verify result.
void prepare_tls_peer(SSL* ssl, const std::string& host, bool sni, bool insecure);

}  // namespace dialtone::server
