#include "server/metrics.hpp"

#include <sstream>
#include <vector>

#include "api/route.hpp"

namespace dialtone::server {

namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

std::string suffix_of(std::string_view path) {
  if (path.ends_with(".json")) return ".json";
  if (path.ends_with(".xml")) return ".xml";
  return "";
}

}  // namespace

std::string route_template(std::string_view path) {
  if (path.starts_with("/2010-04-01/")) {
    auto route = api::match_route(path);
    if (!route) return "other";
    const std::string calls = "/2010-04-01/Accounts/{AccountSid}/Calls";
    const std::string sfx = suffix_of(path);
    switch (route->kind) {
      case api::RouteKind::kCalls: return calls + sfx;
      case api::RouteKind::kCall: return calls + "/{Sid}" + sfx;
      case api::RouteKind::kCallNotifications: return calls + "/{CallSid}/Notifications" + sfx;
      case api::RouteKind::kCallNotification:
        return calls + "/{CallSid}/Notifications/{Sid}" + sfx;
      case api::RouteKind::kCallEvents: return calls + "/{CallSid}/Events" + sfx;
    }
    return "other";
  }
  if (!path.starts_with("/_dialtone/")) return "other";
  auto parts = split(path);
  // /_dialtone/calls/{CallSid}[/action]
  if (parts.size() >= 3 && parts.size() <= 4 && parts[1] == "calls") {
    static const std::vector<std::string_view> kActions = {
        "answer", "busy", "no-answer", "fail", "hangup", "digits", "speech", "events"};
    std::string out = "/_dialtone/calls/{CallSid}";
    if (parts.size() == 3) return out;
    for (auto a : kActions) {
      if (parts[3] == a) return out + "/" + std::string(a);
    }
    return "other";
  }
  static const std::vector<std::string_view> kFixed = {
      "/_dialtone/health",   "/_dialtone/metrics", "/_dialtone/clock",
      "/_dialtone/clock/advance", "/_dialtone/behaviors", "/_dialtone/numbers",
      "/_dialtone/calls",    "/_dialtone/events",  "/_dialtone/reset",
      "/_dialtone/accounts", "/_dialtone/limits"};
  for (auto f : kFixed) {
    if (path == f) return std::string(f);
  }
  return "other";
}

namespace {

// Any token is a method to the HTTP parser: a label per distinct one would let clients grow
// the metrics without bound (and the page with it), so the rest share one label.
std::string_view method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                "PATCH",   "OPTIONS", "TRACE", "CONNECT"};
  for (auto k : kKnown) {
    if (method == k) return k;
  }
  return "other";
}

}  // namespace

void Metrics::count_request(std::string_view method, const std::string& route, int status) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(method_label(method)), route}][status];
}

void Metrics::observe_webhook(int64_t latency_ms, int error_code, int http_status) {
  size_t bucket = kLatencyBucketsMs.size();
  for (size_t i = 0; i < kLatencyBucketsMs.size(); ++i) {
    if (latency_ms <= kLatencyBucketsMs[i]) {
      bucket = i;
      break;
    }
  }
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ms_.fetch_add(static_cast<uint64_t>(latency_ms < 0 ? 0 : latency_ms),
                            std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  int code = error_code;
  if (code == 0 && (http_status < 200 || http_status >= 300)) code = 11200;
  if (code != 0) {
    std::lock_guard lock(mu_);
    ++webhook_failures_[code];
  }
}

std::string Metrics::render(const std::array<size_t, core::kCallStatusCount>& calls_by_status,
                            std::string_view clock_mode, double clock_speed) const {
  std::ostringstream out;
  out << "# HELP dialtone_http_requests_total HTTP requests by method, route and status.\n"
         "# TYPE dialtone_http_requests_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, by_status] : requests_) {
      for (const auto& [status, n] : by_status) {
        out << "dialtone_http_requests_total{method=\"" << key.first << "\",route=\""
            << key.second << "\",status=\"" << status << "\"} " << n << "\n";
      }
    }
    out << "# HELP dialtone_webhook_failures_total Failed webhooks by Twilio error code.\n"
           "# TYPE dialtone_webhook_failures_total counter\n";
    for (const auto& [code, n] : webhook_failures_) {
      out << "dialtone_webhook_failures_total{code=\"" << code << "\"} " << n << "\n";
    }
  }
  out << "# HELP dialtone_calls Calls in the engine by status.\n"
         "# TYPE dialtone_calls gauge\n";
  for (int i = 0; i < core::kCallStatusCount; ++i) {
    out << "dialtone_calls{status=\"" << core::to_wire(static_cast<core::CallStatus>(i))
        << "\"} " << calls_by_status[static_cast<size_t>(i)] << "\n";
  }
  out << "# HELP dialtone_webhook_latency_seconds Webhook round trips (wall time).\n"
         "# TYPE dialtone_webhook_latency_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBucketsMs.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    out << "dialtone_webhook_latency_seconds_bucket{le=\""
        << static_cast<double>(kLatencyBucketsMs[i]) / 1000.0 << "\"} " << cumulative << "\n";
  }
  cumulative += latency_buckets_[kLatencyBucketsMs.size()].load(std::memory_order_relaxed);
  out << "dialtone_webhook_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
      << "dialtone_webhook_latency_seconds_sum "
      << static_cast<double>(latency_sum_ms_.load(std::memory_order_relaxed)) / 1000.0 << "\n"
      << "dialtone_webhook_latency_seconds_count "
      << latency_count_.load(std::memory_order_relaxed) << "\n";
  out << "# HELP dialtone_clock_info The clock's mode (1 for the current one) and speed.\n"
         "# TYPE dialtone_clock_info gauge\n"
      << "dialtone_clock_info{mode=\"real\"} " << (clock_mode == "real" ? 1 : 0) << "\n"
      << "dialtone_clock_info{mode=\"manual\"} " << (clock_mode == "manual" ? 1 : 0) << "\n"
      << "# TYPE dialtone_clock_speed gauge\ndialtone_clock_speed " << clock_speed << "\n";
  return out.str();
}

}  // namespace dialtone::server
