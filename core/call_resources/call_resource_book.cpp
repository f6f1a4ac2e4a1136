#include "core/call_resources/call_resource_book.hpp"

#include <algorithm>

namespace dialtone::core::call_resources {

std::string_view sid_prefix(Kind k) {
  switch (k) {
    case Kind::kSiprec: return "SR";
    case Kind::kTranscription: return "GT";
    case Kind::kPayment: return "PK";
    case Kind::kUserDefinedMessage: return "KX";
    case Kind::kUserDefinedMessageSubscription: return "ZY";
  }
  return "XX";
}

CallResource& CallResourceBook::add(CallResource r) {
  auto& list = by_call_[r.call_sid];
  list.push_back(std::make_unique<CallResource>(std::move(r)));
  return *list.back();
}

CallResource* CallResourceBook::find(std::string_view call_sid, Kind kind,
                                     std::string_view sid_or_name) {
  auto it = by_call_.find(call_sid);
  if (it == by_call_.end()) return nullptr;
  CallResource* stopped = nullptr;
  for (const auto& r : it->second) {
    if (r->kind != kind) continue;
    if (r->sid == sid_or_name) return r.get();
    if (r->name.empty() || r->name != sid_or_name) continue;
    if (!r->stopped) return r.get();
    stopped = r.get();
  }
  return stopped;
}

size_t CallResourceBook::count(std::string_view call_sid, Kind kind) const {
  auto it = by_call_.find(call_sid);
  if (it == by_call_.end()) return 0;
  return static_cast<size_t>(std::count_if(it->second.begin(), it->second.end(),
                                           [&](const auto& r) { return r->kind == kind; }));
}

bool CallResourceBook::erase(std::string_view call_sid, Kind kind, std::string_view sid) {
  auto it = by_call_.find(call_sid);
  if (it == by_call_.end()) return false;
  return std::erase_if(it->second, [&](const auto& r) {
           return r->kind == kind && r->sid == sid;
         }) > 0;
}

void CallResourceBook::erase_account(const std::string& account_sid) {
  std::erase_if(by_call_, [&](const auto& entry) {
    return !entry.second.empty() && entry.second.front()->account_sid == account_sid;
  });
}

}  // namespace dialtone::core::call_resources
