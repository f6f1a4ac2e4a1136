#include "api/calls_handler.hpp"

#include <algorithm>

#include "api/call_events.hpp"
#include "api/errors.hpp"
#include "api/paging.hpp"
#include "api/params.hpp"
#include "api/render_json.hpp"
#include "api/render_xml.hpp"
#include "core/sid.hpp"

namespace dialtone::api {

namespace {

const std::vector<std::string_view> kCallFilterNames = {
    "To",        "From",    "ParentCallSid", "Status",   "StartTime",
    "StartTime<", "StartTime>", "EndTime",     "EndTime<", "EndTime>",
};
const std::vector<std::string_view> kNotificationFilterNames = {
    "Log", "MessageDate", "MessageDate<", "MessageDate>"};

std::string render_call(Format format, const core::Call& call) {
  return format == Format::kJson ? call_json(call) : call_xml(call);
}

// Deferred: a copy of the Call is rendered after the engine lock is released.
Response call_response(int status, const ApiRequest& req, const core::Call& call) {
  const Format format = req.route.format;
  Response r = body_response(status, format, {});
  if (req.defer_render) {
    r.render = [format, copy = call] { return render_call(format, copy); };
  } else {
    r.body = render_call(format, call);
  }
  r.call_sid = call.sid;
  return r;
}

Response error_response(const core::TwilioError& e, const ApiRequest& req) {
  Response r = render_error(e, req.route.format);
  r.call_sid = req.route.call_sid;
  return r;
}

bool is_decimal(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Response create_call(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  core::Result<core::CreateCall>& parsed = *req.create;
  if (!parsed) return error_response(parsed.error(), req);
  auto created = engine.create_call(std::move(*parsed), out);  // used once: moved on
  if (!created) return error_response(created.error(), req);
  return call_response(201, req, **created);
}

Response fetch_call(core::Engine& engine, const ApiRequest& req) {
  const core::Call* call = engine.find_call(req.route.account_sid, req.route.call_sid);
  if (!call) return error_response(not_found(req.path), req);
  return call_response(200, req, *call);
}

Response update_call(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  // Unknown sids are 404 with the requested path, before any parameter is looked at.
  if (!engine.find_call(req.route.account_sid, req.route.call_sid)) {
    return error_response(not_found(req.path), req);
  }
  const core::Result<core::UpdateCall>& parsed = *req.update;
  if (!parsed) return error_response(parsed.error(), req);
  auto updated = engine.update_call(req.route.account_sid, req.route.call_sid, *parsed, out);
  if (!updated) {
    core::TwilioError e = updated.error();
    if (e.code == 20404) e = not_found(req.path);
    return error_response(e, req);
  }
  return call_response(200, req, **updated);
}

Response delete_call(core::Engine& engine, const ApiRequest& req) {
  if (!engine.find_call(req.route.account_sid, req.route.call_sid)) {
    return error_response(not_found(req.path), req);
  }
  auto status = engine.delete_call(req.route.account_sid, req.route.call_sid);
  if (!status) {
    core::TwilioError e = status.error();
    if (e.code == 20404) e = not_found(req.path);
    return error_response(e, req);
  }
  Response r;
  r.status = 204;
  r.call_sid = req.route.call_sid;
  return r;
}

Response list_calls(core::Engine& engine, const ApiRequest& req) {
  auto filter = parse_call_filter(req.query);
  if (!filter) return error_response(filter.error(), req);
  auto paging =
      parse_paging(req.query, [](std::string_view key) { return core::is_sid(key, "CA"); });
  if (!paging) return error_response(paging.error(), req);
  const PageRequest& p = *paging;

  const bool token = p.after || p.before;
  const size_t skip = token ? 0 : static_cast<size_t>(p.page * p.page_size);
  const core::CallPage page = engine.list_calls(
      req.route.account_sid, *filter, static_cast<size_t>(p.page_size), skip,
      p.after ? p.token_key : std::string(), p.before ? p.token_key : std::string());

  const std::string first = page.calls.empty() ? std::string() : page.calls.front()->sid;
  const std::string last = page.calls.empty() ? std::string() : page.calls.back()->sid;
  const PageMeta meta = make_page_meta(req.path, filter_entries(req.query, kCallFilterNames), p,
                                       page.calls.size(), page.has_more, first, last);
  const Format format = req.route.format;
  auto render = [format](const std::vector<const core::Call*>& calls, const PageMeta& m) {
    return format == Format::kJson ? call_page_json(calls, m) : call_page_xml(calls, m);
  };
  Response r = body_response(200, format, {});
  if (!req.defer_render) {
    r.body = render(page.calls, meta);
    return r;
  }
  // A page is up to 1000 Calls: copying them is a fraction of rendering them.
  std::vector<core::Call> copies;
  copies.reserve(page.calls.size());
  for (const core::Call* c : page.calls) copies.push_back(*c);
  r.render = [render, copies = std::move(copies), meta] {
    std::vector<const core::Call*> calls;
    calls.reserve(copies.size());
    for (const core::Call& c : copies) calls.push_back(&c);
    return render(calls, meta);
  };
  return r;
}

Response list_notifications(core::Engine& engine, const ApiRequest& req) {
  if (!engine.find_call(req.route.account_sid, req.route.call_sid)) {
    return error_response(not_found(req.path), req);
  }
  auto paging =
      parse_paging(req.query, [](std::string_view key) { return core::is_sid(key, "NO"); });
  if (!paging) return error_response(paging.error(), req);

  // Filters: Log (0 error, 1 warning) and MessageDate[<>] on the notification's date.
  std::optional<int> log;
  if (const std::string* v = req.query.get("Log"); v && !v->empty()) {
    if (*v != "0" && *v != "1") {
      return error_response(core::bad_request(20001, "Invalid Log: " + *v + " (0 or 1)"), req);
    }
    log = *v == "1" ? 1 : 0;
  }
  std::optional<core::TimePoint> from, before;
  for (std::string_view key : {"MessageDate", "MessageDate>", "MessageDate<"}) {
    const std::string* v = req.query.get(key);
    if (!v || v->empty()) continue;
    core::TimePoint t{};
    bool date_only = false;
    if (!core::parse_date_filter(*v, t, date_only)) {
      return error_response(
          core::bad_request(20001, "Invalid " + std::string(key) + ": " + *v), req);
    }
    if (key == "MessageDate") {
      from = t;
      before = t + (date_only ? core::Millis{86'400'000} : core::Millis{1000});
    } else if (key == "MessageDate>") {
      from = t;
    } else {
      before = t;
    }
  }

  std::vector<const core::Notification*> all;
  for (const core::Notification* n :
       engine.notifications(req.route.account_sid, req.route.call_sid)) {
    if (log && n->log != *log) continue;
    if (from && n->date_created < *from) continue;
    if (before && n->date_created >= *before) continue;
    all.push_back(n);
  }
  auto [items, has_more] = slice(all, *paging, [](const core::Notification& n) {
    return std::string_view(n.sid);
  });
  const std::string first = items.empty() ? std::string() : items.front()->sid;
  const std::string last = items.empty() ? std::string() : items.back()->sid;
  const PageMeta meta =
      make_page_meta(req.path, filter_entries(req.query, kNotificationFilterNames), *paging,
                     items.size(), has_more, first, last);
  Response r = body_response(200, req.route.format,
                             req.route.format == Format::kJson
                                 ? notification_page_json(items, meta)
                                 : notification_page_xml(items, meta));
  r.call_sid = req.route.call_sid;
  return r;
}

Response fetch_notification(core::Engine& engine, const ApiRequest& req) {
  for (const core::Notification* n :
       engine.notifications(req.route.account_sid, req.route.call_sid)) {
    if (n->sid == req.route.notification_sid) {
      Response r = body_response(200, req.route.format,
                                 req.route.format == Format::kJson ? notification_json(*n, true)
                                                                   : notification_xml(*n, true));
      r.call_sid = req.route.call_sid;
      return r;
    }
  }
  return error_response(not_found(req.path), req);
}

Response list_events(core::Engine& engine, const ApiRequest& req) {
  if (!engine.find_call(req.route.account_sid, req.route.call_sid)) {
    return error_response(not_found(req.path), req);
  }
  // Event tokens carry the journal sequence number of the request: PA123 / PB123.
  auto paging = parse_paging(req.query, is_decimal);
  if (!paging) return error_response(paging.error(), req);

  const std::vector<CallEventRecord> records =
      collect_call_events(engine.journal(), req.route.account_sid, req.route.call_sid);
  std::vector<const CallEventRecord*> all;
  all.reserve(records.size());
  for (const auto& r : records) all.push_back(&r);
  auto [items, has_more] = slice(all, *paging, [](const CallEventRecord& e) {
    return std::to_string(e.seq);
  });
  const std::string first = items.empty() ? std::string() : std::to_string(items.front()->seq);
  const std::string last = items.empty() ? std::string() : std::to_string(items.back()->seq);
  const PageMeta meta =
      make_page_meta(req.path, {}, *paging, items.size(), has_more, first, last);
  Response r = body_response(200, req.route.format,
                             req.route.format == Format::kJson ? event_page_json(items, meta)
                                                               : event_page_xml(items, meta));
  r.call_sid = req.route.call_sid;
  return r;
}

}  // namespace dialtone::api
