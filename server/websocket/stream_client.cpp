#include "server/websocket/stream_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <openssl/x509v3.h>

#include <deque>
#include <mutex>
#include <unordered_map>

#include "core/stream/messages.hpp"
#include "server/signature.hpp"
#include "server/tls_peer.hpp"
#include "server/webhook_url.hpp"
#include "server/websocket/transport.hpp"

namespace dialtone::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Strand = Transport::Strand;
using Clock = std::chrono::steady_clock;
using core::StreamCommand;
using core::StreamEvent;
namespace stream = core::stream;

class Connection;

struct StreamClient::Impl {
  Impl(asio::io_context& io_context, const config::WebhookConfig& cfg)
      : io(io_context), config(cfg), tls_context(ssl::context::tls_client) {
    if (!cfg.ca_file.empty()) {
      boost::system::error_code ignored;  // a bad file stopped start-up in the webhook client
      tls_context.load_verify_file(cfg.ca_file, ignored);
    }
    tls_context.set_verify_mode(cfg.insecure_tls ? ssl::verify_none : ssl::verify_peer);
  }

  // The system CA store, read on the first wss:// connection only (as the webhook client).
  void ensure_system_cas() {
    if (!config.ca_file.empty() || config.insecure_tls) return;
    std::call_once(cas_once, [this] {
      boost::system::error_code ignored;
      tls_context.set_default_verify_paths(ignored);
    });
  }

  std::shared_ptr<Connection> find(uint64_t id) {
    std::lock_guard lock(mu);
    auto it = connections.find(id);
    return it == connections.end() ? nullptr : it->second;
  }
  void remove(uint64_t id) {
    std::lock_guard lock(mu);
    connections.erase(id);
  }

  asio::io_context& io;
  const config::WebhookConfig config;
  ssl::context tls_context;
  std::once_flag cas_once;
  OnEvent on_event;
  OnSent on_sent;
  OnLateness on_lateness;
  mutable std::mutex mu;  // guards connections
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections;
};

// One stream's socket. Every member runs on its strand; the public ones post there.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `tls`: the context of a wss:// stream, nullptr for ws://.
  Connection(std::shared_ptr<StreamClient::Impl> client, StreamCommand open, bool counted,
             Strand strand, ssl::context* tls)
      : client_(std::move(client)),
        open_(std::move(open)),
        open_counted_(counted),
        strand_(std::move(strand)),
        deadline_(strand_),
        write_timer_(strand_),
        resolver_(strand_),
        ws_(tls ? Transport(strand_, *tls) : Transport(strand_)) {}

  void post_start() {
    asio::post(strand_, [self = shared_from_this()] { self->start(); });
  }
  void post_send(std::string text, bool counted, std::optional<Clock::time_point> due) {
    asio::post(strand_,
               [self = shared_from_this(), text = std::move(text), counted, due]() mutable {
                 self->send(std::move(text), counted, due);
               });
  }
  void post_close() {
    asio::post(strand_, [self = shared_from_this()] { self->close(); });
  }
  void post_abort() {
    asio::post(strand_, [self = shared_from_this()] { self->finish(); });
  }

 private:
  enum class State : uint8_t { kConnecting, kOpen, kClosing, kDone };
  struct Out {
    std::string text;
    bool counted;
    std::optional<Clock::time_point> due;  // a real-time frame's
  };

  void start() {
    const bool wss = open_.text.rfind("wss://", 0) == 0;
    std::string error;
    target_ = parse_webhook_url((wss ? "https" : "http") + open_.text.substr(wss ? 3 : 2),
                                WebhookTiming{}, error);
    if (!target_) return fail(stream::kErrMalformedUrl, "invalid WebSocket URL: " + error);
    if (!host_allowed(client_->config.allowed_hosts, target_->host)) {
      return fail(stream::kErrMalformedUrl,
                  "host '" + target_->host + "' is not allowed (webhook.allowed_hosts)");
    }
    deadline_.expires_after(std::chrono::milliseconds(client_->config.connect_timeout_ms));
    deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->state_ != State::kConnecting) return;
      self->fail(stream::kErrConnectTimeout,
                 "no WebSocket connection to " + self->target_->host_header + " within " +
                     std::to_string(self->client_->config.connect_timeout_ms) + " ms");
    });
    resolver_.async_resolve(
        target_->host, std::to_string(target_->port),
        [self = shared_from_this()](boost::system::error_code ec,
                                    tcp::resolver::results_type results) {
          if (self->state_ != State::kConnecting) return;
          if (ec) {
            return self->fail(stream::kErrConnectRefused,
                              "cannot resolve '" + self->target_->host + "': " + ec.message());
          }
          self->connect(results);
        });
  }

  void connect(const tcp::resolver::results_type& endpoints) {
    asio::async_connect(ws_.next_layer().socket(), endpoints,
                        [self = shared_from_this()](boost::system::error_code ec,
                                                    const tcp::endpoint&) {
                          self->on_connect(ec);
                        });
  }

  void on_connect(boost::system::error_code ec) {
    if (state_ != State::kConnecting) return;
    if (ec) {
      return fail(stream::kErrConnectRefused,
                  "connect to " + target_->host_header + " failed: " + ec.message());
    }
    if (ws_.next_layer().tls_handle()) return tls_handshake();
    upgrade();
  }

  void tls_handshake() {
    client_->ensure_system_cas();
    prepare_tls_peer(ws_.next_layer().tls_handle(), target_->host, true,
                     client_->config.insecure_tls);
    ws_.next_layer().async_tls_handshake([self = shared_from_this()](boost::system::error_code ec) {
      if (self->state_ != State::kConnecting) return;
      if (ec) {
        const long verify = SSL_get_verify_result(self->ws_.next_layer().tls_handle());
        return self->fail(stream::kErrHandshake,
                          !self->client_->config.insecure_tls && verify != X509_V_OK
                              ? std::string("TLS certificate verification failed: ") +
                                    X509_verify_cert_error_string(verify)
                              : "TLS handshake failed: " + ec.message());
      }
      self->upgrade();
    });
  }

  // The upgrade request carries X-Twilio-Signature over the URL as written (no parameters).
  void upgrade() {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::milliseconds(client_->config.connect_timeout_ms);
    t.idle_timeout = websocket::stream_base::none();  // an app may stay quiet for ever
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(stream::kMaxAppMessageBytes);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator(
        [sig = twilio_signature(open_.auth_token, open_.text, {})](
            websocket::request_type& req) {
          req.set(beast::http::field::user_agent, "TwilioProxy/1.1");
          req.set("X-Twilio-Signature", sig);
        }));
    ws_.async_handshake(response_, target_->host_header, target_->target,
                        [self = shared_from_this()](boost::system::error_code ec) {
                          self->on_upgrade(ec);
                        });
  }

  void read_next() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](boost::system::error_code ec,
                                                             size_t) {
      std::string data = beast::buffers_to_string(self->read_buffer_.data());
      self->read_buffer_.consume(self->read_buffer_.size());
      self->on_read(ec, self->ws_.got_text(), std::move(data));
    });
  }

  void write_front() {
    if (const auto& due = queue_.front().due; due && client_->on_lateness) {
      client_->on_lateness(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - *due));
    }
    arm_write_timer();
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front().text),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->on_write(ec);
                    });
  }

  void close_handshake() {
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](boost::system::error_code) {
                      // The read loop sees the close too; whichever comes first finishes.
                      if (self->state_ == State::kClosing) self->finish();
                    });
  }

  void on_upgrade(boost::system::error_code ec) {
    if (state_ != State::kConnecting) return;
    if (ec) {
      const unsigned status = response_.result_int();
      return fail(stream::kErrHandshake,
                  status != 0 && status != 101
                      ? "WebSocket upgrade answered HTTP " + std::to_string(status)
                      : "WebSocket handshake with " + target_->host_header +
                            " failed: " + ec.message());
    }
    deadline_.cancel();
    state_ = State::kOpen;
    open_answered_ = true;
    emit({StreamEvent::Kind::kOpened, open_.stream_id, open_.account_sid, 0, {}}, open_counted_);
    read_next();
    if (!queue_.empty()) {
      write_front();
    } else if (close_requested_) {
      begin_close();
    }
  }

  void on_read(boost::system::error_code ec, bool text, std::string data) {
    if (state_ == State::kDone) return;
    if (ec) {
      if (state_ == State::kClosing) return finish();  // our own close came back
      if (ec == websocket::error::closed) {
        emit({StreamEvent::Kind::kClosed, open_.stream_id, open_.account_sid, 0, {}}, false);
        return finish();
      }
      if (ec == websocket::error::message_too_big) {
        return fail(stream::kErrInvalidMessage,
                    "a message over " + std::to_string(stream::kMaxAppMessageBytes) +
                        " bytes: the stream was closed");
      }
      return fail(stream::kErrClose, "the socket failed: " + ec.message());
    }
    emit({text ? StreamEvent::Kind::kText : StreamEvent::Kind::kBinary, open_.stream_id,
          open_.account_sid, 0, text ? std::move(data) : std::string()},
         false);
    read_next();
  }

  void send(std::string text, bool counted, std::optional<Clock::time_point> due) {
    if (state_ == State::kDone || close_requested_) {
      if (counted) client_->on_sent(open_.account_sid);
      return;
    }
    queued_bytes_ += text.size();
    queue_.push_back({std::move(text), counted, due});
    if (queued_bytes_ > StreamClient::kMaxQueuedBytes) {
      return fail(stream::kErrClose, "the app does not read: " + std::to_string(queued_bytes_) +
                                         " bytes wait to be written");
    }
    if (state_ == State::kOpen && !writing_) write_front();
  }

  // Called by write_front() before each write: a write that does not finish in time fails.
  void arm_write_timer() {
    writing_ = true;
    write_timer_.expires_after(StreamClient::kWriteTimeout);
    write_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || !self->writing_) return;
      self->fail(stream::kErrClose, "a write to the app took over " +
                                        std::to_string(StreamClient::kWriteTimeout.count()) +
                                        " s: the app does not read");
    });
  }

  void on_write(boost::system::error_code ec) {
    writing_ = false;
    write_timer_.cancel();
    if (state_ == State::kDone) return;
    Out done = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= done.text.size();
    if (done.counted) client_->on_sent(open_.account_sid);
    if (ec) return fail(stream::kErrClose, "writing to the app failed: " + ec.message());
    if (!queue_.empty()) return write_front();
    if (close_requested_) begin_close();
  }

  void close() {
    close_requested_ = true;
    if (state_ == State::kConnecting) {
      // Stopped before it opened: the engine forgot it already; the open still answers.
      return fail(stream::kErrClose, "stopped while connecting");
    }
    if (state_ == State::kOpen && !writing_ && queue_.empty()) begin_close();
  }

  void begin_close() {
    state_ = State::kClosing;
    // Bounded like the writes: an app that never answers the close loses the socket.
    write_timer_.expires_after(StreamClient::kWriteTimeout);
    write_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->finish();
    });
    close_handshake();
  }

  // The event goes out once the socket is gone (and off the client's list).
  void fail(int code, std::string why) {
    if (state_ == State::kDone) return;
    const bool opening = state_ == State::kConnecting;
    const bool report = state_ != State::kClosing;
    if (opening) open_answered_ = true;
    finish();
    if (report) {
      emit({StreamEvent::Kind::kFailed, open_.stream_id, open_.account_sid, code,
            std::move(why)},
           opening && open_counted_);
    }
  }

  // Drops everything: the socket, the timers, what waited to be written (counted sends are
  // reported done, so a manual clock's advance never waits for them).
  void finish() {
    if (state_ == State::kDone) return;
    const bool unanswered = state_ == State::kConnecting && !open_answered_;
    state_ = State::kDone;
    for (const Out& o : queue_) {
      if (o.counted) client_->on_sent(open_.account_sid);
    }
    queue_.clear();
    queued_bytes_ = 0;
    deadline_.cancel();
    write_timer_.cancel();
    resolver_.cancel();
    ws_.next_layer().close();
    client_->remove(open_.stream_id);
    if (unanswered) {
      // Aborted while opening (a reset, shutdown): the open is answered all the same.
      emit({StreamEvent::Kind::kFailed, open_.stream_id, open_.account_sid, stream::kErrClose,
            "dropped while connecting"},
           open_counted_);
    }
  }

  void emit(StreamEvent e, bool counted) {
    if (client_->on_event) client_->on_event(std::move(e), counted);
  }

  std::shared_ptr<StreamClient::Impl> client_;
  StreamCommand open_;
  bool open_counted_;
  Strand strand_;
  asio::steady_timer deadline_;     // connect + TLS + upgrade
  asio::steady_timer write_timer_;  // one write, or the close handshake
  tcp::resolver resolver_;
  std::optional<WebhookTarget> target_;
  websocket::response_type response_;
  State state_ = State::kConnecting;
  bool writing_ = false;
  bool close_requested_ = false;
  bool open_answered_ = false;  // kOpened or kFailed reported for the open
  std::deque<Out> queue_;
  size_t queued_bytes_ = 0;
  beast::flat_buffer read_buffer_;
  websocket::stream<Transport> ws_;
};

StreamClient::StreamClient(asio::io_context& io, const config::WebhookConfig& config)
    : impl_(std::make_shared<Impl>(io, config)) {}

StreamClient::~StreamClient() { close_all(); }

void StreamClient::set_handlers(OnEvent on_event, OnSent on_sent, OnLateness on_lateness) {
  impl_->on_event = std::move(on_event);
  impl_->on_sent = std::move(on_sent);
  impl_->on_lateness = std::move(on_lateness);
}

void StreamClient::execute(StreamCommand command, bool counted,
                           std::optional<std::chrono::steady_clock::time_point> due) {
  switch (command.kind) {
    case StreamCommand::Kind::kOpen: {
      const uint64_t id = command.stream_id;
      Strand strand = asio::make_strand(impl_->io);
      ssl::context* tls = command.text.rfind("wss://", 0) == 0 ? &impl_->tls_context : nullptr;
      auto conn = std::make_shared<Connection>(impl_, std::move(command), counted, strand, tls);
      {
        std::lock_guard lock(impl_->mu);
        impl_->connections[id] = conn;
      }
      conn->post_start();
      return;
    }
    case StreamCommand::Kind::kSend:
      if (auto conn = impl_->find(command.stream_id)) {
        conn->post_send(std::move(command.text), counted, due);
      } else if (counted) {
        // Its socket is gone: done at once (posted: the caller holds the host's lock).
        asio::post(impl_->io, [impl = impl_, account = std::move(command.account_sid)] {
          impl->on_sent(account);
        });
      }
      return;
    case StreamCommand::Kind::kClose:
      if (auto conn = impl_->find(command.stream_id)) conn->post_close();
      return;
  }
}

void StreamClient::abort(uint64_t stream_id) {
  if (auto conn = impl_->find(stream_id)) conn->post_abort();
}

size_t StreamClient::open_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections.size();
}

void StreamClient::close_all() {
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> all;
  {
    std::lock_guard lock(impl_->mu);
    all = impl_->connections;
  }
  for (auto& [id, conn] : all) conn->post_abort();
}

}  // namespace dialtone::server
