// /_dialtone/accounts: fresh accounts (and subaccounts) so that parallel tests never see each
// other's calls. Each root account is its own world (core/world/world.hpp): its own clock,
// callees, numbers, limits and sids. Each comes with an auth token and one API key.
//   POST   /_dialtone/accounts          FriendlyName, OwnerAccountSid (a subaccount: it shares
//                                        its owner's world), Clock (real | manual), Speed, Seed
//   GET    /_dialtone/accounts          every account, each root with its world's clock
//   GET    /_dialtone/accounts/{Sid}    one account
//   DELETE /_dialtone/accounts/{Sid}    removes it and frees everything it held
// Thread-safety: called with exclusive access to the Engine.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "api/control_settings.hpp"
#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

struct NewAccount {
  core::Account account;              // sid, token and key made; not stored yet
  std::optional<ClockUpdate> clock;   // Clock (Mode) and Speed: the new world's clock
  std::optional<uint64_t> seed;       // Seed: the new world's sids follow from it
};
// Validates and makes the account (sid, token, API key) without storing it.
core::Result<NewAccount> parse_new_account(const core::Engine& engine, const FormFields& params);

// How a world's clock reads (the clock's mode lives in server/).
using ClockOf = std::function<ClockView(const core::World&)>;

// 201 {sid, auth_token, owner_account_sid, friendly_name, api_key_sid, api_key_secret, seed,
// clock}: the world is the new account's own, or its owner's for a subaccount.
Response account_created(const core::Account& account, const core::World& world,
                         const ClockOf& clock_of);
Response list_accounts(core::Engine& engine, const ClockOf& clock_of);
Response get_account(core::Engine& engine, const std::string& sid, const ClockOf& clock_of);

// Token rotation (docs/faults.md). POST /_dialtone/accounts/{AccountSid}/secondary-token:
// Token= (default: 32 fresh hex digits) becomes the account's secondary auth token, accepted
// for API authentication beside the primary -> 201 {account_sid, secondary_auth_token}.
// DELETE removes it -> 200 (secondary_auth_token null). POST .../promote makes it the primary
// (webhooks are signed with it from then on; the old primary stops working) -> 200
// {account_sid, auth_token}, or 409 when there is no secondary token. 404 for no such account.
Response set_secondary_token(core::Engine& engine, const std::string& account_sid,
                             const FormFields& params);
Response delete_secondary_token(core::Engine& engine, const std::string& account_sid);
Response promote_secondary_token(core::Engine& engine, const std::string& account_sid);

// 32 hex digits: the shape of Twilio's auth tokens.
std::string new_auth_token();

}  // namespace dialtone::api
