#include "api/twilio_api.hpp"

#include "api/auth.hpp"
#include "api/calls_handler.hpp"
#include "api/errors.hpp"
#include "api/form.hpp"
#include "api/route.hpp"

namespace dialtone::api {

namespace {

bool is_form_content_type(std::string_view ct) {
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  if (ct.empty()) return true;  // clients that send a bare body mean a form
  if (ct.size() < kForm.size()) return false;
  for (size_t i = 0; i < kForm.size(); ++i) {
    char c = ct[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kForm[i]) return false;
  }
  return ct.size() == kForm.size() || ct[kForm.size()] == ';' || ct[kForm.size()] == ' ';
}

Response bad_encoding(std::string_view what, const std::string& reason, Format format) {
  return render_error(
      core::bad_request(20001, "Invalid " + std::string(what) + ": " + reason), format);
}

}  // namespace

Response handle_twilio(core::Engine& engine, const Request& req, core::Effects& out) {
  const Target target = split_target(req.target);
  const Format format = format_of_path(target.path);

  auto principal = authenticate(engine.accounts(), req.authorization, format);
  if (!principal) return render_error(principal.error(), format);

  const auto route = match_route(target.path);
  if (!route) return render_error(not_found(target.path), format);
  if (!method_allowed(route->kind, req.method)) {
    Response r = render_error(method_not_allowed(), route->format);
    r.headers.emplace_back("Allow", std::string(allowed_methods(route->kind)));
    return r;
  }
  if (auto ok = authorize_account(engine.accounts(), **principal, route->account_sid, format);
      !ok) {
    return render_error(ok.error(), format);
  }

  std::string reason;
  const auto query = decode_form(target.query, &reason);
  if (!query) return bad_encoding("query string", reason, route->format);
  FormFields body;
  // Twilio reads parameters from a form body only; other body types carry none.
  if (req.method == "POST" && is_form_content_type(req.content_type)) {
    auto decoded = decode_form(req.body, &reason);
    if (!decoded) return bad_encoding("form body", reason, route->format);
    body = std::move(*decoded);
  }

  const CallsRequest calls{*route, target.path, *query, body, req.request_id, req.defer_render};
  switch (route->kind) {
    case RouteKind::kCalls:
      return req.method == "POST" ? create_call(engine, calls, out) : list_calls(engine, calls);
    case RouteKind::kCall:
      if (req.method == "POST") return update_call(engine, calls, out);
      if (req.method == "DELETE") return delete_call(engine, calls);
      return fetch_call(engine, calls);
    case RouteKind::kCallNotifications:
      return list_notifications(engine, calls);
    case RouteKind::kCallNotification:
      return fetch_notification(engine, calls);
    case RouteKind::kCallEvents:
      return list_events(engine, calls);
  }
  return render_error(not_found(target.path), format);
}

}  // namespace dialtone::api
