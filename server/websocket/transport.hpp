// The wire under a Media Streams WebSocket: plain TCP (ws://) or TLS over TCP (wss://), behind
// one type. Beast's websocket::stream is a template over its next layer; with the two concrete
// layers it was compiled twice, each time with every handler of every operation, and
// stream_client.cpp took 95 CPU-seconds under ASan (87 for the TLS half). Here Beast sees one
// next layer, and each handler is turned into an asio::any_completion_handler at this
// boundary, so the TCP and TLS operations are compiled once, in transport.cpp.
//
// Thread-safety: as a socket's; the owner calls it on one strand (the connection's).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>  // and OpenSSL's SSL
#include <boost/asio/strand.hpp>
#include <boost/beast/core/role.hpp>

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace dialtone::server {

class Transport {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using executor_type = Strand;
  using Handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
  using IoHandler =
      boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

  explicit Transport(Strand strand);                                   // ws://
  Transport(Strand strand, boost::asio::ssl::context& tls_context);  // wss://
  ~Transport();
  Transport(Transport&&) noexcept;
  Transport& operator=(Transport&&) = delete;

  executor_type get_executor() const noexcept { return strand_; }
  boost::asio::ip::tcp::socket& socket();  // the TCP socket under either
  SSL* tls_handle();                       // nullptr for ws://
  // The client's TLS handshake (wss:// only; ws:// completes at once).
  void async_tls_handshake(Handler handler);
  void close();  // both directions, at once; errors ignored

  // What Beast's AsyncStream concept asks for. The buffer sequence is copied into a vector
  // (the operation's descriptors, not the bytes) kept here: a stream has one read and one
  // write in flight at most.
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          read_buffers_.assign(boost::asio::buffer_sequence_begin(b),
                               boost::asio::buffer_sequence_end(b));
          read_some(std::move(handler));
        },
        token, buffers);
  }
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          write_buffers_.assign(boost::asio::buffer_sequence_begin(b),
                                boost::asio::buffer_sequence_end(b));
          write_some(std::move(handler));
        },
        token, buffers);
  }

  // The WebSocket close's last step (Beast finds it through async_teardown below).
  void teardown(boost::beast::role_type role, Handler handler);

  struct Wire;  // the concrete socket, in transport.cpp

 private:
  void read_some(IoHandler handler);
  void write_some(IoHandler handler);

  Strand strand_;
  std::unique_ptr<Wire> wire_;
  std::vector<boost::asio::mutable_buffer> read_buffers_;
  std::vector<boost::asio::const_buffer> write_buffers_;
};

// Beast's customisation points, found by argument-dependent lookup.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, Transport& transport,
                    TeardownHandler&& handler) {
  transport.teardown(role, Transport::Handler(std::forward<TeardownHandler>(handler)));
}
inline void beast_close_socket(Transport& transport) { transport.close(); }

}  // namespace dialtone::server
