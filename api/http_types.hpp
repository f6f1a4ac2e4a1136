// The request and response values that cross the server/api seam. No Beast here: handlers are
// pure functions from one to the other.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/route.hpp"

namespace dialtone::api {

struct Request {
  std::string method;         // "GET", "POST", "DELETE", ...
  std::string target;         // path and query as received ("/2010-04-01/...?...")
  std::string authorization;  // the Authorization header, verbatim
  std::string content_type;
  std::string body;
  std::string request_id;     // RQ... assigned by the server, echoed as Twilio-Request-Id
  std::string last_event_id;  // Last-Event-ID: where a reconnecting Server-Sent Events client was
  std::string if_none_match;  // If-None-Match: the ETag a browser holds (static console files)
  // The server renders resource bodies after the engine lock is released (Response::render),
  // so that rendering on one thread does not hold up the engine for the others.
  bool defer_render = false;
};

// The body of a streamed response (Server-Sent Events): what is written goes out as a chunk,
// in order, for as long as the client stays. Writing never blocks: a client that falls more
// than the server's buffer behind is dropped (open() turns false).
// Thread-safety: every member may be called from any thread.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual bool write(std::string bytes) = 0;  // false once closed (the bytes are dropped)
  virtual void close() = 0;                   // ends the body; the connection then closes
  virtual bool open() const = 0;
};

// A body made piece by piece (a recording's media): `size` bytes in all (or, `chunked`, a
// length not known before the end); each call of `next` replaces `piece` with the following
// bytes and returns false once there are none. The server sends a Content-Length (or
// Transfer-Encoding: chunked) and asks for the next piece only once the last one is written,
// so a large body is never whole in memory and a slow client paces its making. A chunked
// source never yields an empty piece (that would end the body).
// Thread-safety: used by one thread at a time (the connection's).
struct BodySource {
  uint64_t size = 0;
  std::function<bool(std::string& piece)> next;
  bool chunked = false;
};

// How the server delivers a response. Anything but kSend is a fault injected on purpose
// (server/faults/): nothing of the response is sent.
enum class Delivery : uint8_t {
  kSend,
  kReset,  // reset the connection (TCP RST)
  kHold,   // keep the connection open without an answer (closed by the idle timeout)
};

struct Response {
  int status = 200;
  std::string content_type;   // empty with no body (204)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string call_sid;       // for the request log line; empty when none
  // Set: the response is a stream. The server sends the status and headers (chunked, no
  // Content-Length), then `body` as the first chunk, then hands the sink to `on_stream`.
  std::function<void(std::shared_ptr<StreamSink>)> on_stream;
  // Set only for a request with defer_render: `body` is what this returns, called once the
  // engine lock is released. It owns copies of what it renders, never engine pointers.
  std::function<std::string()> render;
  // Set: the body comes from here instead of `body` (see BodySource).
  std::shared_ptr<BodySource> body_source;
  Delivery delivery = Delivery::kSend;
  // The Twilio API route this answers, as matched while serving it (unset for anything else,
  // and for a path that matches none): the metrics' label, without matching the path again.
  std::optional<RouteKind> route;
};

}  // namespace dialtone::api
