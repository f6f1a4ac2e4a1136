// The ceiling: a minimal Boost.Beast HTTP/1.1 server that answers every request with one fixed
// body (a Call-sized JSON document). bench/run.sh drives it with the same load as dialtone, so
// dialtone's figures can be read as a fraction of what Beast on this machine can do at all.
// It doubles as the status-callback sink of the callbacks benchmark: GET /_count answers the
// number of requests served so far (that one is not counted).
//
// bench/queues.mjs uses it as a fast app too: a TwiML body with --content-type text/xml.
//
// --batch-writes posts each write instead of starting it in the read's handler, as dialtone
// does (server/http_server.cpp, Session::send): the answers to one batch of reads then leave
// back to back. bench/run.sh measures the ceiling both ways, so that dialtone's ratio is not
// read as what its own code costs when part of it is how it schedules its writes.
//
//   ceiling_server [--port N] [--threads N] [--body FILE] [--content-type TYPE] [--batch-writes]
// Prints "ceiling listening on http://127.0.0.1:PORT" once it accepts.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

std::string g_body = "{\"sid\": \"CA00000000000000000000000000000000\"}";
std::string g_content_type = "application/json; charset=utf-8";
std::atomic<uint64_t> g_count{0};
bool g_batch_writes = false;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket&& s) : stream_(std::move(s)) {}
  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

 private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }
  void on_read(error_code ec, std::size_t) {
    if (ec) return close();
    res_ = {};
    res_.version(11);
    res_.keep_alive(req_.keep_alive());
    if (req_.target() == "/_count") {
      res_.result(http::status::ok);
      res_.set(http::field::content_type, "text/plain");
      res_.body() = std::to_string(g_count.load());
    } else {
      g_count.fetch_add(1, std::memory_order_relaxed);
      res_.result(req_.method() == http::verb::post && req_.target().find("/Calls.json") !=
                                                           beast::string_view::npos
                      ? http::status::created
                      : http::status::ok);
      res_.set(http::field::content_type, g_content_type);
      res_.body() = g_body;
    }
    res_.prepare_payload();
    if (!g_batch_writes) return write();
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->write(); });
  }
  void write() {
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }
  void on_write(error_code ec, std::size_t) {
    if (ec || !res_.keep_alive()) return close();
    do_read();
  }
  void close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, tcp::endpoint ep) : io_(io), acceptor_(asio::make_strand(io)) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](
                                                       error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<Session>(std::move(s))->run();
      self->do_accept();
    });
  }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--batch-writes") {
      g_batch_writes = true;
    } else if (a == "--port" && value) {
      port = std::atoi(argv[++i]);
    } else if (a == "--threads" && value) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--body" && value) {
      std::ifstream f(argv[++i], std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      if (!f) {
        std::fprintf(stderr, "ceiling_server: cannot read %s\n", argv[i]);
        return 2;
      }
      g_body = ss.str();
    } else if (a == "--content-type" && value) {
      g_content_type = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: ceiling_server [--port N] [--threads N] [--body FILE] "
                   "[--content-type TYPE] [--batch-writes]\n");
      return 2;
    }
  }
  asio::io_context io(threads);
  auto listener = std::make_shared<Listener>(
      io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
  listener->do_accept();
  std::printf("ceiling listening on http://127.0.0.1:%u\n", listener->port());
  std::fflush(stdout);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](error_code, int) { io.stop(); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
