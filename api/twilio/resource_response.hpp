// Answers built from a resource's description (resource/resource.hpp), shared by the handlers
// of every described resource: one resource, a page of them, an error.
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "api/paging.hpp"
#include "api/resource/resource.hpp"
#include "api/twilio/request.hpp"

namespace dialtone::api {

// The error, with a 20404 worded with the requested path.
inline Response error_for(const core::TwilioError& e, const ApiRequest& req) {
  if (e.code == 20404) return render_error(not_found(req.path), req.route.format);
  return render_error(e, req.route.format);
}

// 400 20001 for a required form parameter the request lacks.
inline core::TwilioError missing_param(std::string_view name) {
  return core::bad_request(20001, "Missing required parameter " + std::string(name) +
                                      " in the post body");
}

// One resource in the request's format. With defer_render a copy is rendered after the engine
// lock is released.
template <class T>
Response resource_response(int status, const ApiRequest& req, const resource::Description<T>& d,
                           T item) {
  const Format format = req.route.format;
  auto render = [format, &d](const T& x) {
    return format == Format::kJson ? resource::to_json(d, x) : resource::to_xml(d, x);
  };
  Response r = body_response(status, format, {});
  if (req.defer_render) {
    r.render = [render, item = std::move(item)] { return render(item); };
  } else {
    r.body = render(item);
  }
  return r;
}

// One page of `records` (the whole list, in its order) by the request's paging; `key_of`
// names an item in PageToken; `filters` are echoed in the page's URIs.
template <class T, class KeyOf>
Response page_response(const ApiRequest& req, const resource::Description<T>& d,
                       const std::vector<T>& records, const PageRequest& paging, KeyOf key_of,
                       const std::vector<FormFields::Entry>& filters = {}) {
  std::vector<const T*> all;
  all.reserve(records.size());
  for (const T& r : records) all.push_back(&r);
  auto [items, has_more] = slice(all, paging, key_of);
  const PageMeta meta = make_page_meta(req.path, filters, paging, items.size(), has_more,
                                       items.empty() ? std::string_view() : key_of(*items.front()),
                                       items.empty() ? std::string_view() : key_of(*items.back()));
  const Format format = req.route.format;
  return body_response(200, format,
                       format == Format::kJson ? resource::page_json(d, items, meta)
                                               : resource::page_xml(d, items, meta));
}

}  // namespace dialtone::api
