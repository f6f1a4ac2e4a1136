#include "fake_app.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace dialtone::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

std::string query_value(const std::string& target, const std::string& name) {
  auto q = target.find('?');
  if (q == std::string::npos) return "";
  std::string rest = target.substr(q + 1);
  size_t pos = 0;
  while (pos <= rest.size()) {
    auto amp = rest.find('&', pos);
    std::string pair = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

std::string form_value(const std::string& body, const std::string& name) {
  return query_value("?" + body, name);
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

struct FakeApp::Impl {
  FakeAppOptions options;
  bool tls = false;
  asio::io_context io;
  ssl::context tls_context{ssl::context::tls_server};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread accept_thread;
  std::vector<std::thread> workers;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  mutable std::mutex mu;
  std::condition_variable stop_cv;
  std::vector<SeenRequest> seen;
  std::map<std::string, int> in_flight;  // call sid -> requests being served
  int max_concurrent = 0;
  int serving = 0;  // requests being served, over all calls
  int max_serving = 0;
  int max_open = 0;
  std::atomic<int> connection_count{0};
  std::atomic<int> open_count{0};
  std::atomic<int> handshake_failures{0};
  std::atomic<bool> stopping{false};

  // Sleeps `ms`, or less when the app is being destroyed; false then.
  bool pause(int ms) {
    std::unique_lock lock(mu);
    return !stop_cv.wait_for(lock, std::chrono::milliseconds(ms),
                             [this] { return stopping.load(); });
  }

  void accept_loop() {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*socket, ec);
      if (ec || stopping) return;
      int id = ++connection_count;
      std::lock_guard lock(mu);
      max_open = std::max(max_open, ++open_count);
      sockets.push_back(socket);
      workers.emplace_back([this, socket, id] {
        if (tls) {
          ssl::stream<tcp::socket&> stream(*socket, tls_context);
          boost::system::error_code hec;
          stream.handshake(ssl::stream_base::server, hec);
          if (hec) {
            ++handshake_failures;
          } else {
            const char* sni =
                SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
            serve(stream, *socket, id, sni ? sni : "");
          }
        } else {
          serve(*socket, *socket, id, "");
        }
        {
          std::lock_guard socket_lock(mu);
          boost::system::error_code ignored;
          socket->shutdown(tcp::socket::shutdown_both, ignored);
        }
        --open_count;
      });
    }
  }

  template <class Stream>
  void serve(Stream& stream, tcp::socket& socket, int id, const std::string& sni) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      SeenRequest s;
      s.connection = id;
      s.sni = sni;
      s.method = std::string(req.method_string());
      s.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        s.headers[name] = std::string(f.value());
      }
      s.body = req.body();
      std::string call = form_value(s.body, "CallSid");
      if (call.empty()) call = query_value(s.target, "CallSid");
      {
        std::lock_guard lock(mu);
        seen.push_back(s);
        max_concurrent = std::max(max_concurrent, ++in_flight[call]);
        max_serving = std::max(max_serving, ++serving);
      }
      auto done_serving = [&] {
        std::lock_guard lock(mu);
        --in_flight[call];
        --serving;
      };

      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "text/xml");
      res.body() = "<Response/>";
      std::string path = s.target.substr(0, s.target.find('?'));
      if (path == "/slow") {
        pause(std::stoi(query_value(s.target, "ms")));
      } else if (path == "/big") {
        res.body() = std::string(70000, 'x');
      } else if (path == "/code") {
        res.result(static_cast<unsigned>(std::stoi(query_value(s.target, "code"))));
      } else if (path == "/close") {
        res.keep_alive(false);
      } else if (path == "/empty") {
        res.body().clear();
      } else if (path == "/text") {
        res.set(http::field::content_type, "text/plain");
        res.body() = "hello, this is not TwiML";
      } else if (path == "/redirect") {
        res.result(static_cast<unsigned>(std::stoi(query_value(s.target, "code"))));
        res.set(http::field::location, percent_decode(query_value(s.target, "to")));
        res.body().clear();
      } else if (path == "/hops") {
        int n = std::stoi(query_value(s.target, "n"));
        if (n > 0) {
          res.result(http::status::found);
          res.set(http::field::location, "/hops?n=" + std::to_string(n - 1));
          res.body().clear();
        }
      } else if (path == "/loop") {
        res.result(http::status::found);
        res.set(http::field::location, s.target);
        res.body().clear();
      } else if (path == "/reset" || path == "/hangup" || path == "/stall" || path == "/drip" ||
               path == "/endless") {
        done_serving();
        misbehave(stream, socket, path, s.target);
        return;
      }
      if (path != "/close") res.keep_alive(req.keep_alive());
      res.prepare_payload();
      done_serving();
      http::write(stream, res, ec);
      if (ec || !res.keep_alive()) return;
    }
  }

  // Every close and shutdown of a connection's socket holds `mu`: the destructor shuts all of
  // them down from the main thread to wake blocked workers, and an Asio socket is not safe
  // against a close on one thread and a shutdown on another (ThreadSanitizer saw that race).
  void close_socket(tcp::socket& socket, bool reset) {
    std::lock_guard lock(mu);
    boost::system::error_code ec;
    // Linger 0: close() sends RST instead of FIN.
    if (reset) socket.set_option(tcp::socket::linger(true, 0), ec);
    socket.close(ec);
  }

  template <class Stream>
  void misbehave(Stream& stream, tcp::socket& socket, const std::string& path,
                 const std::string& target) {
    boost::system::error_code ec;
    if (path == "/reset") {
      asio::write(stream, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                                                   "Content-Length: 100\r\n\r\n<Resp")),
                  ec);
      close_socket(socket, /*reset=*/true);
    } else if (path == "/hangup") {
      close_socket(socket, /*reset=*/false);
    } else if (path == "/stall") {
      pause(60'000);
    } else if (path == "/drip") {
      int ms = std::stoi(query_value(target, "ms"));
      asio::write(stream, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                                                   "Content-Length: 100\r\n\r\n")),
                  ec);
      for (int i = 0; i < 100 && !ec && pause(ms); ++i) {
        asio::write(stream, asio::buffer("x", 1), ec);
      }
    } else if (path == "/endless") {
      asio::write(stream, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                                                   "Transfer-Encoding: chunked\r\n\r\n")),
                  ec);
      const std::string chunk = "1000\r\n" + std::string(0x1000, 'x') + "\r\n";
      while (!ec && !stopping) asio::write(stream, asio::buffer(chunk), ec);
    }
  }
};

FakeApp::FakeApp() : FakeApp(FakeAppOptions{}) {}

FakeApp::FakeApp(FakeAppOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (!impl_->options.cert_pem.empty()) {
    impl_->tls = true;
    impl_->tls_context.use_certificate_chain(asio::buffer(impl_->options.cert_pem));
    impl_->tls_context.use_private_key(asio::buffer(impl_->options.key_pem), ssl::context::pem);
  }
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

FakeApp::~FakeApp() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  boost::system::error_code ec;
  {
    // Wake the accept() with a connection of our own, then close every socket.
    tcp::socket poke(impl_->io);
    poke.connect(impl_->acceptor.local_endpoint(), ec);
  }
  impl_->accept_thread.join();
  {
    std::lock_guard lock(impl_->mu);
    for (auto& s : impl_->sockets) s->shutdown(tcp::socket::shutdown_both, ec);
  }
  for (auto& w : impl_->workers) w.join();
}

uint16_t FakeApp::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string FakeApp::url(const std::string& path) const { return url("127.0.0.1", path); }

std::string FakeApp::url(const std::string& host, const std::string& path) const {
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port()) +
         path;
}

std::vector<SeenRequest> FakeApp::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

int FakeApp::connections() const { return impl_->connection_count.load(); }

int FakeApp::open_connections() const { return impl_->open_count.load(); }

int FakeApp::max_open_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->max_open;
}

int FakeApp::max_concurrent_requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->max_serving;
}

int FakeApp::failed_handshakes() const { return impl_->handshake_failures.load(); }

int FakeApp::max_concurrent_per_call() const {
  std::lock_guard lock(impl_->mu);
  return impl_->max_concurrent;
}

TestCert make_test_cert(const std::string& dns_name, int from_days, int to_days) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (!key || !cert) throw std::runtime_error("make_test_cert: OpenSSL allocation failed");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::rand() & 0x7fffffff));
  X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(from_days) * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(to_days) * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(dns_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:" + dns_name},
                            std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  auto to_pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(len));
    BIO_free(bio);
    return out;
  };
  TestCert out;
  out.cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, cert); });
  out.key_pem = to_pem(
      [&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

namespace {

// The directories write_temp_file made, removed when the test binary exits (a test run left
// hundreds of them in /tmp).
class TempDirs {
 public:
  void add(std::string dir) {
    std::lock_guard lock(mu_);
    dirs_.push_back(std::move(dir));
  }
  ~TempDirs() {
    for (const auto& dir : dirs_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  }

 private:
  std::mutex mu_;
  std::vector<std::string> dirs_;
};
TempDirs temp_dirs;

}  // namespace

std::string write_temp_file(const std::string& name, const std::string& content) {
  std::string dir = (std::filesystem::temp_directory_path() / "dialtone-test-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw std::runtime_error("write_temp_file: mkdtemp failed");
  std::string path = dir + "/" + name;
  std::ofstream(path) << content;
  temp_dirs.add(std::move(dir));
  return path;
}

}  // namespace dialtone::testing
