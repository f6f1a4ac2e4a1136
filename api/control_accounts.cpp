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

void write_account(JsonWriter& w, const core::Account& a, core::Engine& engine,
                   const ClockOf& clock_of) {
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
  const core::World& world = engine.world(a.sid);
  w.member("world_sid", world.sid);
  w.Key("clock");
  w.raw_value([&](std::string& out) { out += clock_json(clock_of(world)); });
  w.EndObject();
}

}  // namespace

std::string new_auth_token() { return generator().next("XX").substr(2); }

core::Result<NewAccount> parse_new_account(const core::Engine& engine, const FormFields& p) {
  NewAccount n;
  core::Account& a = n.account;
  a.sid = generator().next("AC");
  a.auth_token = new_auth_token();
  a.owner_account_sid = a.sid;
  if (const std::string* owner = p.get("OwnerAccountSid")) {
    const core::Account* parent = engine.accounts().find(*owner);
    if (!parent) {
      return core::TwilioError{404, 0, "No account " + *owner + " to own the subaccount", {}};
    }
    if (parent->owner_account_sid != parent->sid) {
      return bad_control_param("Account " + *owner +
                               " is a subaccount; subaccounts cannot own subaccounts");
    }
    a.owner_account_sid = *owner;
  }
  const std::string* name = p.get("FriendlyName");
  if (name && name->size() > 64) return bad_control_param("FriendlyName is over 64 characters");
  a.friendly_name = name ? *name : "dialtone test account";
  a.api_keys.push_back({generator().next("SK"), new_auth_token()});

  const bool sub = a.owner_account_sid != a.sid;
  if (p.get("Clock") || p.get("Speed")) {
    if (sub)
      return bad_control_param(
          "Clock and Speed belong to a root account: a subaccount shares its "
          "owner's clock");
    FormFields clock;
    if (const std::string* m = p.get("Clock")) clock.add("Mode", *m);
    if (const std::string* s = p.get("Speed")) clock.add("Speed", *s);
    auto update = parse_clock_update(clock);
    if (!update) return update.error();
    n.clock = *update;
  }
  if (const std::string* s = p.get("Seed")) {
    if (sub)
      return bad_control_param(
          "Seed belongs to a root account: a subaccount shares its owner's sids");
    n.seed = core::parse_seed(*s);
    if (!n.seed)
      return bad_control_param("Seed must be a whole number from 0 to 18446744073709551615");
  }
  return n;
}

Response account_created(const core::Account& a, const core::World& world,
                         const ClockOf& clock_of) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("sid", a.sid);
  w.member("auth_token", a.auth_token);
  w.member("owner_account_sid", a.owner_account_sid);
  w.member("friendly_name", a.friendly_name);
  w.member("api_key_sid", a.api_keys[0].sid);
  w.member("api_key_secret", a.api_keys[0].secret);
  w.member("world_sid", world.sid);
  w.member("seed", std::to_string(world.seed));
  w.Key("clock");
  w.raw_value([&](std::string& out) { out += clock_json(clock_of(world)); });
  w.EndObject();
  return control_json(201, std::move(buf));
}

Response list_accounts(core::Engine& engine, const ClockOf& clock_of) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("accounts");
  w.StartArray();
  for (const auto& [sid, a] : engine.accounts().all()) write_account(w, a, engine, clock_of);
  w.EndArray();
  w.EndObject();
  return control_json(200, std::move(buf));
}

Response get_account(core::Engine& engine, const std::string& sid, const ClockOf& clock_of) {
  const core::Account* a = engine.accounts().find(sid);
  if (!a) return control_error(404, "No account " + sid);
  std::string buf;
  JsonWriter w(buf);
  write_account(w, *a, engine, clock_of);
  return control_json(200, std::move(buf));
}

Response set_secondary_token(core::Engine& engine, const std::string& account_sid,
                             const FormFields& p) {
  if (!engine.accounts().find(account_sid)) return no_account(account_sid);
  std::string token = new_auth_token();
  if (const std::string* given = p.get("Token")) {
    if (given->empty() || given->size() > kMaxTokenBytes) {
      return control_error(400,
                           "Token must be 1.." + std::to_string(kMaxTokenBytes) + " characters");
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
    return control_error(409, "Account " + account_sid +
                                  " has no secondary auth token to "
                                  "promote (POST .../secondary-token first)");
  }
  return token_json(200, *a, true);
}

}  // namespace dialtone::api
