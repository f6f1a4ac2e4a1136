#include "core/call.hpp"

namespace dialtone::core {

std::string_view to_wire(Direction d) {
  switch (d) {
    case Direction::kInbound: return "inbound";
    case Direction::kOutboundApi: return "outbound-api";
    case Direction::kOutboundDial: return "outbound-dial";
  }
  return "outbound-api";
}

std::string_view to_wire(HttpMethod m) { return m == HttpMethod::kGet ? "GET" : "POST"; }

}  // namespace dialtone::core
