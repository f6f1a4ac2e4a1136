#include "api/control_accounts.hpp"

#include "api/control_request.hpp"
#include "api/json_writer.hpp"
#include "core/sid.hpp"

namespace dialtone::api {

namespace {

core::SidGenerator& generator() {
  thread_local core::SidGenerator sids;
  return sids;
}

constexpr size_t kMaxTokenBytes = 256;

Response token_json(int status, const core::Account& a, bool primary) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("account_sid", a.sid);
  if (primary) w.member("auth_token", a.auth_token);
  w.member_or_null("secondary_auth_token", a.secondary_auth_token);
  w.EndObject();
  return control_json(status, std::move(buf));
}

Response no_account(const std::string& sid) { return control_error(404, "No account " + sid); }

}  // namespace

std::string new_auth_token() { return generator().next("XX").substr(2); }

Response set_secondary_token(core::Engine& engine, const std::string& account_sid,
                             const FormFields& p) {
  if (!engine.accounts().find(account_sid)) return no_account(account_sid);
  std::string token = new_auth_token();
  if (const std::string* given = p.get("Token")) {
    if (given->empty() || given->size() > kMaxTokenBytes) {
      return control_error(400, "Token must be 1.." + std::to_string(kMaxTokenBytes) +
                                    " characters");
    }
    for (char c : *given) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
        return control_error(400, "Token must not hold spaces or control characters");
      }
    }
    token = *given;
  }
  engine.accounts().set_secondary_token(account_sid, std::move(token));
  return token_json(201, *engine.accounts().find(account_sid), false);
}

Response delete_secondary_token(core::Engine& engine, const std::string& account_sid) {
  if (!engine.accounts().set_secondary_token(account_sid, {})) return no_account(account_sid);
  return token_json(200, *engine.accounts().find(account_sid), false);
}

Response promote_secondary_token(core::Engine& engine, const std::string& account_sid) {
  const core::Account* a = engine.accounts().find(account_sid);
  if (!a) return no_account(account_sid);
  if (!engine.accounts().promote_secondary_token(account_sid)) {
    return control_error(409, "Account " + account_sid + " has no secondary auth token to "
                              "promote (POST .../secondary-token first)");
  }
  return token_json(200, *a, true);
}

Response create_account(core::Engine& engine, const FormFields& p) {
  core::Account a;
  a.sid = generator().next("AC");
  a.auth_token = new_auth_token();
  a.owner_account_sid = a.sid;
  if (const std::string* owner = p.get("OwnerAccountSid")) {
    const core::Account* parent = engine.accounts().find(*owner);
    if (!parent) return control_error(404, "No account " + *owner + " to own the subaccount");
    if (parent->owner_account_sid != parent->sid) {
      return control_error(400, "Account " + *owner + " is a subaccount; subaccounts cannot "
                                "own subaccounts");
    }
    a.owner_account_sid = *owner;
  }
  const std::string* name = p.get("FriendlyName");
  if (name && name->size() > 64) return control_error(400, "FriendlyName is over 64 characters");
  a.friendly_name = name ? *name : "dialtone test account";
  a.api_keys.push_back({generator().next("SK"), new_auth_token()});
  engine.accounts().put(a);

  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("sid", a.sid);
  w.member("auth_token", a.auth_token);
  w.member("owner_account_sid", a.owner_account_sid);
  w.member("friendly_name", a.friendly_name);
  w.member("api_key_sid", a.api_keys[0].sid);
  w.member("api_key_secret", a.api_keys[0].secret);
  w.EndObject();
  return control_json(201, std::move(buf));
}

Response list_accounts(const core::Engine& engine) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("accounts");
  w.StartArray();
  for (const auto& [sid, a] : engine.accounts().all()) {
    w.StartObject();
    w.member("sid", a.sid);
    w.member("auth_token", a.auth_token);
    w.member_or_null("secondary_auth_token", a.secondary_auth_token);
    w.member("owner_account_sid", a.owner_account_sid);
    w.member("friendly_name", a.friendly_name);
    w.Key("api_key_sids");
    w.StartArray();
    for (const auto& k : a.api_keys) w.String(k.sid);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return control_json(200, std::move(buf));
}

}  // namespace dialtone::api
