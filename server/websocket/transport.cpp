#include "server/websocket/transport.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <algorithm>
#include <string>

namespace dialtone::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Transport::Wire {
  virtual ~Wire() = default;
  virtual tcp::socket& socket() = 0;
  virtual SSL* tls() { return nullptr; }
  virtual void handshake(Handler handler) = 0;
  virtual void read_some(const std::vector<asio::mutable_buffer>& buffers, IoHandler h) = 0;
  virtual void write_some(const std::vector<asio::const_buffer>& buffers, IoHandler h) = 0;
  virtual void teardown(boost::beast::role_type role, Handler handler) = 0;
};

namespace {

class PlainWire final : public Transport::Wire {
 public:
  explicit PlainWire(const Transport::Strand& strand) : socket_(strand) {}
  tcp::socket& socket() override { return socket_; }
  void handshake(Transport::Handler handler) override {
    asio::post(handler.get_executor(), [h = std::move(handler)]() mutable {
      std::move(h)(boost::system::error_code{});
    });
  }
  void read_some(const std::vector<asio::mutable_buffer>& buffers,
                 Transport::IoHandler h) override {
    socket_.async_read_some(buffers, std::move(h));
  }
  void write_some(const std::vector<asio::const_buffer>& buffers,
                  Transport::IoHandler h) override {
    socket_.async_write_some(buffers, std::move(h));
  }
  void teardown(boost::beast::role_type role, Transport::Handler handler) override {
    boost::beast::websocket::async_teardown(role, socket_, std::move(handler));
  }

 private:
  tcp::socket socket_;
};

class TlsWire final : public Transport::Wire {
 public:
  TlsWire(const Transport::Strand& strand, asio::ssl::context& context)
      : stream_(strand, context) {}
  tcp::socket& socket() override { return stream_.next_layer(); }
  SSL* tls() override { return stream_.native_handle(); }
  void handshake(Transport::Handler handler) override {
    stream_.async_handshake(asio::ssl::stream_base::client, std::move(handler));
  }
  void read_some(const std::vector<asio::mutable_buffer>& buffers,
                 Transport::IoHandler h) override {
    stream_.async_read_some(buffers, std::move(h));
  }
  // A WebSocket frame comes as its header and its payload: TLS would write only the first
  // buffer (a record of a few bytes, then another), so small pieces are joined into one
  // record first, as Beast's ssl_stream does.
  void write_some(const std::vector<asio::const_buffer>& buffers,
                  Transport::IoHandler h) override {
    if (buffers.size() < 2 || buffers.front().size() >= kJoinBelow) {
      return stream_.async_write_some(buffers, std::move(h));
    }
    joined_.clear();
    for (const asio::const_buffer& b : buffers) {
      const size_t n = std::min(b.size(), kJoinBelow - joined_.size());
      joined_.append(static_cast<const char*>(b.data()), n);
      if (joined_.size() == kJoinBelow) break;
    }
    stream_.async_write_some(asio::buffer(joined_), std::move(h));
  }
  void teardown(boost::beast::role_type role, Transport::Handler handler) override {
    // The TLS close_notify (beast/websocket/ssl.hpp).
    boost::beast::async_teardown(role, stream_, std::move(handler));
  }

 private:
  static constexpr size_t kJoinBelow = 16384;  // one TLS record's plaintext at most
  asio::ssl::stream<tcp::socket> stream_;
  std::string joined_;
};

}  // namespace

Transport::Transport(Strand strand)
    : strand_(std::move(strand)), wire_(std::make_unique<PlainWire>(strand_)) {}
Transport::Transport(Strand strand, asio::ssl::context& tls_context)
    : strand_(std::move(strand)), wire_(std::make_unique<TlsWire>(strand_, tls_context)) {}
Transport::~Transport() = default;
Transport::Transport(Transport&&) noexcept = default;

tcp::socket& Transport::socket() { return wire_->socket(); }
SSL* Transport::tls_handle() { return wire_->tls(); }
void Transport::tls_handshake(Handler handler) { wire_->handshake(std::move(handler)); }

void Transport::close() {
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

void Transport::read_some(IoHandler handler) {
  wire_->read_some(read_buffers_, std::move(handler));
}
void Transport::write_some(IoHandler handler) {
  wire_->write_some(write_buffers_, std::move(handler));
}
void Transport::teardown(boost::beast::role_type role, Handler handler) {
  wire_->teardown(role, std::move(handler));
}

}  // namespace dialtone::server
