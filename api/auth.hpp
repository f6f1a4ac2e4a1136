// HTTP Basic authentication of Twilio API requests: AccountSid:AuthToken (the primary or the
// secondary auth token), or an API key (SK...:secret) of an account; and the check that the
// path's account may be used.
// Thread-safety: pure functions over an AccountStore the caller keeps still.
#pragma once

#include <string_view>

#include "api/route.hpp"
#include "core/account.hpp"
#include "core/result.hpp"

namespace dialtone::api {

// The account the credentials belong to (for an API key: the key's account), or a 401/20003
// error with Twilio's observed bodies. `format` only chooses between the observed wordings,
// which differ between the JSON and the XML captures.
core::Result<const core::Account*> authenticate(const core::AccountStore& accounts,
                                                std::string_view authorization, Format format);

// The path account must be the authenticated account or one of its subaccounts (an account
// whose owner_account_sid is the authenticated one). Twilio's behaviour for another account is
// not observed; 20003's documented causes include "Using subaccount credentials to access
// master account", so anything else is 401/20003 "Authenticate" rather than a 404 that
// would reveal which accounts exist.
core::Status authorize_account(const core::AccountStore& accounts,
                               const core::Account& principal, std::string_view path_account,
                               Format format);

// Compares secrets in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// Standard Base64 (RFC 4648, padding optional). False on any other character.
bool base64_decode(std::string_view in, std::string& out);

}  // namespace dialtone::api
