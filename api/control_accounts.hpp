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

}  // namespace dialtone::api
