// `dialtone healthcheck`: plain Asio (no Beast: one request line and one status line), run on
// a private io_context for at most the timeout.
#include "server/healthcheck.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <string_view>

namespace dialtone::server {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::chrono::milliseconds kTimeout{2000};  // the image's HEALTHCHECK allows 3 s

struct Exchange {
  explicit Exchange(asio::io_context& io) : resolver(io), socket(io) {}
  tcp::resolver resolver;
  tcp::socket socket;
  std::string request;
  std::string response;
  bool done = false;
  HealthcheckResult result;

  void finish(bool healthy, std::string message) {
    done = true;
    result = {healthy, std::move(message)};
    error_code ignored;
    socket.close(ignored);
  }
};

}  // namespace

std::string healthcheck_host(const std::string& listen_host) {
  if (listen_host.empty() || listen_host == "0.0.0.0") return "127.0.0.1";
  if (listen_host == "::" || listen_host == "[::]") return "::1";
  if (listen_host.size() > 2 && listen_host.front() == '[' && listen_host.back() == ']') {
    return listen_host.substr(1, listen_host.size() - 2);
  }
  return listen_host;
}

HealthcheckResult check_health(const config::Config& cfg, std::chrono::milliseconds timeout) {
  const std::string host = healthcheck_host(cfg.host);
  const bool v6 = host.find(':') != std::string::npos;
  const std::string authority = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(cfg.port);
  const std::string url = "http://" + authority + "/_dialtone/health";
  if (cfg.port <= 0) {
    return {false, "port " + std::to_string(cfg.port) +
                       " (any free port): give the healthcheck the port the server bound"};
  }

  asio::io_context io;
  Exchange x(io);
  x.request = "GET /_dialtone/health HTTP/1.1\r\nHost: " + authority +
              "\r\nUser-Agent: dialtone-healthcheck\r\nConnection: close\r\n\r\n";
  x.resolver.async_resolve(
      host, std::to_string(cfg.port), [&x, &url](error_code ec, tcp::resolver::results_type eps) {
        if (ec) return x.finish(false, url + ": cannot resolve: " + ec.message());
        asio::async_connect(x.socket, eps, [&x, &url](error_code ec2, const tcp::endpoint&) {
          if (ec2) return x.finish(false, url + ": cannot connect: " + ec2.message());
          asio::async_write(x.socket, asio::buffer(x.request), [&x, &url](error_code ec3, size_t) {
            if (ec3) return x.finish(false, url + ": cannot send: " + ec3.message());
            asio::async_read_until(
                x.socket, asio::dynamic_buffer(x.response), "\r\n",
                [&x, &url](error_code ec4, size_t line_end) {
                  if (ec4) return x.finish(false, url + ": no answer: " + ec4.message());
                  std::string_view line(x.response.data(), line_end - 2);
                  // "HTTP/1.1 200 OK": the code follows the first space.
                  const auto space = line.find(' ');
                  const bool ok = line.starts_with("HTTP/1.") && space != std::string_view::npos &&
                                  line.substr(space + 1, 3) == "200";
                  x.finish(ok, url + ": " + std::string(line));
                });
          });
        });
      });
  io.run_for(timeout);
  if (!x.done) {
    x.finish(false, url + ": no answer within " + std::to_string(timeout.count()) + " ms");
  }
  return x.result;
}

int run_healthcheck(int argc, char** argv) {
  auto loaded = config::load(argc, argv);
  if (loaded.show_help) {
    std::fputs(
        "Usage: dialtone healthcheck [--config FILE] [--OPTION VALUE]...\n\n"
        "Asks GET /_dialtone/health of the dialtone these settings describe (the same\n"
        "--config, DIALTONE_* environment and options as the server; host 0.0.0.0 means\n"
        "127.0.0.1) and exits 0 when it answers 200 within 2 s, 1 otherwise.\n",
        stdout);
    return 0;
  }
  if (!loaded.ok()) {
    std::fprintf(stderr, "dialtone healthcheck: configuration error: %s\n", loaded.error.c_str());
    return 1;
  }
  const HealthcheckResult r = check_health(loaded.config, kTimeout);
  std::fprintf(r.healthy ? stdout : stderr, "dialtone healthcheck: %s: %s\n",
               r.healthy ? "healthy" : "unhealthy", r.message.c_str());
  return r.healthy ? 0 : 1;
}

}  // namespace dialtone::server
