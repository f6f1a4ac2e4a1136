// X-Twilio-Signature, as Twilio computes it (reference §12): HMAC-SHA1 over the URL exactly as
// requested, followed for form POSTs by every body parameter as name+value, sorted.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/journal.hpp"

namespace dialtone::server {

// The string that is signed. `params` are the decoded form parameters of a POST (pass none for
// a GET, whose parameters are already in `url`). Names sort by byte order; a repeated name
// contributes each distinct value, values sorted: the official validators (twilio-node,
// twilio-python) collapse exact duplicates, so a signature that keeps them would not verify.
// A core::Fields converts to EventFields (one packed copy: tests and vectors); a webhook's
// are EventFields already.
std::string signature_base(std::string_view url, const core::EventFields& params);

// base64(HMAC-SHA1(auth_token, signature_base(url, params))): 28 characters.
std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const core::EventFields& params);

// Lowercase hex SHA-256, for the bodySHA256 query parameter of JSON bodies.
std::string sha256_hex(std::string_view data);

std::string base64_encode(std::string_view bytes);

}  // namespace dialtone::server
