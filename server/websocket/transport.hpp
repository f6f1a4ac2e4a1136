// The wire under a Media Streams WebSocket: plain TCP (ws://) or TLS over TCP (wss://), behind
// one type. Beast's websocket::stream is a template over its next layer; with the two concrete
// layers it was compiled twice, each time with every handler of every operation, and
// stream_client.cpp took 95 CPU-seconds under ASan (87 for the TLS half). Here Beast sees one
// next layer, and each handler is erased into one type (ErasedHandler, run on the
// connection's strand) at this boundary, so the TCP and TLS operations are compiled once, in
// transport.cpp. (Not asio::any_completion_handler: its executor is an any_executor whose
// shared target counts references with a fence ThreadSanitizer does not model, and GCC
// refuses that under -Werror.)
//
// Thread-safety: as a socket's; the owner calls it on one strand (the connection's).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
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

// A completion handler of any type behind one: called once, as an rvalue.
template <class... Args>
class ErasedHandler {
 public:
  template <class H>
  explicit ErasedHandler(H&& h) : fn_(std::make_unique<Impl<std::decay_t<H>>>(std::forward<H>(h))) {}
  void operator()(Args... args) {
    std::unique_ptr<Base> fn = std::move(fn_);
    fn->call(args...);
  }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void call(Args... args) = 0;
  };
  template <class H>
  struct Impl final : Base {
    explicit Impl(H&& h) : handler(std::move(h)) {}
    explicit Impl(const H& h) : handler(h) {}
    void call(Args... args) override { std::move(handler)(args...); }
    H handler;
  };
  std::unique_ptr<Base> fn_;
};

class Transport {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using executor_type = Strand;
  // Every completion runs on the connection's strand, where Beast's own handlers belong too.
  template <class... Args>
  using Bound = boost::asio::executor_binder<ErasedHandler<Args...>, Strand>;
  using Handler = Bound<boost::system::error_code>;
  using IoHandler = Bound<boost::system::error_code, std::size_t>;
  // bind<error_code>(h), bind<error_code, std::size_t>(h): the completion's signature.
  template <class First, class... Rest, class H>
  Bound<First, Rest...> bind(H&& h) const {
    return boost::asio::bind_executor(strand_,
                                      ErasedHandler<First, Rest...>(std::forward<H>(h)));
  }

  explicit Transport(Strand strand);                                   // ws://
  Transport(Strand strand, boost::asio::ssl::context& tls_context);  // wss://
  ~Transport();
  Transport(Transport&&) noexcept;
  Transport& operator=(Transport&&) = delete;

  executor_type get_executor() const noexcept { return strand_; }
  boost::asio::ip::tcp::socket& socket();  // the TCP socket under either
  SSL* tls_handle();                       // nullptr for ws://
  // The client's TLS handshake (wss:// only; ws:// completes at once).
  template <class H>
  void async_tls_handshake(H&& handler) {
    tls_handshake(bind<boost::system::error_code>(std::forward<H>(handler)));
  }
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
          read_some(bind<boost::system::error_code, std::size_t>(std::move(handler)));
        },
        token, buffers);
  }
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          write_buffers_.assign(boost::asio::buffer_sequence_begin(b),
                                boost::asio::buffer_sequence_end(b));
          write_some(bind<boost::system::error_code, std::size_t>(std::move(handler)));
        },
        token, buffers);
  }

  // The WebSocket close's last step (Beast finds it through async_teardown below).
  void teardown(boost::beast::role_type role, Handler handler);

  struct Wire;  // the concrete socket, in transport.cpp

 private:
  void tls_handshake(Handler handler);
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
  transport.teardown(
      role, transport.bind<boost::system::error_code>(std::forward<TeardownHandler>(handler)));
}
inline void beast_close_socket(Transport& transport) { transport.close(); }

}  // namespace dialtone::server
