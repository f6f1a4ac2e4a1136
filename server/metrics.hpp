// Prometheus counters of what the server does: requests by route template and status, webhook
// latency (a histogram) and webhook failures by Twilio error code. Calls by status and the
// clock mode are read when rendering, from the engine and the clock.
// Thread-safety: every member may be called from any thread (atomics; a small mutex for the
// failure map, whose keys are few, and for request counters past the table's capacity).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/call_status.hpp"

namespace dialtone::server {

// The route a request path belongs to, as a template with the sids replaced:
// "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json", "/_dialtone/calls/{CallSid}/answer".
// Unknown paths are "other", so a scan of random paths cannot grow the label set. The set is
// fixed, so a route is counted by its index (RouteId) and named only when rendered.
using RouteId = uint16_t;
RouteId route_id(std::string_view path);
const std::string& route_template(RouteId id);

class Metrics {
 public:
  static constexpr std::array<int64_t, 11> kLatencyBucketsMs = {5,   10,   25,   50,   100, 250,
                                                                500, 1000, 2500, 5000, 10000};

  Metrics();
  void count_request(std::string_view method, RouteId route, int status);
  // One webhook result: its latency, and its failure (transport error code, or 11200 for an
  // HTTP error status) if any.
  void observe_webhook(int64_t latency_ms, int error_code, int http_status);

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
  std::array<std::atomic<uint64_t>, kLatencyBucketsMs.size() + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_ms_{0};
  std::atomic<uint64_t> latency_count_{0};
};

}  // namespace dialtone::server
