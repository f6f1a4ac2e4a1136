#include "server/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <initializer_list>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "server/logging.hpp"

namespace dialtone::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

void make_request_id(std::string& into) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  char out[34] = {'R', 'Q'};  // made whole, then copied once
  for (int half = 0; half < 2; ++half) {
    uint64_t v = rng();
    for (int i = 0; i < 16; ++i, v >>= 4) out[2 + half * 16 + i] = kHex[v & 0xf];
  }
  into.assign(out, sizeof out);
}

namespace {

// Errors the server itself raises, in Twilio's JSON envelope (no code: Twilio documents none).
api::Response server_error(int status, std::string_view message) {
  api::Response r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = "{\"message\": \"" + std::string(message) + "\", \"status\": " +
           std::to_string(status) + "}";
  return r;
}

bool is_disconnect(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
         ec == asio::error::broken_pipe || ec == beast::error::timeout;
}

// RFC 9112 lets a client send the absolute form ("GET http://host:7070/path"); routes see the
// origin form ("/path") either way.
std::string origin_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        beast::iequals(target.substr(0, scheme.size()), scheme)) {
      const size_t slash = target.find_first_of("/?", scheme.size());
      if (slash == std::string_view::npos) return "/";
      const std::string_view rest = target.substr(slash);
      return rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
    }
  }
  return std::string(target);
}

std::string_view path_only(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// A response head as Beast would write it: the status line, Content-Type, Twilio-Request-Id,
// the handler's headers, then `tail` (the framing headers), then the blank line.
void append_head(std::string& out, const api::Response& response, std::string_view request_id,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> tail) {
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += http::obsolete_reason(static_cast<http::status>(response.status));
  out += "\r\n";
  auto header = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  if (!response.content_type.empty()) header("Content-Type", response.content_type);
  header("Twilio-Request-Id", request_id);
  for (const auto& [name, value] : response.headers) header(name, value);
  for (const auto& [name, value] : tail) {
    if (!name.empty()) header(name, value);
  }
  out += "\r\n";
}

}  // namespace

class Session;

// A streamed body's sink: what is written is framed as one chunk and queued on the session's
// strand (post, never dispatch, so chunks keep their order whoever writes them). The bytes
// queued and not yet written are counted here: a client that lets them grow past the limit is
// dropped rather than buffered without bound.
class SessionSink : public api::StreamSink {
 public:
  static constexpr size_t kMaxQueuedBytes = 1 << 20;

  explicit SessionSink(std::weak_ptr<Session> session) : session_(std::move(session)) {}
  bool write(std::string bytes) override;
  void close() override;
  bool open() const override { return open_.load(); }

  std::atomic<bool> open_{true};
  std::atomic<size_t> queued_{0};

 private:
  std::weak_ptr<Session> session_;
};

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io_context, const config::Config& c, Handler h)
      : io(io_context), config(c), handler(std::move(h)), acceptor(asio::make_strand(io)) {}

  asio::io_context& io;
  config::Config config;
  Handler handler;
  tcp::acceptor acceptor;
  std::atomic<size_t> connections{0};
  std::atomic<size_t> requests{0};
  std::atomic<bool> shutting_down{false};
  std::atomic<uint64_t> next_session_id{1};

  // Every live session, for shutdown and the timeout sweep. `raw` may be read with mu held:
  // a session erases itself here, under mu, before any of its members goes away.
  struct SessionRef {
    std::weak_ptr<Session> weak;
    Session* raw;
  };
  std::mutex mu;
  std::map<uint64_t, SessionRef> sessions;  // guarded by mu

  // Timeouts (idle, read, write) are deadlines that one sweep checks every kSweepEvery, not a
  // timer per wait: Beast's per-stream timers cost four timer-queue operations per request
  // (each under the reactor's lock, which both I/O threads contend for). A timeout fires up to
  // kSweepEvery late. The sweep runs while any session is open.
  static constexpr std::chrono::milliseconds kSweepEvery{100};
  asio::steady_timer sweep_timer{io};  // guarded by mu
  bool sweeping = false;               // guarded by mu

  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  void start_sweep_locked();
  void sweep();
};

// One client connection: read a request, hand it over, write the answer, loop.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server, uint64_t id)
      : stream_(std::move(socket)), server_(std::move(server)), id_(id) {
    server_->connections.fetch_add(1);
  }

  ~Session() {
    server_->connections.fetch_sub(1);
    std::lock_guard lock(server_->mu);
    server_->sessions.erase(id_);
  }

  // --- timeouts; the deadline is set on the strand and read by the sweep on any thread ---

  static int64_t now_ticks() {
    return std::chrono::steady_clock::now().time_since_epoch().count();
  }
  bool expired(int64_t now) const { return deadline_.load(std::memory_order_relaxed) <= now; }

  // From the sweep: closes the connection if its deadline is still past once on the strand.
  // Pending reads and writes then end with operation_aborted, which closes as a timeout did.
  void time_out() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->expired(now_ticks())) return;  // a new wait began meanwhile
      self->expires_never();
      self->do_close();
    });
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  // From any thread: close if idle, else close after the current response. A stream ends
  // cleanly (its last chunk goes out) and then closes.
  void drain() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->draining_ = true;
      if (self->streaming_) return self->end_stream();
      if (!self->busy_) self->do_close();
    });
  }

  // --- streamed responses; on the strand ---

  void enqueue_chunk(std::string framed) {
    if (!streaming_ || stream_ending_) return;
    out_.push_back(std::move(framed));
    do_stream_write();
  }

  void end_stream() {
    if (!streaming_ || stream_ending_) return;
    sink_->open_.store(false);
    stream_ending_ = true;
    out_.push_back("0\r\n\r\n");
    do_stream_write();
  }

 private:
  static constexpr size_t kFirstReadBytes = 4096;
  // An idle keep-alive connection keeps at most this much of its last body's buffer.
  static constexpr size_t kKeptBodyBytes = 64 * 1024;

  const config::LimitsConfig& limits() const { return server_->config.limits; }

  void expires_after(std::chrono::seconds timeout) {
    deadline_.store(now_ticks() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      timeout).count(),
                    std::memory_order_relaxed);
  }
  void expires_never() { deadline_.store(kNoDeadline, std::memory_order_relaxed); }

  void do_read() {
    if (draining_) return do_close();
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(limits().max_body_bytes));
    parser_->header_limit(static_cast<uint32_t>(limits().max_header_bytes));
    if (buffer_.size() > 0) return on_first_bytes({}, 0);  // pipelined request waiting
    // Waiting for the next request on a kept-alive connection: the idle timeout applies.
    // A raw read, not http::async_read_some: that one completes only once the parser took
    // something, i.e. a whole header, so a slowloris header would live by the idle timeout.
    expires_after(std::chrono::seconds(limits().idle_timeout_s));
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              self->on_first_bytes(ec, n);
                            });
  }

  // From the first byte on, the whole request must arrive within the read timeout.
  void on_first_bytes(error_code ec, std::size_t) {
    if (ec) return on_read(ec, 0);
    started_ = std::chrono::steady_clock::now();
    expires_after(std::chrono::seconds(limits().read_timeout_s));
    // Nearly every request arrives whole in its first packet: parse what is buffered here, so
    // that it is handled without another trip through the executor (Beast's read operations
    // complete by posting, even when no read is needed).
    if (error_code pec = parse_buffered(); pec && pec != http::error::need_more) {
      return on_read(pec, 0);
    }
    if (parser_->is_done()) return on_read({}, 0);
    if (parser_->is_header_done()) return on_header({}, 0);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // Feeds the buffered bytes to the parser: the header, then as much of the body as is there.
  // The same parser, limits and errors as Beast's reads, which carry on from where it stops.
  error_code parse_buffered() {
    error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec || used == 0) break;
    }
    return ec;
  }

  void on_header(error_code ec, std::size_t) {
    if (ec) return on_read(ec, 0);
    if (parser_->is_done()) return on_read({}, 0);
    // curl and others wait for this before sending a larger body.
    auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](error_code wec, std::size_t) {
                          if (wec) return self->on_read(wec, 0);
                          self->do_read_body();
                        });
      return;
    }
    do_read_body();
  }

  void do_read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec) {
      if (is_disconnect(ec)) return do_close();
      linger_ = true;  // the rest of the request may still be on its way
      if (ec == http::error::body_limit) {
        return send(server_error(413, "Request entity too large"), true, "-", "-");
      }
      if (ec == http::error::header_limit) {
        return send(server_error(431, "Request header fields too large"), true, "-", "-");
      }
      spdlog::debug("bad request from {}: {}", remote(), ec.message());
      return send(server_error(400, "Bad request"), true, "-", "-");
    }
    auto req = parser_->release();
    api::Request request;
    request.method = std::string(req.method_string());
    request.target = origin_form(req.target());
    request.authorization = std::string(req[http::field::authorization]);
    request.content_type = std::string(req[http::field::content_type]);
    request.last_event_id = std::string(req["Last-Event-ID"]);
    request.if_none_match = std::string(req[http::field::if_none_match]);
    request.body = std::move(req.body());
    // The session's own strings keep their capacity from one request to the next: what the
    // answer needs (method and path for the access log, the id for the header) costs no
    // allocation. One request at a time: they stay put until its answer is sent.
    method_.assign(request.method);
    path_.assign(path_only(request.target));
    make_request_id(request_id_);
    request.request_id = request_id_;
    keep_alive_ = req.keep_alive();
    busy_ = true;
    server_->requests.fetch_add(1);
    // The handler may take its time (blocking waits of the control API): no timer meanwhile.
    expires_never();

    // What the answer needs, in one allocation: a copy of the Respond that carries it (the
    // handlers make some) costs a small functor and a reference count, not string copies.
    struct Pending {
      std::shared_ptr<Session> self;
      std::atomic<bool> answered{false};
    };
    auto pending = std::make_shared<Pending>(shared_from_this());
    // Made where it is passed: a copy of a Respond allocates (its functor holds a shared_ptr),
    // and the handler takes it by value. A failed handler's answer gets one of its own.
    const auto respond = [&pending] {
      return Respond([pending](api::Response response) {
        if (pending->answered.exchange(true)) return;  // exactly once
        asio::dispatch(pending->self->stream_.get_executor(),
                       [pending, response = std::move(response)]() mutable {
                         Session& self = *pending->self;
                         self.server_->requests.fetch_sub(1);
                         self.send(std::move(response), !self.keep_alive_, self.method_,
                                   self.path_);
                       });
      });
    };
    try {
      server_->handler(std::move(request), respond());
    } catch (const std::exception& e) {
      spdlog::error("handler failed: {}", e.what());
      respond()(server_error(500, "Internal server error"));
    } catch (...) {
      spdlog::error("handler failed with an unknown exception");
      respond()(server_error(500, "Internal server error"));
    }
  }

  void send(api::Response response, bool close, std::string_view method, std::string_view path) {
    if (response.delivery != api::Delivery::kSend) return withhold(response.delivery, method, path);
    close = close || draining_ || server_->shutting_down.load();
    if (response.on_stream && !close) return start_stream(std::move(response), method, path);
    if (response.on_stream) {  // shutting down: no new streams
      response = server_error(503, "Shutting down");
      response.on_stream = nullptr;
    }
    if (request_id_.empty()) make_request_id(request_id_);
    // The head is written by hand and goes out with the body in one gathered write: Beast's
    // serializer cost more than the rest of a fetch.
    // 1xx, 204 and 304 carry neither a body nor a Content-Length (RFC 9110 8.6).
    const bool bodiless = response.status < 200 || response.status == 204 ||
                          response.status == 304;
    source_ = bodiless ? nullptr : std::move(response.body_source);
    const bool chunked = source_ && source_->chunked;
    const std::string length =
        bodiless ? std::string()
                 : std::to_string(source_ ? source_->size : response.body.size());
    head_.clear();
    append_head(head_, response, request_id_,
                {{close ? "Connection" : "", "close"},
                 {bodiless || chunked ? "" : "Content-Length", length},
                 {chunked ? "Transfer-Encoding" : "", "chunked"}});
    body_ = bodiless ? std::string() : std::move(response.body);

    access_log_answer(method, path, response.status, started_, response.call_sid, request_id_);
    request_id_.clear();

    expires_after(std::chrono::seconds(limits().read_timeout_s));
    if (source_) {
      asio::async_write(stream_, asio::buffer(head_),
                        beast::bind_front_handler(&Session::on_source_write, shared_from_this(),
                                                  close));
      return;
    }
    // Posted, not written here: the write then runs after the handlers of the requests that
    // were read in the same batch, so their answers leave back to back and a client waiting on
    // many connections is woken once for several, not once for each. A wake-up costs both sides
    // (on the 2-core VM wrk, with 64 connections, was switched in once per 4 answers and waited
    // runnable 29% of the run; batched, once per 25 and 12%: fetch +12%, update +15%, create
    // +4-14%, bench/RESULTS.md, twenty-first session). With nothing else queued it runs next.
    asio::post(stream_.get_executor(), [self = shared_from_this(), close] {
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(self->head_),
                                                      asio::buffer(self->body_)};
      asio::async_write(self->stream_, buffers,
                        beast::bind_front_handler(&Session::on_write, self, close));
    });
  }

  // A body made piece by piece (api::BodySource): the next piece is made only once the last
  // one is written, so the client's reading paces the making and one piece is in memory.
  // A chunked one ends with the last chunk ("0\r\n\r\n"), written once `next` says it is done.
  void on_source_write(bool close, error_code ec, std::size_t) {
    if (!ec && source_->chunked && source_ending_) {
      source_ending_ = false;
      source_.reset();
      return on_write(close, ec, 0);
    }
    if (!ec && source_->next(body_)) {
      if (source_->chunked) {
        char size[20];
        const int n = std::snprintf(size, sizeof size, "%zx\r\n", body_.size());
        body_.insert(0, size, static_cast<size_t>(n));
        body_ += "\r\n";
      }
      expires_after(std::chrono::seconds(limits().read_timeout_s));
      asio::async_write(stream_, asio::buffer(body_),
                        beast::bind_front_handler(&Session::on_source_write, shared_from_this(),
                                                  close));
      return;
    }
    if (!ec && source_->chunked) {
      source_ending_ = true;
      body_ = "0\r\n\r\n";
      asio::async_write(stream_, asio::buffer(body_),
                        beast::bind_front_handler(&Session::on_source_write, shared_from_this(),
                                                  close));
      return;
    }
    source_.reset();
    on_write(close, ec, 0);
  }

  // An injected fault (server/faults/): no answer. kReset closes at once with an RST (linger
  // 0); kHold keeps the connection without a deadline of its own: the client gives up (its
  // close ends the probe read), or the idle timeout, or a shutdown's drain() closes it.
  void withhold(api::Delivery how, std::string_view method, std::string_view path) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started_)
                  .count();
    const bool reset = how == api::Delivery::kReset;
    access_log(FMT_COMPILE("{} {} {} {}ms {}"), method, path, reset ? "reset" : "no-answer", ms,
               request_id_);
    request_id_.clear();
    busy_ = false;  // a drain closes it now, as an idle connection
    error_code ec;
    if (reset) {
      stream_.socket().set_option(tcp::socket::linger(true, 0), ec);
      stream_.socket().close(ec);
      return;
    }
    if (draining_ || server_->shutting_down.load()) return do_close();
    expires_after(std::chrono::seconds(limits().idle_timeout_s));
    stream_.socket().async_read_some(
        asio::buffer(probe_),
        [self = shared_from_this()](error_code, std::size_t) { self->do_close(); });
  }

  // The status line and headers, then the body chunk by chunk for as long as the handler
  // writes to the sink (Transfer-Encoding: chunked; the connection closes when it ends).
  void start_stream(api::Response response, std::string_view method, std::string_view path) {
    streaming_ = true;
    if (request_id_.empty()) make_request_id(request_id_);
    std::string head;
    append_head(head, response, request_id_,
                {{"Transfer-Encoding", "chunked"}, {"Connection", "close"}});
    access_log(FMT_COMPILE("{} {} {} stream {}"), method, path, response.status, request_id_);
    request_id_.clear();

    sink_ = std::make_shared<SessionSink>(weak_from_this());
    sink_->queued_.fetch_add(head.size());
    out_.push_back(std::move(head));
    do_stream_write();
    // Nothing more is read from the client: a read that completes means it went away.
    stream_.socket().async_read_some(
        asio::buffer(probe_), [self = shared_from_this()](error_code, std::size_t) {
          self->sink_->open_.store(false);
          self->streaming_ = false;
          self->do_close();
        });
    if (!response.body.empty()) sink_->write(std::move(response.body));
    auto on_stream = std::move(response.on_stream);
    try {
      on_stream(sink_);
    } catch (const std::exception& e) {
      spdlog::error("stream handler failed: {}", e.what());
      end_stream();
    }
  }

  void do_stream_write() {
    if (writing_) return;
    if (out_.empty()) {
      if (stream_ending_) do_close();
      return;
    }
    writing_ = true;
    current_ = std::move(out_.front());
    out_.pop_front();
    // A client that stops reading altogether is dropped after the read timeout.
    expires_after(std::chrono::seconds(limits().read_timeout_s));
    asio::async_write(stream_, asio::buffer(current_),
                      beast::bind_front_handler(&Session::on_stream_write, shared_from_this()));
  }

  void on_stream_write(error_code ec, std::size_t) {
    writing_ = false;
    sink_->queued_.fetch_sub(std::min(sink_->queued_.load(), current_.size()));
    current_.clear();
    if (ec) {
      sink_->open_.store(false);
      streaming_ = false;
      return do_close();
    }
    expires_never();
    do_stream_write();
  }

  void on_write(bool close, error_code ec, std::size_t) {
    body_.clear();
    if (body_.capacity() > kKeptBodyBytes) body_.shrink_to_fit();
    busy_ = false;
    if (!ec && linger_) return linger_close();
    if (ec || close) return do_close();
    do_read();
  }

  // After an error answer to a request that was not read to its end: the client may still be
  // sending it, and a socket closed with unread data is reset by the kernel, which can destroy
  // the answer before the client has read it (an oversized upload saw "fetch failed", not its
  // 413). So the send side is shut and what still comes is read and dropped, up to
  // kLingerBytes and for 2 s at most, before the close.
  void linger_close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    expires_after(std::chrono::seconds(2));
    discard_ = std::make_unique<char[]>(kDiscardBytes);
    linger_read();
  }
  void linger_read() {
    stream_.async_read_some(
        asio::buffer(discard_.get(), kDiscardBytes),
        [self = shared_from_this()](error_code ec, std::size_t n) {
          self->lingered_ += n;
          if (ec || self->lingered_ > kLingerBytes) {
            self->expires_never();
            return self->do_close();
          }
          self->linger_read();
        });
  }

  void do_close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  std::string remote() const {
    error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    return ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  static constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();
  static constexpr size_t kDiscardBytes = 16384;
  static constexpr size_t kLingerBytes = 8 << 20;
  bool linger_ = false;                 // close by linger_close() after the answer
  size_t lingered_ = 0;                 // bytes read and dropped since
  std::unique_ptr<char[]> discard_;     // where they go
  std::atomic<int64_t> deadline_{kNoDeadline};  // steady_clock ticks; see time_out()
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<api::BodySource> source_;  // the body being made, piece by piece
  bool source_ending_ = false;                // its last chunk is being written
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_;  // of the response being written
  std::string body_;
  std::shared_ptr<HttpServer::Impl> server_;
  uint64_t id_;
  std::string request_id_;
  std::string method_, path_;  // of the request being handled (on_read), for its answer
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool keep_alive_ = true;
  bool busy_ = false;
  bool draining_ = false;
  // A streamed response (strand only, but for the sink's atomics).
  bool streaming_ = false;
  bool stream_ending_ = false;
  bool writing_ = false;
  std::shared_ptr<SessionSink> sink_;
  std::deque<std::string> out_;
  std::string current_;
  std::array<char, 256> probe_{};

  friend class SessionSink;
};

bool SessionSink::write(std::string bytes) {
  if (!open_.load()) return false;
  if (bytes.empty()) return true;  // an empty chunk would end the body
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  std::string framed = size + bytes + "\r\n";
  const size_t n = framed.size();
  if (queued_.fetch_add(n) + n > kMaxQueuedBytes) {
    spdlog::warn("stream client fell {} bytes behind: dropping it", queued_.load());
    open_.store(false);
    if (auto s = session_.lock()) {
      asio::post(s->stream_.get_executor(), [s] {
        s->streaming_ = false;
        s->do_close();
      });
    }
    return false;
  }
  auto s = session_.lock();
  if (!s) {
    open_.store(false);
    return false;
  }
  asio::post(s->stream_.get_executor(),
             [s, framed = std::move(framed)]() mutable { s->enqueue_chunk(std::move(framed)); });
  return true;
}

void SessionSink::close() {
  if (!open_.exchange(false)) return;
  if (auto s = session_.lock()) {
    asio::post(s->stream_.get_executor(), [s] { s->end_stream(); });
  }
}

void HttpServer::Impl::do_accept() {
  // A session's handlers must not run at once on two threads: a strand orders them. With one
  // I/O thread (the default on up to 3 cores) the io_context alone runs one handler at a time,
  // in the order posted, and a strand would only add its lock and queue to every completion
  // (~3% of a fetch's CPU, fifteenth session).
  asio::any_io_executor executor = config.threads == 1 ? asio::any_io_executor(io.get_executor())
                                                       : asio::make_strand(io);
  acceptor.async_accept(executor,
                        beast::bind_front_handler(&Impl::on_accept, shared_from_this()));
}

void HttpServer::Impl::on_accept(error_code ec, tcp::socket socket) {
  if (shutting_down.load() || ec == asio::error::operation_aborted) return;
  if (ec) {
    spdlog::warn("accept failed: {}", ec.message());
    // Out of file descriptors (EMFILE) fails every accept at once: pause instead of spinning.
    auto pause = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(100));
    pause->async_wait([self = shared_from_this(), pause](error_code) { self->do_accept(); });
    return;
  } else if (connections.load() >= static_cast<size_t>(config.limits.max_connections)) {
    // Over the cap: refuse by closing at once rather than queueing unbounded work.
    error_code ignored;
    socket.close(ignored);
    spdlog::warn("connection refused: max_connections ({}) reached",
                 config.limits.max_connections);
  } else {
    auto id = next_session_id.fetch_add(1);
    auto session = std::make_shared<Session>(std::move(socket), shared_from_this(), id);
    {
      std::lock_guard lock(mu);
      sessions[id] = {session, session.get()};
      start_sweep_locked();
    }
    session->run();
  }
  do_accept();
}

void HttpServer::Impl::start_sweep_locked() {
  if (sweeping) return;
  sweeping = true;
  sweep_timer.expires_after(kSweepEvery);
  sweep_timer.async_wait([self = shared_from_this()](error_code) { self->sweep(); });
}

void HttpServer::Impl::sweep() {
  std::vector<std::shared_ptr<Session>> due;
  {
    std::lock_guard lock(mu);
    const int64_t now = Session::now_ticks();
    for (auto& [id, ref] : sessions) {
      // Moved out, never released here: the last reference would run ~Session, which takes mu.
      if (ref.raw->expired(now)) {
        if (auto s = ref.weak.lock()) due.push_back(std::move(s));
      }
    }
    sweeping = false;
    if (!sessions.empty()) start_sweep_locked();
  }
  for (auto& s : due) s->time_out();
}

HttpServer::HttpServer(asio::io_context& io, const config::Config& config, Handler handler)
    : impl_(std::make_shared<Impl>(io, config, std::move(handler))) {}

HttpServer::~HttpServer() = default;

std::string HttpServer::start() {
  auto& c = impl_->config;
  error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(c.host, ec);
  if (ec) {
    tcp::resolver resolver(impl_->io);
    auto results = resolver.resolve(c.host, std::to_string(c.port), ec);
    if (ec || results.empty()) return "cannot resolve host '" + c.host + "'";
    endpoint = *results.begin();
  } else {
    endpoint = tcp::endpoint(address, static_cast<uint16_t>(c.port));
  }
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return "cannot listen on " + c.host + ":" + std::to_string(c.port) + ": " + ec.message();
  }
  impl_->do_accept();
  return "";
}

uint16_t HttpServer::port() const {
  error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::string HttpServer::url() const {
  error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  if (ec) return "";
  auto host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]"
                                   : ep.address().to_string();
  return "http://" + host + ":" + std::to_string(ep.port());
}

void HttpServer::shutdown() {
  impl_->shutting_down.store(true);
  asio::dispatch(impl_->acceptor.get_executor(), [impl = impl_] {
    error_code ec;
    impl->acceptor.close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [id, ref] : impl_->sessions) {
      if (auto s = ref.weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->drain();
}

size_t HttpServer::active_connections() const { return impl_->connections.load(); }
size_t HttpServer::active_requests() const { return impl_->requests.load(); }

}  // namespace dialtone::server
