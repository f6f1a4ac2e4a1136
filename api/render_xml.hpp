// XML representations (no suffix or `.xml`): <TwilioResponse><Call>...</Call></TwilioResponse>
// with PascalCase elements, empty elements for nulls, and Uri/SubresourceUris without `.json`
// (reference §7). Lists carry their paging as lowercase attributes of the list element.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "api/resources.hpp"
#include "core/call.hpp"
#include "core/notification.hpp"

namespace dialtone::api {

std::string call_xml(const core::Call& call);
std::string call_page_xml(const std::vector<const core::Call*>& calls, const PageMeta& meta);
std::string notification_xml(const core::Notification& n, bool instance);
std::string notification_page_xml(const std::vector<const core::Notification*>& items,
                                  const PageMeta& meta);
std::string event_page_xml(const std::vector<const CallEventRecord*>& items,
                           const PageMeta& meta);

}  // namespace dialtone::api
