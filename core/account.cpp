#include "core/account.hpp"

namespace dialtone::core {

void AccountStore::put(Account account) {
  if (account.owner_account_sid.empty()) account.owner_account_sid = account.sid;
  std::string sid = account.sid;
  accounts_[sid] = std::move(account);
}

const Account* AccountStore::find(const std::string& sid) const {
  auto it = accounts_.find(sid);
  return it == accounts_.end() ? nullptr : &it->second;
}

const Account* AccountStore::find_by_key(const std::string& key_sid,
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

}  // namespace dialtone::core
