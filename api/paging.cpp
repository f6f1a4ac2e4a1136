#include "api/paging.hpp"


namespace dialtone::api {

namespace {

void append_param(std::string& uri, bool& first, std::string_view key, std::string_view value) {
  uri += first ? '?' : '&';
  first = false;
  uri += percent_encode(key);
  uri += '=';
  uri += percent_encode(value);
}

std::string page_uri(std::string_view path, const std::vector<FormFields::Entry>& filters,
                     int64_t page_size, int64_t page, std::string_view token) {
  std::string uri(path);
  bool first = true;
  for (const auto& [k, v] : filters) append_param(uri, first, k, v);
  append_param(uri, first, "PageSize", std::to_string(page_size));
  append_param(uri, first, "Page", std::to_string(page));
  if (!token.empty()) append_param(uri, first, "PageToken", token);
  return uri;
}

}  // namespace

core::Result<PageRequest> parse_paging_common(const FormFields& query) {
  PageRequest req;
  if (const std::string* v = query.get("PageSize"); v && !v->empty()) {
    const auto n = parse_int(*v);
    if (!n || *n < 1 || *n > kMaxPageSize) {
      return core::bad_request(20001, "Invalid PageSize: '" + *v +
                                          "' (must be an integer from 1 to 1000)");
    }
    req.page_size = *n;
  }
  if (const std::string* v = query.get("Page"); v && !v->empty()) {
    const auto n = parse_int(*v);
    if (!n || *n < 0) {
      return core::bad_request(20001, "Invalid Page: '" + *v + "' (must be an integer >= 0)");
    }
    req.page = *n;
  }
  if (const std::string* v = query.get("PageToken")) req.token = *v;
  return req;
}

bool split_token(PageRequest& req) {
  const std::string& t = req.token;
  if (t.size() < 3 || t[0] != 'P' || (t[1] != 'A' && t[1] != 'B')) return false;
  req.after = t[1] == 'A';
  req.before = t[1] == 'B';
  req.token_key = t.substr(2);
  return true;
}

PageMeta make_page_meta(std::string_view path, const std::vector<FormFields::Entry>& filters,
                        const PageRequest& req, size_t count, bool has_more,
                        std::string_view first_key, std::string_view last_key) {
  PageMeta m;
  m.page = req.page;
  m.page_size = req.page_size;
  m.uri = page_uri(path, filters, req.page_size, req.page, req.token);
  m.first_page_uri = page_uri(path, filters, req.page_size, 0, {});
  m.start = req.page * req.page_size;
  m.end = count == 0 ? m.start : m.start + static_cast<int64_t>(count) - 1;
  if (has_more && count > 0) {
    m.next_page_uri =
        page_uri(path, filters, req.page_size, req.page + 1, "PA" + std::string(last_key));
  }
  if (req.page > 0 && count > 0) {
    m.previous_page_uri =
        page_uri(path, filters, req.page_size, req.page - 1, "PB" + std::string(first_key));
  }
  return m;
}

std::vector<FormFields::Entry> filter_entries(const FormFields& query,
                                              const std::vector<std::string_view>& known) {
  std::vector<FormFields::Entry> out;
  for (const auto& entry : query.entries()) {
    for (std::string_view k : known) {
      if (entry.first == k) {
        out.push_back(entry);
        break;
      }
    }
  }
  return out;
}

}  // namespace dialtone::api
