// POST/GET /_dialtone/accounts: fresh accounts (and subaccounts) so that parallel tests never
// see each other's calls. Each comes with an auth token and one API key.
// Thread-safety: called with exclusive access to the Engine.
#pragma once

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "core/engine.hpp"

namespace dialtone::api {

// FriendlyName, OwnerAccountSid (optional: makes a subaccount) -> 201 {sid, auth_token,
// owner_account_sid, friendly_name, api_key_sid, api_key_secret}.
Response create_account(core::Engine& engine, const FormFields& params);
Response list_accounts(const core::Engine& engine);

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
