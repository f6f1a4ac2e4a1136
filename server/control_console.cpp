// The console: its files (GET /_dialtone/ and /_dialtone/console/{file}, embedded in the
// binary) and its live feed (GET /_dialtone/stream, server/console_stream.hpp).
#include <charconv>

#include "api/control_request.hpp"
#include "server/console_assets.hpp"
#include "server/control_api.hpp"

namespace dialtone::server {

namespace {

// The page talks only to the server that served it; no inline script or style.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'";

}  // namespace

void handle_console_file(const api::Request& req, const std::string& file, Respond respond) {
  const ConsoleAsset* asset = find_console_asset(file);
  if (!asset) return respond(api::control_not_found(req.target.substr(0, req.target.find('?'))));
  api::Response r;
  // Revalidated on every load (no-cache), answered 304 while the ETag (the file's hash) holds:
  // a new binary never shows a stale page, and an unchanged one costs no body.
  r.headers = {{"ETag", std::string(asset->etag)},
               {"Cache-Control", "no-cache"},
               {"X-Content-Type-Options", "nosniff"}};
  if (file == "index.html") {
    r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  }
  if (!req.if_none_match.empty() && req.if_none_match.find(asset->etag) != std::string::npos) {
    r.status = 304;
    return respond(std::move(r));
  }
  r.status = 200;
  r.content_type = std::string(asset->content_type);
  if (req.method != "HEAD") r.body = std::string(asset->body);
  respond(std::move(r));
}

void handle_stream(ControlContext& ctx, const api::Request& req, Respond respond) {
  auto params = api::control_params(req);
  if (!params) return respond(api::control_error(params.error()));
  ConsoleHub::Subscription sub;
  if (const std::string* a = params->get("AccountSid")) sub.account_sid = *a;
  if (const std::string* a = params->get("account_sid")) sub.account_sid = *a;
  // A reconnecting EventSource says where it was in Last-Event-ID; ?since= does the same by hand.
  const std::string* since = params->get("since");
  const std::string& resume = !req.last_event_id.empty() ? req.last_event_id
                              : since                    ? *since
                                                         : req.last_event_id;
  if (!resume.empty()) {
    uint64_t seq = 0;
    auto [end, ec] = std::from_chars(resume.data(), resume.data() + resume.size(), seq);
    if (ec != std::errc() || end != resume.data() + resume.size()) {
      return respond(api::control_error(400, "since must be an event seq, got '" + resume + "'"));
    }
    sub.since = seq;
  }
  api::Response r;
  r.status = 200;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  if (req.method == "HEAD") return respond(std::move(r));
  r.on_stream = [hub = ctx.console, sub = std::move(sub)](
                    std::shared_ptr<api::StreamSink> sink) mutable {
    hub->subscribe(std::move(sink), std::move(sub));
  };
  respond(std::move(r));
}

}  // namespace dialtone::server
