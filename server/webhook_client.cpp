#include "server/webhook_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>

#include "server/signature.hpp"
#include "server/webhook_url.hpp"

namespace dialtone::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kUserAgent = "TwilioProxy/1.1";

// A pooled connection. All of them live on the client's strand.
struct Conn {
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
};

// What one attempt ended with; decides retries and the error code.
enum class Failure { kNone, kDns, kConnect, kRead, kTooLarge };

struct Attempt {
  Failure failure = Failure::kNone;
  std::string message;
  bool stale = false;  // a pooled connection the server had already closed
  http::response<http::string_body> response;
};

milliseconds remaining(Clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string random_hex(size_t n) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  while (out.size() < n) {
    uint64_t v = rng();
    for (int i = 0; i < 16 && out.size() < n; ++i, v >>= 4) out += kHex[v & 0xf];
  }
  return out;
}

}  // namespace

struct WebhookClient::Impl : std::enable_shared_from_this<WebhookClient::Impl> {
  struct Job {
    core::WebhookRequest request;
    Done done;
  };

  Impl(asio::io_context& io_context, const config::WebhookConfig& cfg)
      : io(io_context), strand(asio::make_strand(io_context)), config(cfg),
        tls_context(ssl::context::tls_client) {
    defaults.connect_timeout = milliseconds(cfg.connect_timeout_ms);
    defaults.read_timeout = milliseconds(cfg.read_timeout_ms);
    defaults.total_timeout = milliseconds(cfg.total_timeout_ms);
    defaults.retries = cfg.connect_retries;
    defaults.retry_on = kRetryConnect;
    boost::system::error_code ec;
    if (cfg.ca_file.empty()) {
      tls_context.set_default_verify_paths(ec);
    } else {
      tls_context.load_verify_file(cfg.ca_file, ec);
    }
    tls_context.set_verify_mode(cfg.insecure_tls ? ssl::verify_none : ssl::verify_peer);
  }

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  config::WebhookConfig config;
  WebhookTiming defaults;
  ssl::context tls_context;

  // Strand-only state.
  std::unordered_map<std::string, std::deque<Job>> queues;  // call sid -> waiting jobs
  std::map<std::string, std::vector<std::unique_ptr<Conn>>> idle;  // "https://host:port"

  std::atomic<size_t> in_flight{0};
  std::atomic<size_t> opened{0}, reused{0}, sent{0};

  // --- queueing (strand) ---

  void enqueue(Job job) {
    if (job.request.call_sid.empty()) {
      start(std::move(job));
      return;
    }
    auto [it, created] = queues.try_emplace(job.request.call_sid);
    if (created) {
      start(std::move(job));  // the (empty) entry marks the call busy
    } else {
      it->second.push_back(std::move(job));
    }
  }

  void start(Job job) {
    asio::co_spawn(strand, run(std::move(job)), asio::detached);
  }

  // `done` runs off the strand so that a slow consumer never stalls other calls' I/O; the
  // call's next request starts only after it returned (strict per-call order).
  void complete(Job job, core::WebhookResult result) {
    asio::post(io, [self = shared_from_this(), job = std::move(job),
                    result = std::move(result)]() mutable {
      try {
        if (job.done) job.done(std::move(result));
      } catch (...) {
        // A throwing consumer must not wedge the call's queue.
      }
      asio::post(self->strand, [self, call_sid = job.request.call_sid] {
        self->in_flight.fetch_sub(1);
        self->next(call_sid);
      });
    });
  }

  void next(const std::string& call_sid) {
    if (call_sid.empty()) return;
    auto it = queues.find(call_sid);
    if (it == queues.end()) return;
    if (it->second.empty()) {
      queues.erase(it);
      return;
    }
    Job job = std::move(it->second.front());
    it->second.pop_front();
    start(std::move(job));
  }

  // --- one webhook, retries included (strand) ---

  asio::awaitable<void> run(Job job) {
    auto self = shared_from_this();
    const auto started = Clock::now();
    core::WebhookResult result = co_await execute(job.request);
    result.id = job.request.id;
    result.latency = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    complete(std::move(job), std::move(result));
  }

  asio::awaitable<core::WebhookResult> execute(const core::WebhookRequest& request) {
    core::WebhookResult result;
    std::string error;
    auto target = parse_webhook_url(request.target.url, defaults, error);
    if (!target) {
      result.error_code = 11100;
      result.error_message = error;
      co_return result;
    }
    const bool is_get = request.target.method == core::HttpMethod::kGet;
    Params params(request.params.begin(), request.params.end());

    http::request<http::string_body> req;
    req.version(11);
    req.method(is_get ? http::verb::get : http::verb::post);
    std::string signed_url = target->url;
    req.target(target->target);
    if (is_get && !params.empty()) {
      signed_url = append_query(target->url, params);
      req.target(target->target + (target->target.find('?') == std::string::npos ? "?" : "&") +
                 form_encode(params));
    }
    result.signature = twilio_signature(request.auth_token, signed_url,
                                        is_get ? Params{} : params);
    req.set(http::field::host, target->host_header);
    req.set(http::field::user_agent, kUserAgent);
    req.set("X-Twilio-Signature", result.signature);
    // One token per webhook; retries repeat it so the app can recognise them.
    req.set("I-Twilio-Idempotency-Token", random_hex(8) + "-" + random_hex(4) + "-" +
                                              random_hex(4) + "-" + random_hex(4) + "-" +
                                              random_hex(12));
    req.set(http::field::accept, "*/*");
    req.set(http::field::cache_control, "max-age=259200");
    if (!target->userinfo.empty()) {
      req.set(http::field::authorization, "Basic " + base64_encode(target->userinfo));
    }
    if (!is_get) {
      req.set(http::field::content_type, "application/x-www-form-urlencoded; charset=utf-8");
      req.body() = form_encode(params);
    }
    req.prepare_payload();

    const auto deadline = Clock::now() + target->timing.total_timeout;
    int retries_left = target->timing.retries;
    for (;;) {
      Attempt a = co_await attempt(*target, req, deadline);
      uint8_t cls = 0;
      switch (a.failure) {
        case Failure::kConnect: cls = kRetryConnect; break;
        case Failure::kRead: cls = kRetryRead; break;
        case Failure::kNone: {
          unsigned status = a.response.result_int();
          cls = status >= 500 ? kRetry5xx : (status >= 400 ? kRetry4xx : 0);
          break;
        }
        default: break;
      }
      if (cls != 0 && retries_left > 0 && (target->timing.retry_on & cls) != 0 &&
          remaining(deadline).count() > 0) {
        --retries_left;
        continue;
      }
      switch (a.failure) {
        case Failure::kNone:
          result.http_status = static_cast<int>(a.response.result_int());
          result.content_type = std::string(a.response[http::field::content_type]);
          result.body = std::move(a.response.body());
          break;
        case Failure::kDns:
          result.error_code = 11210;
          break;
        case Failure::kTooLarge:
          result.error_code = 11750;
          break;
        case Failure::kConnect:
        case Failure::kRead:
          result.error_code = 11205;
          break;
      }
      result.error_message = a.message;
      co_return result;
    }
  }

  static std::string pool_key(const WebhookTarget& t) {
    return (t.https ? "https://" : "http://") + t.host + ":" + std::to_string(t.port);
  }

  std::unique_ptr<Conn> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end() || it->second.empty()) return nullptr;
    auto conn = std::move(it->second.back());
    it->second.pop_back();
    return conn;
  }

  void give_back(const std::string& key, std::unique_ptr<Conn> conn) {
    auto& list = idle[key];
    if (list.size() >= static_cast<size_t>(config.max_idle_per_host)) return;
    list.push_back(std::move(conn));
  }

  // One try: a pooled connection if there is one (falling back to a fresh one when the pooled
  // one turns out to be closed), else a new connection.
  asio::awaitable<Attempt> attempt(const WebhookTarget& t,
                                   const http::request<http::string_body>& req,
                                   Clock::time_point deadline) {
    const std::string key = pool_key(t);
    if (auto conn = take_idle(key)) {
      reused.fetch_add(1);
      bool got_bytes = false;
      Attempt a = co_await exchange(*conn, t, req, deadline, got_bytes);
      if (!a.stale) {
        if (a.failure == Failure::kNone && a.response.keep_alive()) {
          give_back(key, std::move(conn));
        }
        co_return a;
      }
      // The server closed the idle connection before we wrote: not the app's fault, no retry
      // counted; open a fresh one.
    }
    Attempt a;
    auto conn = co_await connect(t, deadline, a);
    if (!conn) co_return a;
    bool got_bytes = false;
    a = co_await exchange(*conn, t, req, deadline, got_bytes);
    if (a.failure == Failure::kNone && a.response.keep_alive()) give_back(key, std::move(conn));
    co_return a;
  }

  asio::awaitable<std::unique_ptr<Conn>> connect(const WebhookTarget& t,
                                                 Clock::time_point deadline, Attempt& out) {
    tcp::resolver resolver(strand);
    auto [rec, endpoints] =
        co_await resolver.async_resolve(t.host, std::to_string(t.port), kUseTuple);
    if (rec) {
      out.failure = Failure::kDns;
      out.message = "cannot resolve host '" + t.host + "': " + rec.message();
      co_return nullptr;
    }
    auto conn = std::make_unique<Conn>();
    if (t.https) {
      conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand, tls_context);
    } else {
      conn->tcp = std::make_unique<beast::tcp_stream>(strand);
    }
    auto budget = std::min(t.timing.connect_timeout, remaining(deadline));
    if (budget.count() <= 0) {
      out.failure = Failure::kConnect;
      out.message = "total timeout expired before connecting";
      co_return nullptr;
    }
    conn->lowest().expires_after(budget);
    auto [cec, ep] = co_await conn->lowest().async_connect(endpoints, kUseTuple);
    if (cec) {
      out.failure = Failure::kConnect;
      out.message = cec == beast::error::timeout
                        ? "connect to " + t.host_header + " timed out after " +
                              std::to_string(budget.count()) + " ms"
                        : "connect to " + t.host_header + " failed: " + cec.message();
      co_return nullptr;
    }
    opened.fetch_add(1);
    if (t.https) {
      if (t.timing.sni && !is_ip_literal(t.host)) {
        SSL_set_tlsext_host_name(conn->tls->native_handle(), t.host.c_str());
      }
      if (!config.insecure_tls) conn->tls->set_verify_callback(ssl::host_name_verification(t.host));
      auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, kUseTuple);
      if (hec) {
        out.failure = Failure::kConnect;
        out.message = "TLS handshake with " + t.host_header + " failed: " + hec.message();
        co_return nullptr;
      }
    }
    co_return conn;
  }

  asio::awaitable<Attempt> exchange(Conn& conn, const WebhookTarget& t,
                                    const http::request<http::string_body>& req,
                                    Clock::time_point deadline, bool& got_bytes) {
    sent.fetch_add(1);
    if (conn.tls) co_return co_await exchange_on(*conn.tls, conn, t, req, deadline, got_bytes);
    co_return co_await exchange_on(*conn.tcp, conn, t, req, deadline, got_bytes);
  }

  template <class Stream>
  asio::awaitable<Attempt> exchange_on(Stream& stream, Conn& conn, const WebhookTarget& t,
                                       const http::request<http::string_body>& req,
                                       Clock::time_point deadline, bool& got_bytes) {
    Attempt a;
    auto expire = [&](milliseconds limit) {
      auto budget = std::min(limit, remaining(deadline));
      conn.lowest().expires_after(std::max(budget, milliseconds(1)));
      return budget.count() > 0;
    };
    if (!expire(t.timing.read_timeout)) {
      a.failure = Failure::kRead;
      a.message = "total timeout expired";
      co_return a;
    }
    auto [wec, written] = co_await http::async_write(stream, req, kUseTuple);
    (void)written;
    if (wec) {
      a.failure = Failure::kRead;
      a.message = "sending to " + t.host_header + " failed: " + wec.message();
      a.stale = true;
      co_return a;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(static_cast<uint64_t>(config.max_response_bytes));
    parser.header_limit(64 * 1024);
    conn.buffer.clear();
    // The read timeout covers the first byte and each gap between packets, as Twilio's does.
    while (!parser.is_done()) {
      if (!expire(t.timing.read_timeout)) {
        a.failure = Failure::kRead;
        a.message = "total timeout of " + std::to_string(t.timing.total_timeout.count()) +
                    " ms expired waiting for " + t.host_header;
        co_return a;
      }
      auto [rec, n] = co_await http::async_read_some(stream, conn.buffer, parser, kUseTuple);
      if (n > 0 || parser.got_some()) got_bytes = true;
      if (rec == http::error::body_limit) {
        a.failure = Failure::kTooLarge;
        a.message = "response from " + t.host_header + " is larger than " +
                    std::to_string(config.max_response_bytes) + " bytes";
        co_return a;
      }
      if (rec) {
        a.failure = Failure::kRead;
        a.stale = !got_bytes && rec != beast::error::timeout;
        a.message = rec == beast::error::timeout
                        ? "no response from " + t.host_header + " within " +
                              std::to_string(t.timing.read_timeout.count()) + " ms"
                        : "reading from " + t.host_header + " failed: " + rec.message();
        co_return a;
      }
    }
    conn.lowest().expires_never();
    a.response = parser.release();
    co_return a;
  }
};

WebhookClient::WebhookClient(asio::io_context& io, const config::WebhookConfig& config)
    : impl_(std::make_shared<Impl>(io, config)) {}

WebhookClient::~WebhookClient() = default;

void WebhookClient::send(core::WebhookRequest request, Done done) {
  impl_->in_flight.fetch_add(1);
  asio::post(impl_->strand, [impl = impl_, job = Impl::Job{std::move(request), std::move(done)}]()
                                mutable { impl->enqueue(std::move(job)); });
}

size_t WebhookClient::in_flight() const { return impl_->in_flight.load(); }

WebhookClientStats WebhookClient::stats() const {
  return {impl_->opened.load(), impl_->reused.load(), impl_->sent.load()};
}

void WebhookClient::close_idle() {
  asio::post(impl_->strand, [impl = impl_] { impl->idle.clear(); });
}

}  // namespace dialtone::server
