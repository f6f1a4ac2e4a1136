// Prometheus counters of what the server does: requests by route template and status, webhook
// latency (a histogram) and webhook failures by Twilio error code, and with --data-dir how
// long the store's commits and syncs take (histograms: a slow disk shows there first). Calls by status and the
// clock mode are read when rendering, from the engine and the clock.
// Thread-safety: every member may be called from any thread (atomics; a small mutex for the
// failure map, whose keys are few, and for request counters past the table's capacity).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/route.hpp"
#include "core/call_status.hpp"
#include "server/duration_histogram.hpp"

namespace dialtone::server {

// The route a request path belongs to, as a template with the sids replaced:
// "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json", "/_dialtone/calls/{CallSid}/answer".
// Unknown paths are "other", so a scan of random paths cannot grow the label set. The set is
// fixed, so a route is counted by its index (RouteId) and named only when rendered.
using RouteId = uint16_t;
RouteId route_id(std::string_view path);
// Whether route_id(path) is a Twilio API route's (or "other"): the router labels those from
// the route its answer carries (api::Response::route), matched once while serving it.
bool is_api_path(std::string_view path);
// The label of a Twilio API answer, from the path's suffix (.json, .xml or none: api_suffix,
// known when the request comes in) and the route it answered (known when it goes out).
uint8_t api_suffix(std::string_view path);
RouteId api_route_id(api::RouteKind kind, uint8_t suffix);
const std::string& route_template(RouteId id);

class Metrics {
 public:
  Metrics();
  void count_request(std::string_view method, RouteId route, int status);
  // One webhook result: its latency, and its failure (transport error code, or 11200 for an
  // HTTP error status) if any.
  void observe_webhook(int64_t latency_ms, int error_code, int http_status);
  // A Media Streams frame of a real-time call handed to its socket, this long after the
  // instant its audio ended (docs/streams.md: frame lateness).
  void observe_stream_frame(std::chrono::microseconds lateness) { frame_lateness_.observe(lateness); }

  // With --data-dir: one COMMIT of the store's writer (rows written to the log), and one sync
  // of the log to disk (the wait every durable change's answer includes).
  void observe_store_commit(std::chrono::microseconds d) { store_commit_.observe(d); }
  void observe_store_sync(std::chrono::microseconds d) { store_sync_.observe(d); }

  std::string render(const std::array<size_t, core::kCallStatusCount>& calls_by_status,
                     std::string_view clock_mode, double clock_speed) const;

 private:
  // Request counters by (method, route, status), packed into one key: see count_request.
  static constexpr size_t kRequestSlots = 4096;  // a power of two
  std::vector<std::atomic<uint32_t>> request_keys_;  // 0: empty slot
  std::vector<std::atomic<uint64_t>> request_counts_;

  mutable std::mutex mu_;
  std::map<uint32_t, uint64_t> overflow_;     // mu_; keys that found no slot
  std::map<int, uint64_t> webhook_failures_;  // mu_
  DurationHistogram<11> webhook_latency_{{5'000, 10'000, 25'000, 50'000, 100'000, 250'000,
                                          500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000}};
  DurationHistogram<14> frame_lateness_{{500, 1'000, 2'000, 3'000, 4'000, 5'000, 7'500, 10'000,
                                         20'000, 50'000, 100'000, 250'000, 1'000'000, 5'000'000}};
  static constexpr std::array<int64_t, 13> kStoreBounds{
      100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000,
      5'000'000};
  DurationHistogram<13> store_commit_{kStoreBounds};
  DurationHistogram<13> store_sync_{kStoreBounds};
};

}  // namespace dialtone::server
