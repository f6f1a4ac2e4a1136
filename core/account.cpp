#include "core/account.hpp"

namespace dialtone::core {

void AccountStore::put(Account account) {
  if (account.owner_account_sid.empty()) account.owner_account_sid = account.sid;
  std::string sid = account.sid;
  accounts_[sid] = std::move(account);
}

const Account* AccountStore::find(std::string_view sid) const {
  auto it = accounts_.find(sid);
  return it == accounts_.end() ? nullptr : &it->second;
}

const Account* AccountStore::find_by_key(std::string_view key_sid,
                                         const ApiKey** key_out) const {
  for (const auto& [sid, account] : accounts_) {
    for (const auto& key : account.api_keys) {
      if (key.sid == key_sid) {
        if (key_out) *key_out = &key;
        return &account;
      }
    }
  }
  return nullptr;
}

bool AccountStore::erase(const std::string& sid) { return accounts_.erase(sid) > 0; }

bool AccountStore::set_secondary_token(const std::string& sid, std::string token) {
  auto it = accounts_.find(sid);
  if (it == accounts_.end()) return false;
  it->second.secondary_auth_token = std::move(token);
  return true;
}

bool AccountStore::promote_secondary_token(const std::string& sid) {
  auto it = accounts_.find(sid);
  if (it == accounts_.end() || it->second.secondary_auth_token.empty()) return false;
  it->second.auth_token = std::move(it->second.secondary_auth_token);
  it->second.secondary_auth_token.clear();
  return true;
}

}  // namespace dialtone::core
