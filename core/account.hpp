// Accounts, subaccounts and API keys: who may call the API, and with what token webhooks are
// signed. Thread-safety: owned by the Engine.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dialtone::core {

struct ApiKey {
  std::string sid;     // SK...
  std::string secret;
};

struct Account {
  std::string sid;                // AC...
  std::string auth_token;         // primary: API authentication and webhook signatures
  std::string owner_account_sid;  // the parent for a subaccount; its own sid otherwise
  std::string friendly_name;
  std::vector<ApiKey> api_keys;
  // Token rotation: empty, or a second token accepted for API authentication (not used to
  // sign webhooks) until it is promoted to primary.
  std::string secondary_auth_token{};  // (initialised: aggregate inits may leave it out)
};

class AccountStore {
 public:
  // Ordered by sid; looked up by string_view without making a string (every request
  // authenticates).
  using AccountMap = std::map<std::string, Account, std::less<>>;

  void put(Account account);
  const Account* find(std::string_view sid) const;
  // The account an API key belongs to, or nullptr.
  const Account* find_by_key(std::string_view key_sid, const ApiKey** key_out) const;
  bool erase(const std::string& sid);
  // Token rotation, as Twilio's console and its /v1/AuthTokens endpoints do it. False when
  // there is no such account (promote: or it has no secondary token).
  bool set_secondary_token(const std::string& sid, std::string token);  // "" removes it
  // The secondary token becomes the primary one (the old primary stops working at once).
  bool promote_secondary_token(const std::string& sid);
  const AccountMap& all() const { return accounts_; }

 private:
  AccountMap accounts_;
};

}  // namespace dialtone::core
