// Phone numbers an account owns, with where their inbound calls go (Twilio's
// IncomingPhoneNumber voice settings). Thread-safety: owned by the Engine.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/call.hpp"

namespace dialtone::core {

struct PhoneNumber {
  std::string sid;           // PN...
  std::string account_sid;
  std::string phone_number;  // E.164
  Webhook voice_url;
  Webhook voice_fallback;
  Webhook status_callback;
};

class NumberStore {
 public:
  void put(PhoneNumber number);  // replaces the number's previous settings
  const PhoneNumber* find(const std::string& phone_number) const;
  std::vector<const PhoneNumber*> of_account(const std::string& account_sid) const;
  void erase_account(const std::string& account_sid);
  void clear() { numbers_.clear(); }

 private:
  std::map<std::string, PhoneNumber> numbers_;  // by phone number
};

}  // namespace dialtone::core
