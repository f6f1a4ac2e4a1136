#include "core/number_store.hpp"

#include <iterator>

namespace dialtone::core {

void NumberStore::put(PhoneNumber number) {
  std::string key = number.phone_number;
  numbers_[key] = std::move(number);
}

const PhoneNumber* NumberStore::find(const std::string& phone_number) const {
  auto it = numbers_.find(phone_number);
  return it == numbers_.end() ? nullptr : &it->second;
}

std::vector<const PhoneNumber*> NumberStore::of_account(const std::string& account_sid) const {
  std::vector<const PhoneNumber*> out;
  for (const auto& [n, number] : numbers_)
    if (number.account_sid == account_sid) out.push_back(&number);
  return out;
}

void NumberStore::erase_account(const std::string& account_sid) {
  std::erase_if(numbers_, [&](const auto& kv) { return kv.second.account_sid == account_sid; });
}

}  // namespace dialtone::core
