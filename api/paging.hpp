// Twilio's list paging: PageSize/Page/PageToken in, the envelope's URIs out (reference §5.1).
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "api/form.hpp"
#include "api/resources.hpp"
#include "core/result.hpp"

namespace dialtone::api {

inline constexpr int64_t kDefaultPageSize = 50;
inline constexpr int64_t kMaxPageSize = 1000;

struct PageRequest {
  int64_t page_size = kDefaultPageSize;
  int64_t page = 0;
  std::string token;       // as given, echoed in `uri`
  bool after = false;      // PA<key>: the page after this item
  bool before = false;     // PB<key>: the page that ends just before this item
  std::string token_key;   // the item key inside the token
};

// PageSize 1..1000 (else 400/20001), Page >= 0 (else 400/20001), PageToken `PA<key>` or
// `PB<key>` where `is_key` accepts the key (else 400/21481 "Invalid PageToken").
template <class IsKey>
core::Result<PageRequest> parse_paging(const FormFields& query, IsKey is_key);
core::Result<PageRequest> parse_paging_common(const FormFields& query);
bool split_token(PageRequest& req);

// Builds uri / first / next / previous for a page. `filters` are the query's filter entries
// (request order), echoed first; `first_key`/`last_key` are the keys of the page's first and
// last items (empty page: both empty).
PageMeta make_page_meta(std::string_view path, const std::vector<FormFields::Entry>& filters,
                        const PageRequest& req, size_t count, bool has_more,
                        std::string_view first_key, std::string_view last_key);

// The query's entries except PageSize, Page and PageToken, keeping only names in `known`.
std::vector<FormFields::Entry> filter_entries(const FormFields& query,
                                              const std::vector<std::string_view>& known);

// One page of an already filtered, ordered list held in memory (notifications, events,
// queues, members): by PageToken when given, else by Page. The bool: more follow the page.
template <class T, class KeyOf>
std::pair<std::vector<const T*>, bool> slice(const std::vector<const T*>& all,
                                             const PageRequest& req, KeyOf key_of) {
  const auto size = static_cast<size_t>(req.page_size);
  size_t begin = 0;
  size_t end = all.size();
  if (req.after || req.before) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const T* t) { return key_of(*t) == req.token_key; });
    if (it == all.end()) return {{}, false};
    const auto pos = static_cast<size_t>(it - all.begin());
    if (req.after) {
      begin = pos + 1;
    } else {
      end = pos;
      begin = end > size ? end - size : 0;
    }
  } else {
    begin = std::min(all.size(), static_cast<size_t>(req.page) * size);
  }
  const size_t last = std::min(end, begin + size);
  std::vector<const T*> items(all.begin() + static_cast<std::ptrdiff_t>(begin),
                              all.begin() + static_cast<std::ptrdiff_t>(last));
  return {std::move(items), last < all.size()};
}

template <class IsKey>
core::Result<PageRequest> parse_paging(const FormFields& query, IsKey is_key) {
  auto req = parse_paging_common(query);
  if (!req) return req;
  if (!req->token.empty() && (!split_token(*req) || !is_key(req->token_key))) {
    return core::bad_request(21481, "Invalid PageToken");
  }
  return req;
}

}  // namespace dialtone::api
