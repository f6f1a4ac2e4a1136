// Call endpoints: E.164 phone numbers, client:NAME, sip:URI. Validation and the
// normalisation Twilio applies ("+1801-664-0964" -> "+18016640964").
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dialtone::core {

enum class EndpointKind { kPhone, kClient, kSip };

struct Endpoint {
  EndpointKind kind;
  std::string value;      // normalised
  std::string formatted;  // "(415) 867-5309" for NANP numbers, else value
};

// nullopt when the text is no valid endpoint of any kind.
std::optional<Endpoint> parse_endpoint(std::string_view text);

}  // namespace dialtone::core
