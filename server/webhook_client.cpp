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
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <iterator>
#include <optional>
#include <mutex>
#include <random>
#include <unordered_map>

#include "core/url.hpp"
#include "server/signature.hpp"
#include "server/tls_peer.hpp"
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
constexpr int kMaxRedirects = 5;

// A pooled connection. All of them live on the client's strand.
struct Conn {
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
};

// What one attempt ended with; decides retries and the error code.
enum class Failure {
  kNone,
  kDns,         // the name does not resolve: 11210, not retried
  kDnsTimeout,  // no answer within the connect timeout: 11210, retried like a connect failure
  kConnect,     // refused, unreachable, or not connected (TLS included) in time: 11205
  kTls,         // TLS handshake or certificate failure: Attempt::code, not retried
  kRead,        // connected, but no complete response in time, or reset: 11205
  kTooLarge,    // 11750
};

struct Attempt {
  Failure failure = Failure::kNone;
  int code = 0;  // kTls: 11220, 11235, 11236 or 11237
  std::string message;
  bool stale = false;  // a pooled connection the server had already closed
  http::response<http::string_body> response;
};

milliseconds remaining(Clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
}

std::string not_allowed(const std::string& host) {
  return "host '" + host + "' is not allowed (webhook.allowed_hosts)";
}

// Random hex in the shape of a UUID (8-4-4-4-12), in one string.
std::string idempotency_token() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  uint64_t v = rng();
  int left = 16;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    if (left == 0) {
      v = rng();
      left = 16;
    }
    out[i] = kHex[v & 0xf];
    v >>= 4;
    --left;
  }
  return out;
}

// Twilio's codes for certificate validation failures (Twilio blog "Security Update On SSL
// Certificate Validation", 2015): 11235 domain mismatch, 11236 expired, 11237 no path to a
// trusted certificate. A handshake that fails for any other reason (no TLS at all on the port,
// no common protocol or cipher) is 11220 "SSL/TLS Handshake Error".
int tls_verify_code(long verify_result) {
  switch (verify_result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_EMAIL_MISMATCH:
      return 11235;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return 11236;
    default:
      return 11237;
  }
}

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

// A name resolution raced against the connect timeout. getaddrinfo() cannot be interrupted:
// cancel() only takes effect once it returns, so the attempt stops waiting when `wake`
// fires and the resolver finishes on its own, keeping this state alive until then.
struct ResolveRace {
  template <class Executor>
  explicit ResolveRace(const Executor& ex) : resolver(ex), wake(ex), delay(ex) {}
  tcp::resolver resolver;
  asio::steady_timer wake;   // the deadline; cancelled when the answer comes first
  asio::steady_timer delay;  // tests only: a slow DNS server
  bool done = false;
  boost::system::error_code ec;
  tcp::resolver::results_type results;
};

}  // namespace

struct WebhookClient::Impl : std::enable_shared_from_this<WebhookClient::Impl> {
  struct Job {
    core::WebhookRequest request;
    Done done;
  };

  std::function<void(core::WebhookRequest&)> request_hook;  // set before the first send

  // A request waiting for a connection to its host (see the header). Granted with a kept-alive
  // connection handed over by the request that finished with it, or with a bare slot to open
  // one in; `wake` is cancelled to resume it.
  struct Waiter {
    explicit Waiter(const asio::strand<asio::io_context::executor_type>& s) : wake(s) {}
    asio::steady_timer wake;
    bool granted = false;
    std::unique_ptr<Conn> conn;
  };

  // Per pool key. `slots` counts the connections charged against max_connections_per_host:
  // those idle here, in use, or being opened. Waiters only queue while no connection is idle.
  struct Host {
    size_t slots = 0;
    std::vector<std::unique_ptr<Conn>> idle;
    std::deque<std::shared_ptr<Waiter>> waiters;
  };

  // What one webhook holds while it runs: a slot of one host (key empty: none) and the
  // connection to use next on it. Retries keep it; a redirect to another host gives it back
  // before taking one of that host, so two hosts' requests can never wait on each other.
  struct Lease {
    std::string key;
    std::unique_ptr<Conn> conn;
    Clock::duration waited{};  // for a slot, over the whole webhook
  };

  Impl(asio::io_context& io_context, const config::WebhookConfig& cfg)
      : io(io_context), strand(asio::make_strand(io_context)), config(cfg),
        max_per_host(static_cast<size_t>(std::max(cfg.max_connections_per_host, 1))),
        tls_context(ssl::context::tls_client) {
    defaults.connect_timeout = milliseconds(cfg.connect_timeout_ms);
    defaults.read_timeout = milliseconds(cfg.read_timeout_ms);
    defaults.total_timeout = milliseconds(cfg.total_timeout_ms);
    defaults.retries = cfg.connect_retries;
    defaults.retry_on = kRetryConnect;
    // A configured CA file is loaded now, so that a bad one stops start-up. The system store
    // is not: reading the whole bundle costs ~235M instructions, more than the rest of
    // start-up, for the HTTPS webhooks most runs never make (see ensure_system_cas).
    cas_loaded = !cfg.ca_file.empty() || cfg.insecure_tls;
    if (!cfg.ca_file.empty()) {
      boost::system::error_code ec;
      tls_context.load_verify_file(cfg.ca_file, ec);
      if (ec) tls_error = "cannot load webhook.ca_file '" + cfg.ca_file + "': " + ec.message();
    }
    tls_context.set_verify_mode(cfg.insecure_tls ? ssl::verify_none : ssl::verify_peer);
  }

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  config::WebhookConfig config;
  const size_t max_per_host;
  WebhookTiming defaults;
  ssl::context tls_context;
  std::string tls_error;

  // Strand-only state.
  bool cas_loaded = false;  // the system CA store, or no need for it
  std::unordered_map<std::string, std::deque<Job>> queues;  // call sid -> waiting jobs
  std::unordered_map<std::string, Host> hosts;  // pool key ("https://host:port") -> its slots

  std::atomic<size_t> in_flight{0};
  std::atomic<size_t> opened{0}, reused{0}, sent{0};
  std::atomic<int64_t> resolve_delay_ms{0};  // tests only

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
    Lease lease;
    core::WebhookResult result = co_await execute(job.request, lease);
    release(lease);
    result.id = job.request.id;
    // The request's own time: waiting for a connection is dialtone's queue, not the app.
    result.latency =
        std::chrono::duration_cast<milliseconds>(Clock::now() - started - lease.waited);
    complete(std::move(job), std::move(result));
  }

  // The request for one hop, as it goes on the wire: one string, written with one
  // async_write (Beast's fields and serializer cost an allocation per header and more time
  // than the bytes, for every webhook). Headers in the order Beast wrote them; POST always has
  // a Content-Length, a GET has none (what prepare_payload did). `with_params`: a POST carries
  // them as its form body, a GET appends them to the query; false after a redirect turned the
  // request into a plain GET of the Location. `signature` is set to what was sent.
  static std::string build(const WebhookTarget& t, bool is_get, const core::EventFields& params,
                           bool with_params, const std::string& auth_token,
                           const std::string& token, std::string& signature) {
    std::string target = t.target;
    std::string signed_url = t.url;
    if (is_get && with_params && !params.empty()) {
      signed_url = append_query(t.url, params);
      target += t.target.find('?') == std::string::npos ? '?' : '&';
      target += core::form_encode(params);
    }
    // X-Twilio-Signature is over the URL actually requested: a redirect is re-signed.
    static const core::EventFields kNone;
    signature = twilio_signature(auth_token, signed_url, is_get || !with_params ? kNone : params);
    std::string body;
    if (!is_get && with_params) body = core::form_encode(params);
    std::string out;
    out.reserve(320 + target.size() + t.host_header.size() + body.size());
    out += is_get ? "GET " : "POST ";
    out += target;
    out += " HTTP/1.1\r\nHost: ";
    out += t.host_header;
    out += "\r\nUser-Agent: ";
    out += kUserAgent;
    out += "\r\nX-Twilio-Signature: ";
    out += signature;
    out += "\r\nI-Twilio-Idempotency-Token: ";
    out += token;
    out += "\r\nAccept: */*\r\nCache-Control: max-age=259200\r\n";
    if (!t.userinfo.empty()) {
      out += "Authorization: Basic ";
      out += base64_encode(t.userinfo);
      out += "\r\n";
    }
    if (!is_get) {
      out += "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
             "Content-Length: ";
      out += std::to_string(body.size());
      out += "\r\n";
    }
    out += "\r\n";
    out += body;
    return out;
  }

  // Where a 3xx sends us: Location resolved against the URL requested, without its fragment
  // (connection overrides come from the configured URL only and hold for every hop).
  std::optional<WebhookTarget> redirect_target(const WebhookTarget& from,
                                                      std::string_view location,
                                                      std::string& error) {
    auto ref = boost::urls::parse_uri_reference(location);
    if (!ref) {
      error = "invalid Location '" + std::string(location) + "' in redirect from " + from.url;
      return std::nullopt;
    }
    boost::urls::url resolved(from.url);
    if (auto r = resolved.resolve(*ref); !r) {
      error = "cannot resolve Location '" + std::string(location) + "' against " + from.url;
      return std::nullopt;
    }
    resolved.remove_fragment();
    auto next = parse_webhook_url(resolved.buffer(), from.timing, error);
    if (!next) {
      error = "redirect from " + from.url + " to an unusable URL: " + error;
      return std::nullopt;
    }
    next->timing = from.timing;
    if (!host_allowed(config.allowed_hosts, next->host)) {
      error = "redirect from " + from.url + ": " + not_allowed(next->host);
      return std::nullopt;
    }
    // Credentials go along to the same origin only (as curl does).
    if (next->userinfo.empty() && next->https == from.https && next->host == from.host &&
        next->port == from.port) {
      next->userinfo = from.userinfo;
    }
    return next;
  }

  asio::awaitable<core::WebhookResult> execute(const core::WebhookRequest& request,
                                               Lease& lease) {
    core::WebhookResult result;
    std::string error;
    auto target = parse_webhook_url(request.target.url, defaults, error);
    if (!target) {
      result.error_code = 11100;
      result.error_message = error;
      co_return result;
    }
    // Staging: webhooks reach only the allowed hosts; nothing is resolved or connected.
    if (!host_allowed(config.allowed_hosts, target->host)) {
      result.error_code = 11205;
      result.error_message = not_allowed(target->host);
      co_return result;
    }
    std::vector<std::string> notes = std::move(target->warnings);
    bool is_get = request.target.method == core::HttpMethod::kGet;
    bool with_params = true;
    const core::EventFields& params = request.params;
    // One token per webhook; retries and redirects repeat it so the app can recognise them.
    const std::string token = idempotency_token();
    // Moved on by any wait for a connection (see the header).
    auto deadline = Clock::now() + target->timing.total_timeout;
    int retries_left = target->timing.retries;
    int redirects = 0;
    auto finish = [&](std::string message) {
      if (!message.empty()) notes.insert(notes.begin(), std::move(message));
      result.error_message = join(notes);
    };

    for (;;) {
      auto req = build(*target, is_get, params, with_params, request.auth_token, token,
                       result.signature);
      Attempt a = co_await attempt(*target, req, deadline, lease);
      uint8_t cls = 0;
      switch (a.failure) {
        case Failure::kConnect:
        case Failure::kDnsTimeout: cls = kRetryConnect; break;
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
      if (a.failure == Failure::kNone && is_redirect(a.response.result_int()) &&
          !a.response[http::field::location].empty()) {
        const unsigned status = a.response.result_int();
        if (redirects == kMaxRedirects) {
          // Twilio reports unusable answers as 11200 "HTTP retrieval failure".
          result.error_code = 11200;
          result.http_status = static_cast<int>(status);
          finish("too many redirects (more than " + std::to_string(kMaxRedirects) +
                 "), the last from " + target->url);
          co_return result;
        }
        auto next = redirect_target(*target, a.response[http::field::location], error);
        if (!next) {
          result.error_code = 11200;
          result.http_status = static_cast<int>(status);
          finish(error);
          co_return result;
        }
        ++redirects;
        // 307/308 repeat the request as it was; 301/302/303 become a GET of the Location
        // without the parameters, as browsers and most HTTP clients do.
        if (status != 307 && status != 308) {
          is_get = true;
          with_params = false;
        } else if (is_get) {
          with_params = false;  // the Location is requested as the app wrote it
        }
        notes.push_back("redirected (HTTP " + std::to_string(status) + ") to " + next->url);
        target = std::move(next);
        continue;
      }
      switch (a.failure) {
        case Failure::kNone:
          result.http_status = static_cast<int>(a.response.result_int());
          result.content_type = std::string(a.response[http::field::content_type]);
          result.body = std::move(a.response.body());
          break;
        case Failure::kDns:
        case Failure::kDnsTimeout:
          result.error_code = 11210;
          break;
        case Failure::kTooLarge:
          result.error_code = 11750;
          break;
        case Failure::kTls:
          result.error_code = a.code;
          break;
        case Failure::kConnect:
        case Failure::kRead:
          result.error_code = 11205;
          break;
      }
      finish(a.message);
      co_return result;
    }
  }

  // A TLS connection made without SNI (#sni=n) is not the one made with it.
  static std::string pool_key(const WebhookTarget& t) {
    return (t.https ? "https://" : "http://") + t.host + ":" + std::to_string(t.port) +
           (t.https && !t.timing.sni ? " nosni" : "");
  }

  // Takes a connection slot of `key` into `lease`: an idle connection, else a new slot while
  // the host is under its cap, else a place in its FIFO until a finishing request hands one
  // over. The wait moves `deadline` on by its length: Twilio's timeouts are the request's.
  asio::awaitable<void> acquire(const std::string& key, Lease& lease,
                                Clock::time_point& deadline) {
    lease.key = key;
    auto& host = hosts[key];
    if (!host.idle.empty()) {
      lease.conn = std::move(host.idle.back());
      host.idle.pop_back();
      co_return;
    }
    if (host.slots < max_per_host) {
      ++host.slots;
      co_return;
    }
    auto waiter = std::make_shared<Waiter>(strand);
    waiter->wake.expires_at(asio::steady_timer::time_point::max());
    host.waiters.push_back(waiter);
    const auto since = Clock::now();
    while (!waiter->granted) co_await waiter->wake.async_wait(kUseTuple);
    const auto waited = Clock::now() - since;
    deadline += waited;
    lease.waited += waited;
    lease.conn = std::move(waiter->conn);
  }

  // Gives the lease's slot back: to the first waiter of its host (with the connection, if it
  // is still usable), else the connection to the idle pool, else the slot is freed.
  void release(Lease& lease) {
    if (lease.key.empty()) return;
    auto it = hosts.find(lease.key);
    lease.key.clear();
    Host& host = it->second;
    if (!host.waiters.empty()) {
      auto waiter = std::move(host.waiters.front());
      host.waiters.pop_front();
      waiter->conn = std::move(lease.conn);
      waiter->granted = true;
      waiter->wake.cancel();
      return;
    }
    if (lease.conn && host.idle.size() < static_cast<size_t>(config.max_idle_per_host)) {
      host.idle.push_back(std::move(lease.conn));
      return;
    }
    lease.conn.reset();
    if (--host.slots == 0) hosts.erase(it);
  }

  // One try, on the lease's connection if it has one (falling back to a fresh one when that
  // turns out to be closed), else on a new connection. A connection fit for another request
  // stays in the lease; one that is not is dropped, its slot kept.
  asio::awaitable<Attempt> attempt(const WebhookTarget& t,
                                   const std::string& req,
                                   Clock::time_point& deadline, Lease& lease) {
    std::string key = pool_key(t);
    if (lease.key != key) {
      release(lease);
      co_await acquire(key, lease, deadline);
    }
    if (auto conn = std::move(lease.conn)) {
      reused.fetch_add(1);
      bool got_bytes = false;
      Attempt a = co_await exchange(*conn, t, req, deadline, got_bytes);
      if (!a.stale) {
        if (a.failure == Failure::kNone && a.response.keep_alive()) lease.conn = std::move(conn);
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
    if (a.failure == Failure::kNone && a.response.keep_alive()) lease.conn = std::move(conn);
    co_return a;
  }

  // The system CA store, loaded on the first HTTPS connection (on the strand, once). A store
  // that cannot be read leaves verification to fail with 11237, as it did when loaded early.
  void ensure_system_cas() {
    if (cas_loaded) return;
    cas_loaded = true;
    boost::system::error_code ignored;
    tls_context.set_default_verify_paths(ignored);
  }

  // Resolves t.host, giving up at `until`; false (and `out` set) on failure.
  asio::awaitable<bool> resolve(const WebhookTarget& t, Clock::time_point until,
                                tcp::resolver::results_type& endpoints, Attempt& out) {
    auto race = std::make_shared<ResolveRace>(strand);
    race->wake.expires_at(until);
    const auto delay = milliseconds(resolve_delay_ms.load());
    race->resolver.async_resolve(
        t.host, std::to_string(t.port),
        [race, delay](boost::system::error_code ec, tcp::resolver::results_type results) {
          auto settle = [race, ec, results = std::move(results)] {
            if (race->done) return;
            race->done = true;
            race->ec = ec;
            race->results = results;
            race->wake.cancel();
          };
          if (delay.count() <= 0) {
            settle();
            return;
          }
          race->delay.expires_after(delay);
          race->delay.async_wait([settle](boost::system::error_code) { settle(); });
        });
    co_await race->wake.async_wait(kUseTuple);
    if (!race->done) {
      race->done = true;
      race->resolver.cancel();
      race->delay.cancel();
      out.failure = Failure::kDnsTimeout;
      out.message = "resolving host '" + t.host + "' timed out (connect timeout " +
                    std::to_string(t.timing.connect_timeout.count()) + " ms)";
      co_return false;
    }
    if (race->ec) {
      out.failure = Failure::kDns;
      out.message = "cannot resolve host '" + t.host + "': " + race->ec.message();
      co_return false;
    }
    endpoints = std::move(race->results);
    co_return true;
  }

  // Resolution, TCP connect and TLS handshake share one connect timeout (Twilio: "establish a
  // TCP connection" within ct), itself bounded by what is left of the total timeout.
  asio::awaitable<std::unique_ptr<Conn>> connect(const WebhookTarget& t,
                                                 Clock::time_point deadline, Attempt& out) {
    auto budget = std::min(t.timing.connect_timeout, remaining(deadline));
    if (budget.count() <= 0) {
      out.failure = Failure::kConnect;
      out.message = "total timeout expired before connecting to " + t.host_header;
      co_return nullptr;
    }
    const auto until = Clock::now() + budget;
    tcp::resolver::results_type endpoints;
    if (!co_await resolve(t, until, endpoints, out)) co_return nullptr;
    auto conn = std::make_unique<Conn>();
    if (t.https) {
      ensure_system_cas();
      conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand, tls_context);
    } else {
      conn->tcp = std::make_unique<beast::tcp_stream>(strand);
    }
    conn->lowest().expires_at(until);
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
      SSL* ssl = conn->tls->native_handle();
      // A name mismatch then has its own verify result (11235), not a generic failure.
      prepare_tls_peer(ssl, t.host, t.timing.sni, config.insecure_tls);
      auto [hec] = co_await conn->tls->async_handshake(ssl::stream_base::client, kUseTuple);
      if (hec) {
        const long verify = SSL_get_verify_result(ssl);
        if (hec == beast::error::timeout) {
          out.failure = Failure::kConnect;
          out.message = "TLS handshake with " + t.host_header + " timed out after " +
                        std::to_string(budget.count()) + " ms";
        } else if (!config.insecure_tls && verify != X509_V_OK) {
          out.failure = Failure::kTls;
          out.code = tls_verify_code(verify);
          out.message = "TLS certificate verification failed for " + t.host_header + ": " +
                        X509_verify_cert_error_string(verify);
        } else {
          out.failure = Failure::kTls;
          out.code = 11220;
          out.message = "TLS handshake with " + t.host_header + " failed: " + hec.message();
        }
        co_return nullptr;
      }
    }
    co_return conn;
  }

  asio::awaitable<Attempt> exchange(Conn& conn, const WebhookTarget& t,
                                    const std::string& req,
                                    Clock::time_point deadline, bool& got_bytes) {
    sent.fetch_add(1);
    if (conn.tls) co_return co_await exchange_on(*conn.tls, conn, t, req, deadline, got_bytes);
    co_return co_await exchange_on(*conn.tcp, conn, t, req, deadline, got_bytes);
  }

  template <class Stream>
  asio::awaitable<Attempt> exchange_on(Stream& stream, Conn& conn, const WebhookTarget& t,
                                       const std::string& req,
                                       Clock::time_point deadline, bool& got_bytes) {
    Attempt a;
    bool total_limits = false;  // the total timeout, not the read timeout, set the expiry
    auto expire = [&](milliseconds limit) {
      auto left = remaining(deadline);
      total_limits = left <= limit;
      conn.lowest().expires_after(std::max(std::min(limit, left), milliseconds(1)));
      return left.count() > 0;
    };
    if (!expire(t.timing.read_timeout)) {
      a.failure = Failure::kRead;
      a.message = "total timeout expired";
      co_return a;
    }
    auto [wec, written] = co_await asio::async_write(stream, asio::buffer(req), kUseTuple);
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
        if (rec != beast::error::timeout) {
          a.message = "reading from " + t.host_header + " failed: " + rec.message();
        } else if (total_limits) {
          a.message = "total timeout of " + std::to_string(t.timing.total_timeout.count()) +
                      " ms expired " + (got_bytes ? "reading the response from " : "waiting for ") +
                      t.host_header;
        } else {
          a.message = (got_bytes ? "response from " + t.host_header + " stalled for more than "
                                 : "no response from " + t.host_header + " within ") +
                      std::to_string(t.timing.read_timeout.count()) + " ms";
        }
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

void WebhookClient::set_request_hook(std::function<void(core::WebhookRequest&)> hook) {
  impl_->request_hook = std::move(hook);
}

void WebhookClient::send(core::WebhookRequest request, Done done) {
  if (impl_->request_hook) impl_->request_hook(request);
  impl_->in_flight.fetch_add(1);
  asio::post(impl_->strand, [impl = impl_, job = Impl::Job{std::move(request), std::move(done)}]()
                                mutable { impl->enqueue(std::move(job)); });
}

size_t WebhookClient::in_flight() const { return impl_->in_flight.load(); }

WebhookClientStats WebhookClient::stats() const {
  return {impl_->opened.load(), impl_->reused.load(), impl_->sent.load()};
}

const std::string& WebhookClient::tls_error() const { return impl_->tls_error; }

void WebhookClient::set_resolve_delay_for_testing(std::chrono::milliseconds delay) {
  impl_->resolve_delay_ms.store(delay.count());
}

void WebhookClient::close_idle() {
  asio::post(impl_->strand, [impl = impl_] {
    for (auto it = impl->hosts.begin(); it != impl->hosts.end();) {
      Impl::Host& host = it->second;
      host.slots -= host.idle.size();
      host.idle.clear();
      it = host.slots == 0 ? impl->hosts.erase(it) : std::next(it);
    }
  });
}

}  // namespace dialtone::server
