// The JSON document of an account's snapshot (core/snapshot/snapshot.hpp; the rules are in
// docs/accounts.md): GET /_dialtone/accounts/{AccountSid}/snapshot writes it and POST loads it
// into an account, the same one or another.
// The document is meant to be kept as a test's fixture: its members come in one fixed order,
// pretty-printed, so one state always gives the same bytes and a change diffs line by line.
// It names its source account once ("account_sid"); loading it into another account turns
// every occurrence of that sid, in any member or text (webhook parameters in the journal, URLs),
// into the target's, so that a restored account's snapshot is the source's with only the
// account sid changed.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/snapshot/snapshot.hpp"

namespace dialtone::api {

// "dialtone_snapshot": the version of the document's format. A reader refuses any other.
inline constexpr int kSnapshotVersion = 1;

std::string snapshot_json(const core::AccountSnapshot& snapshot);

// Reads a document for the account `target_sid`, checked whole: a 400 names the first problem
// (and counts the others) when it is not JSON, not a snapshot, of another version, or has a
// member that is missing, mistyped, out of range or unknown. The records it gives are the
// target's; its account_sid stays the source's.
core::Result<core::AccountSnapshot> parse_snapshot(std::string_view body,
                                                   const std::string& target_sid);

// The answer of a restore: {"restored": target, "from": source, "calls", "live_calls",
// "notifications", "events", "numbers"} (counts), from what parse_snapshot() read.
std::string restored_json(const std::string& target_sid, const core::AccountSnapshot& loaded);

}  // namespace dialtone::api
