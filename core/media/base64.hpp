// Base64 (RFC 4648, with padding) for Media Streams payloads. Core's own: the server's
// signature code and the API's Basic auth each have one, but core may depend on neither.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dialtone::core::media {

std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not canonical padded base64 (wrong length, stray characters).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace dialtone::core::media
