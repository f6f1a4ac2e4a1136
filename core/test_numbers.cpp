#include "core/test_numbers.hpp"

namespace dialtone::core {

std::optional<TwilioError> test_number_error(const std::string& from, const std::string& to) {
  if (from == "+15005550001") {
    return bad_request(21212, "From is not a valid phone number: " + from);
  }
  if (from == "+15005550007") {
    return bad_request(21210, "The source phone number provided, " + from +
                                  ", is not yet verified for your account. You may only make "
                                  "calls from phone numbers that you've verified or purchased "
                                  "from Twilio.");
  }
  if (to == "+15005550001") {
    return bad_request(21217, "Phone number does not appear to be valid: " + to);
  }
  if (to == "+15005550002") {
    return bad_request(21214, "'To' phone number cannot be reached: " + to);
  }
  if (to == "+15005550003") {
    return bad_request(21215, "Account not authorized to call " + to +
                                  ". Perhaps you need to enable some international permissions: "
                                  "https://www.twilio.com/console/voice/calls/geo-permissions/low-risk");
  }
  if (to == "+15005550004") {
    return bad_request(21216, "Account not allowed to call " + to);
  }
  return std::nullopt;
}

}  // namespace dialtone::core
