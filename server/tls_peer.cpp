#include "server/tls_peer.hpp"

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace dialtone::server {

void prepare_tls_peer(SSL* ssl, const std::string& host, bool sni, bool insecure) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool ip = !ec;
  if (sni && !ip) SSL_set_tlsext_host_name(ssl, host.c_str());
  if (insecure) return;
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  } else {
    SSL_set1_host(ssl, host.c_str());
  }
}

}  // namespace dialtone::server
