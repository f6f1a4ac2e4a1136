// Calls/{Sid}/Events: the HTTP requests dialtone made for a call and their responses, read from
// the journal's "webhook.request"/"webhook.response" events, paired by their "id" field.
// Thread-safety: pure function over a journal the caller keeps still.
#pragma once

#include <string_view>
#include <vector>

#include "api/resources.hpp"
#include "core/journal.hpp"

namespace dialtone::api {

// Oldest first (the order the requests were made). Journal field conventions read here:
// request: id, method, url, params (form-encoded; any other field not in {id, method, url,
// purpose, signature, kind} is also a parameter); response: id, status|http_status,
// latency_ms, content_type, body.
std::vector<CallEventRecord> collect_call_events(const core::Journal& journal,
                                                 std::string_view account_sid,
                                                 std::string_view call_sid);

}  // namespace dialtone::api
