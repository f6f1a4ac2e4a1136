// The little URL handling core needs: resolving TwiML's relative action URLs against the
// document's URL, and form-encoding parameters for the journal and notifications.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/journal.hpp"

namespace dialtone::core {

// "https://a.example/ivr/menu.xml" + "next" -> "https://a.example/ivr/next";
// + "/x" -> "https://a.example/x"; absolute URLs are returned as they are.
std::string resolve_url(std::string_view base, std::string_view ref);
bool is_absolute_http_url(std::string_view url);
// application/x-www-form-urlencoded as the webhook client has always sent it (Java's URLEncoder:
// "-._*" plain, '~' encoded; the reference does not say which Twilio uses, and an app decodes
// either): the body a webhook sends and the one its journal line shows are this one.
// A webhook's parameters are EventFields already; a Fields converts (one packed copy).
std::string form_encode(const EventFields& fields);
std::string percent_encode(std::string_view s);

}  // namespace dialtone::core
