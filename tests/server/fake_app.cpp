#include "fake_app.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

namespace dialtone::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

}  // namespace

struct FakeApp::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread accept_thread;
  std::vector<std::thread> workers;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  mutable std::mutex mu;
  std::vector<SeenRequest> seen;
  std::map<std::string, int> in_flight;  // call sid -> requests being served
  int max_concurrent = 0;
  std::atomic<int> connection_count{0};
  std::atomic<bool> stopping{false};

  void accept_loop() {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(io);
      boost::system::error_code ec;
      acceptor.accept(*socket, ec);
      if (ec || stopping) return;
      int id = ++connection_count;
      std::lock_guard lock(mu);
      sockets.push_back(socket);
      workers.emplace_back([this, socket, id] { serve(*socket, id); });
    }
  }

  void serve(tcp::socket& socket, int id) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      SeenRequest s;
      s.connection = id;
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
      }

      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "text/xml");
      res.body() = "<Response/>";
      std::string path = s.target.substr(0, s.target.find('?'));
      if (path == "/slow") {
        int ms = std::stoi(query_value(s.target, "ms"));
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      } else if (path == "/big") {
        res.body() = std::string(70000, 'x');
      } else if (path == "/code") {
        res.result(static_cast<unsigned>(std::stoi(query_value(s.target, "code"))));
      } else if (path == "/close") {
        res.keep_alive(false);
      }
      if (path != "/close") res.keep_alive(req.keep_alive());
      res.prepare_payload();
      {
        std::lock_guard lock(mu);
        --in_flight[call];
      }
      http::write(socket, res, ec);
      if (ec || !res.keep_alive()) {
        socket.shutdown(tcp::socket::shutdown_both, ec);
        return;
      }
    }
  }
};

FakeApp::FakeApp() : impl_(std::make_unique<Impl>()) {
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

FakeApp::~FakeApp() {
  impl_->stopping = true;
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

std::string FakeApp::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::vector<SeenRequest> FakeApp::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

int FakeApp::connections() const { return impl_->connection_count.load(); }

int FakeApp::max_concurrent_per_call() const {
  std::lock_guard lock(impl_->mu);
  return impl_->max_concurrent;
}

}  // namespace dialtone::testing
