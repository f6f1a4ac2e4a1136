#include "core/faults/fault_rule.hpp"

#include <cmath>

#include "core/sid.hpp"

namespace dialtone::core::faults {

namespace {

struct FieldNames {
  std::string_view control;
  std::string_view config;
};
constexpr std::array<FieldNames, kFaultFieldCount> kFieldNames{{
    {"AccountSid", "account_sid"},
    {"Method", "method"},
    {"Route", "route"},
    {"Kind", "kind"},
    {"Status", "status"},
    {"Code", "code"},
    {"Message", "message"},
    {"RetryAfter", "retry_after"},
    {"LatencyMs", "latency_ms"},
    {"Times", "times"},
    {"Probability", "probability"},
    {"Seed", "seed"},
    {"Applied", "applied"},
}};

constexpr std::array<std::string_view, 4> kKindNames{"status", "latency", "reset", "hang"};
constexpr size_t kMaxMessageBytes = 1024;

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return status < 500 ? "Client Error" : "Server Error";
  }
}

// Twilio's codes for the statuses its own front end answers (reference §9.2 has 20429; 20500
// and 20503 are the documented "Internal Server Error" and "Service Unavailable").
int default_code(int status) {
  switch (status) {
    case 429:
      return 20429;
    case 500:
      return 20500;
    case 503:
      return 20503;
    default:
      return 0;
  }
}

const RouteTemplate* find_route(std::string_view name) {
  for (const auto& r : kRouteTemplates) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string route_names() {
  std::string out;
  for (const auto& r : kRouteTemplates) {
    if (!out.empty()) out += ", ";
    out += r.name;
  }
  return out + " or *";
}

std::optional<RuleProblem> problem(FaultField field, std::string reason) {
  return RuleProblem{field, std::move(reason)};
}

std::optional<RuleProblem> check_status_fields(FaultRule& r) {
  if (r.kind != FaultKind::kStatus) {
    const std::string only =
        std::string("is only for Kind=status, not ") + std::string(to_string(r.kind));
    if (r.status != 0) return problem(FaultField::kStatus, only);
    if (r.code != 0) return problem(FaultField::kCode, only);
    if (!r.message.empty()) return problem(FaultField::kMessage, only);
    if (r.retry_after_s) return problem(FaultField::kRetryAfter, only);
    return std::nullopt;
  }
  if (r.status == 0) return problem(FaultField::kStatus, "is required with Kind=status");
  if (r.status < 400 || r.status > 599) return problem(FaultField::kStatus, "must be 400..599");
  if (r.code < 0 || r.code > 99999) return problem(FaultField::kCode, "must be 0..99999");
  if (r.message.size() > kMaxMessageBytes) {
    return problem(FaultField::kMessage, "is over " + std::to_string(kMaxMessageBytes) + " bytes");
  }
  if (r.retry_after_s && (*r.retry_after_s < 0 || *r.retry_after_s > kMaxRetryAfterS)) {
    return problem(FaultField::kRetryAfter, "must be 0.." + std::to_string(kMaxRetryAfterS));
  }
  if (r.code == 0) r.code = default_code(r.status);
  if (r.message.empty()) r.message = std::string(reason_phrase(r.status));
  if (!r.retry_after_s && r.status == 429) r.retry_after_s = 1;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(FaultKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<FaultKind> parse_fault_kind(std::string_view text) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<FaultKind>(i);
  }
  return std::nullopt;
}

std::string_view control_name(FaultField field) {
  return kFieldNames[static_cast<size_t>(field)].control;
}

std::string_view config_name(FaultField field) {
  return kFieldNames[static_cast<size_t>(field)].config;
}

std::optional<RuleProblem> complete(FaultRule& r) {
  if (!is_sid(r.account_sid, "AC")) {
    return problem(FaultField::kAccountSid, "'" + r.account_sid + "' is not an AC sid");
  }
  if (r.method == "*") r.method.clear();
  for (char& c : r.method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (!r.method.empty() && r.method != "GET" && r.method != "POST" && r.method != "DELETE") {
    return problem(FaultField::kMethod, "'" + r.method + "' is not GET, POST, DELETE or *");
  }
  if (r.route == "*") r.route.clear();
  if (!r.route.empty()) {
    const RouteTemplate* route = find_route(r.route);
    if (!route) {
      return problem(FaultField::kRoute, "'" + r.route + "' is not " + route_names());
    }
    // GET, POST and DELETE (checked above) are no part of one another: a search will do.
    if (!r.method.empty() && route->methods.find(r.method) == std::string_view::npos) {
      return problem(FaultField::kMethod, r.method + " is not served on " + r.route + " (" +
                                              std::string(route->methods) + ")");
    }
  }
  if (auto p = check_status_fields(r)) return p;
  if (r.latency_ms < 0 || r.latency_ms > kMaxLatencyMs) {
    return problem(FaultField::kLatencyMs, "must be 0.." + std::to_string(kMaxLatencyMs));
  }
  if (r.kind == FaultKind::kLatency && r.latency_ms == 0) {
    return problem(FaultField::kLatencyMs,
                   "is required (1.." + std::to_string(kMaxLatencyMs) + ") with Kind=latency");
  }
  if (r.kind == FaultKind::kHang && r.latency_ms != 0) {
    return problem(FaultField::kLatencyMs, "is not used with Kind=hang (it never answers)");
  }
  if (r.times && (*r.times < 1 || *r.times > kMaxTimes)) {
    return problem(FaultField::kTimes, "must be 1.." + std::to_string(kMaxTimes));
  }
  if (r.probability && !(*r.probability > 0.0 && *r.probability <= 1.0)) {
    return problem(FaultField::kProbability, "must be more than 0 and at most 1");
  }
  if (r.seed && !r.probability) return problem(FaultField::kSeed, "is only used with Probability");
  if (r.seed && *r.seed > kMaxSeed) {
    return problem(FaultField::kSeed, "must be 0.." + std::to_string(kMaxSeed));
  }
  return std::nullopt;
}

uint64_t splitmix64_at(uint64_t seed, uint64_t n) {
  uint64_t z = seed + (n + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

bool draw(uint64_t seed, uint64_t n, double probability) {
  // 53 bits: every such fraction is exact in a double, in [0, 1).
  const double u = static_cast<double>(splitmix64_at(seed, n) >> 11) * 0x1.0p-53;
  return u < probability;
}

std::string_view to_string(SignatureFault fault) {
  return fault == SignatureFault::kWrongKey ? "wrong-key" : "none";
}

std::optional<SignatureFault> parse_signature_fault(std::string_view text) {
  if (text == "none") return SignatureFault::kNone;
  if (text == "wrong-key") return SignatureFault::kWrongKey;
  return std::nullopt;
}

std::string wrong_signing_key(std::string_view auth_token) {
  return std::string(auth_token) + "-wrong-key";
}

}  // namespace dialtone::core::faults
