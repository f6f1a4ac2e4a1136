// JSON representations: the Call (every field of the spec's api.v2010.account.call, in the
// spec's order), Call Notifications, Call Events, and their page envelopes.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "api/resources.hpp"
#include "core/call.hpp"
#include "core/notification.hpp"

namespace dialtone::api {

std::string call_json(const core::Call& call);
// {"calls": [...], "end": .., "first_page_uri": .., "next_page_uri": .., "page": ..,
//  "page_size": .., "previous_page_uri": .., "start": .., "uri": ..}
std::string call_page_json(const std::vector<const core::Call*>& calls, const PageMeta& meta);

// `instance` adds request_variables, response_body, response_headers (the fetch schema).
std::string notification_json(const core::Notification& n, bool instance);
std::string notification_page_json(const std::vector<const core::Notification*>& items,
                                   const PageMeta& meta);

std::string event_page_json(const std::vector<const CallEventRecord*>& items,
                            const PageMeta& meta);

}  // namespace dialtone::api
