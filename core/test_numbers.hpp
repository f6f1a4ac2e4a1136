// Twilio's magic test numbers (+1 500 555 xxxx): the errors Twilio documents for them on call
// creation, so an app's error handling can be tested against dialtone as against Twilio.
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>

#include "core/result.hpp"

namespace dialtone::core {

// The error Twilio gives for a create with these numbers, or nullopt when they are ordinary.
std::optional<TwilioError> test_number_error(const std::string& from, const std::string& to);

}  // namespace dialtone::core
