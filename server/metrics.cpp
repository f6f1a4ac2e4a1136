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

constexpr std::string_view kCallActions[] = {"answer", "busy",   "no-answer", "fail",
                                             "hangup", "digits", "speech",    "events",
                                             "say",    "press",  "transcript"};
constexpr std::string_view kFixedControl[] = {
    "/_dialtone/health",   "/_dialtone/metrics",  "/_dialtone/clock", "/_dialtone/clock/advance",
    "/_dialtone/behaviors", "/_dialtone/numbers", "/_dialtone/calls", "/_dialtone/events",
    "/_dialtone/reset",    "/_dialtone/accounts", "/_dialtone/limits", "/_dialtone/faults"};
// Every api::RouteKind, in the enum's order: its template under /2010-04-01/Accounts/{AccountSid}.
constexpr std::string_view kApiTemplates[] = {
    "/Calls",
    "/Calls/{Sid}",
    "/Calls/{CallSid}/Notifications",
    "/Calls/{CallSid}/Notifications/{Sid}",
    "/Calls/{CallSid}/Events",
    "/Queues",
    "/Queues/{Sid}",
    "/Queues/{QueueSid}/Members",
    "/Queues/{QueueSid}/Members/{CallSid}",
    "/Conferences",
    "/Conferences/{Sid}",
    "/Conferences/{ConferenceSid}/Participants",
    "/Conferences/{ConferenceSid}/Participants/{CallSid}",
    "/Calls/{CallSid}/Streams",
    "/Calls/{CallSid}/Streams/{Sid}",
    "/Calls/{CallSid}/Siprec",
    "/Calls/{CallSid}/Siprec/{Sid}",
    "/Calls/{CallSid}/Transcriptions",
    "/Calls/{CallSid}/Transcriptions/{Sid}",
    "/Calls/{CallSid}/Payments",
    "/Calls/{CallSid}/Payments/{Sid}",
    "/Calls/{CallSid}/UserDefinedMessages",
    "/Calls/{CallSid}/UserDefinedMessageSubscriptions",
    "/Calls/{CallSid}/UserDefinedMessageSubscriptions/{Sid}",
    "/Calls/{CallSid}/Recordings",
    "/Calls/{CallSid}/Recordings/{Sid}",
    "/Recordings",
    "/Recordings/{Sid}",
    "/Conferences/{ConferenceSid}/Recordings",
    "/Conferences/{ConferenceSid}/Recordings/{Sid}",
};
constexpr size_t kApiKinds = std::size(kApiTemplates);
// A kind added to api::RouteKind needs its template here (it was counted as a control route).
static_assert(kApiKinds == static_cast<size_t>(api::RouteKind::kConferenceRecording) + 1);
constexpr std::string_view kSuffixes[] = {"", ".json", ".xml"};
constexpr size_t kSuffixCount = std::size(kSuffixes);

// Where each group of labels starts in route_labels().
constexpr size_t kFirstApi = 1;  // 0 is "other"
constexpr size_t kFirstControlCall = kFirstApi + kApiKinds * kSuffixCount;
constexpr size_t kFirstFixed = kFirstControlCall + 1 + std::size(kCallActions);
constexpr size_t kRouteCount = kFirstFixed + std::size(kFixedControl);

const std::vector<std::string>& route_labels() {
  static const std::vector<std::string> labels = [] {
    std::vector<std::string> out{"other"};
    const std::string account = "/2010-04-01/Accounts/{AccountSid}";
    for (auto t : kApiTemplates) {
      for (auto sfx : kSuffixes) out.push_back(account + std::string(t) + std::string(sfx));
    }
    out.emplace_back("/_dialtone/calls/{CallSid}");
    for (auto a : kCallActions) out.push_back("/_dialtone/calls/{CallSid}/" + std::string(a));
    for (auto f : kFixedControl) out.emplace_back(f);
    return out;
  }();
  return labels;
}

size_t suffix_index(std::string_view path) {
  if (path.ends_with(".json")) return 1;
  if (path.ends_with(".xml")) return 2;
  return 0;
}

}  // namespace

bool is_api_path(std::string_view path) { return path.starts_with("/2010-04-01/"); }

uint8_t api_suffix(std::string_view path) { return static_cast<uint8_t>(suffix_index(path)); }

RouteId api_route_id(api::RouteKind kind, uint8_t suffix) {
  return static_cast<RouteId>(kFirstApi + static_cast<size_t>(kind) * kSuffixCount + suffix);
}

RouteId route_id(std::string_view path) {
  if (is_api_path(path)) {
    auto route = api::match_route(path);
    return route ? api_route_id(route->kind, api_suffix(path)) : 0;
  }
  if (!path.starts_with("/_dialtone/")) return 0;
  auto parts = split(path);
  // /_dialtone/calls/{CallSid}[/action]
  if (parts.size() >= 3 && parts.size() <= 4 && parts[1] == "calls") {
    if (parts.size() == 3) return static_cast<RouteId>(kFirstControlCall);
    for (size_t i = 0; i < std::size(kCallActions); ++i) {
      if (parts[3] == kCallActions[i]) return static_cast<RouteId>(kFirstControlCall + 1 + i);
    }
    return 0;
  }
  for (size_t i = 0; i < std::size(kFixedControl); ++i) {
    if (path == kFixedControl[i]) return static_cast<RouteId>(kFirstFixed + i);
  }
  return 0;
}

const std::string& route_template(RouteId id) {
  const auto& labels = route_labels();
  return labels[id < labels.size() ? id : 0];
}

namespace {

// Any token is a method to the HTTP parser: a label per distinct one would let clients grow
// the metrics without bound (and the page with it), so the rest share one label.
constexpr std::string_view kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",    "DELETE",
                                         "PATCH",   "OPTIONS", "TRACE", "CONNECT", "other"};
constexpr size_t kMethodCount = std::size(kMethods);

uint32_t method_index(std::string_view method) {
  for (uint32_t i = 0; i + 1 < kMethodCount; ++i) {
    if (method == kMethods[i]) return i;
  }
  return kMethodCount - 1;
}

// A counter's key: method, route and status in one word, plus one so that 0 means "empty".
constexpr uint32_t kStatusBits = 10;  // HTTP statuses are 100..599
uint32_t pack(uint32_t method, RouteId route, int status) {
  const auto s = static_cast<uint32_t>(status < 0 || status >= (1 << kStatusBits) ? 0 : status);
  return ((method * kRouteCount + route) << kStatusBits | s) + 1;
}

}  // namespace

Metrics::Metrics() : request_keys_(kRequestSlots), request_counts_(kRequestSlots) {}

// Lock-free: every answer is counted, from every I/O thread, and a mutex here was contended
// on each request. Open addressing over a table that no realistic key set fills (methods x
// routes x the statuses one route answers); should it fill, the rest go to `overflow_`.
void Metrics::count_request(std::string_view method, RouteId route, int status) {
  const uint32_t key = pack(method_index(method), route, status);
  size_t i = (key * 2654435761u) & (kRequestSlots - 1);
  for (size_t probes = 0; probes < kRequestSlots; ++probes, i = (i + 1) & (kRequestSlots - 1)) {
    uint32_t seen = request_keys_[i].load(std::memory_order_acquire);
    if (seen == 0 && request_keys_[i].compare_exchange_strong(seen, key)) seen = key;
    if (seen == key) {
      request_counts_[i].fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  std::lock_guard lock(mu_);
  ++overflow_[key];
}

void Metrics::observe_webhook(int64_t latency_ms, int error_code, int http_status) {
  webhook_latency_.observe(std::chrono::milliseconds(latency_ms));
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
    // Sorted as a map of (method, route) to status would be, so the page reads the same.
    std::map<std::pair<std::string_view, std::string_view>, std::map<int, uint64_t>> rows;
    auto add = [&rows](uint32_t key, uint64_t n) {
      const uint32_t k = key - 1;
      const uint32_t series = k >> kStatusBits;
      const auto route = static_cast<RouteId>(series % kRouteCount);
      rows[{kMethods[series / kRouteCount], route_template(route)}]
          [static_cast<int>(k & ((1u << kStatusBits) - 1))] += n;
    };
    for (size_t i = 0; i < kRequestSlots; ++i) {
      const uint32_t key = request_keys_[i].load(std::memory_order_acquire);
      if (key != 0) add(key, request_counts_[i].load(std::memory_order_relaxed));
    }
    std::lock_guard lock(mu_);
    for (const auto& [key, n] : overflow_) add(key, n);
    for (const auto& [series, by_status] : rows) {
      for (const auto& [status, n] : by_status) {
        out << "dialtone_http_requests_total{method=\"" << series.first << "\",route=\""
            << series.second << "\",status=\"" << status << "\"} " << n << "\n";
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
  webhook_latency_.render(out, "dialtone_webhook_latency_seconds", "Webhook round trips (wall time).");
  frame_lateness_.render(out, "dialtone_stream_frame_lateness_seconds",
                         "Media Streams frames of real-time calls: from the instant their audio "
                         "ended to the write to the app's socket.");
  store_commit_.render(out, "dialtone_store_commit_seconds",
                       "With --data-dir: the store's commits (writing a group of changes to "
                       "its log).");
  store_sync_.render(out, "dialtone_store_sync_seconds",
                     "With --data-dir: syncs of the store's log to disk, which every durable "
                     "change's answer waits for.");
  out << "# HELP dialtone_clock_info The clock's mode (1 for the current one) and speed.\n"
         "# TYPE dialtone_clock_info gauge\n"
      << "dialtone_clock_info{mode=\"real\"} " << (clock_mode == "real" ? 1 : 0) << "\n"
      << "dialtone_clock_info{mode=\"manual\"} " << (clock_mode == "manual" ? 1 : 0) << "\n"
      << "# TYPE dialtone_clock_speed gauge\ndialtone_clock_speed " << clock_speed << "\n";
  return out.str();
}

}  // namespace dialtone::server
