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

// 32 hex digits: the shape of Twilio's auth tokens.
std::string secret() { return generator().next("XX").substr(2); }

}  // namespace

Response create_account(core::Engine& engine, const FormFields& p) {
  core::Account a;
  a.sid = generator().next("AC");
  a.auth_token = secret();
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
  a.api_keys.push_back({generator().next("SK"), secret()});
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
