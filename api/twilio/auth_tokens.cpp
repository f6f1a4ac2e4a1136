#include "api/twilio/auth_tokens.hpp"

#include "api/auth.hpp"
#include "api/control_accounts.hpp"
#include "api/control_request.hpp"
#include "api/errors.hpp"
#include "api/json_writer.hpp"

namespace dialtone::api {

namespace {

constexpr std::string_view kBase = "/v1/AuthTokens";
constexpr std::string_view kSecondary = "/v1/AuthTokens/Secondary";
constexpr std::string_view kPromote = "/v1/AuthTokens/Promote";
constexpr std::string_view kHost = "https://accounts.twilio.com";

// "2026-01-01T00:00:00Z": Twilio's v1 APIs write ISO 8601 to the second.
std::string iso_seconds(core::TimePoint t) {
  std::string s = format_iso_ms(t);
  return s.erase(19, 4);  // ".000"
}

Response body(int status, const core::Account& a, std::string_view path, core::TimePoint now,
              bool promoted) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("account_sid", a.sid);
  if (promoted) w.member("auth_token", a.auth_token);
  w.member("date_created", iso_seconds(now));
  w.member("date_updated", iso_seconds(now));
  if (!promoted) w.member("secondary_auth_token", a.secondary_auth_token);
  w.member("url", std::string(kHost) + std::string(path));
  w.EndObject();
  Response r;
  r.status = status;
  r.content_type = std::string(kJsonContentType);
  r.body = std::move(buf);
  return r;
}

Response not_allowed(std::string_view allow) {
  Response r = render_error(method_not_allowed(), Format::kJson);
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

}  // namespace

bool is_auth_tokens_path(std::string_view path) {
  return path == kBase || (path.starts_with(kBase) && path[kBase.size()] == '/');
}

Response handle_auth_tokens(core::Engine& engine, const Request& req, bool& changed) {
  changed = false;
  const std::string_view path = split_target(req.target).path;
  auto principal = authenticate(engine.accounts(), req.authorization, Format::kJson);
  if (!principal) return render_error(principal.error(), Format::kJson);
  const std::string sid = (*principal)->sid;
  const core::TimePoint now = engine.world(sid).clock->now();
  if (path == kSecondary) {
    if (req.method == "POST") {
      engine.accounts().set_secondary_token(sid, new_auth_token());
      changed = true;
      return body(201, *engine.accounts().find(sid), path, now, false);
    }
    if (req.method == "DELETE") {
      if ((*principal)->secondary_auth_token.empty()) {
        return render_error(not_found(path), Format::kJson);
      }
      engine.accounts().set_secondary_token(sid, {});
      changed = true;
      Response r;
      r.status = 204;
      return r;
    }
    return not_allowed("POST, DELETE");
  }
  if (path == kPromote) {
    if (req.method != "POST") return not_allowed("POST");
    if (!engine.accounts().promote_secondary_token(sid)) {
      // Twilio's answer is not documented; a 400 like its other refused requests.
      return render_error(core::bad_request(20001, "There is no secondary auth token to promote"),
                          Format::kJson);
    }
    changed = true;
    return body(200, *engine.accounts().find(sid), path, now, true);
  }
  return render_error(not_found(path), Format::kJson);
}

}  // namespace dialtone::api
