// Snapshots of an account: its whole state out as plain data, and back in over another
// account's (core/snapshot/snapshot.hpp). Both refuse rather than approximate: a snapshot
// only of a settled account, a restore only once the whole document is known to fit.
#include <optional>
#include <set>

#include "core/engine_impl.hpp"

namespace dialtone::core {
namespace {

TwilioError conflict(std::string message) { return TwilioError{409, 0, std::move(message), {}}; }
// A document that does not hold together, worded as api/control/snapshot.cpp words one that
// does not read.
TwilioError invalid(std::string message) {
  return bad_request(0, "Invalid snapshot: " + std::move(message));
}

// "CA1, CA2 and 3 more": a 409 names what is in the way without growing without bound.
std::string list_some(const std::vector<std::string>& sids) {
  constexpr size_t kNamed = 5;
  std::string out;
  for (size_t i = 0; i < sids.size() && i < kNamed; ++i) out += (i ? ", " : "") + sids[i];
  if (sids.size() > kNamed) out += " and " + std::to_string(sids.size() - kNamed) + " more";
  return out;
}

// A subaccount shares its owner's world (clock, callees, sid sequence): a snapshot of it alone
// could not be restored without changing the owner's. Subaccounts of a root are not captured
// (yet): refusing beats leaving them out silently.
std::optional<TwilioError> check_root(const AccountStore& accounts,
                                             const std::string& account_sid,
                                             const std::string& root) {
  // (Also within one engine command: an account deleted since the caller looked gets no world.)
  if (!accounts.find(account_sid)) return TwilioError{404, 0, "No account " + account_sid, {}};
  if (root != account_sid) {
    return bad_request(0, "Account " + account_sid + " is a subaccount: it lives in the world "
                          "of " + root + "; snapshots are of root accounts");
  }
  std::vector<std::string> subs;
  for (const auto& [sid, a] : accounts.all()) {
    if (sid != account_sid && a.owner_account_sid == account_sid) subs.push_back(sid);
  }
  if (!subs.empty()) {
    return conflict("Account " + account_sid + " has subaccounts (" + list_some(subs) +
                    "); snapshots of accounts with subaccounts are not supported");
  }
  return std::nullopt;
}

}  // namespace

Result<AccountSnapshot> Engine::snapshot(const std::string& account_sid) {
  if (auto e = check_root(accounts_, account_sid, root_of(account_sid))) return *e;
  std::vector<std::string> live;
  if (auto it = impl_->by_account.find(account_sid); it != impl_->by_account.end()) {
    for (const CallRecord* rec : it->second) {
      if (is_live(rec->call.status)) live.push_back(rec->call.sid);
    }
  }
  if (!live.empty()) {
    return conflict("Account " + account_sid + " has live calls (" + list_some(live) +
                    "): a snapshot holds a settled account only; end them, or advance the "
                    "clock until they end");
  }
  size_t out = 0;
  for (const auto& [id, p] : impl_->pending) {
    const CallRecord* rec = impl_->get(p.call_sid);
    out += rec && rec->call.account_sid == account_sid;
  }
  if (out > 0) {
    return conflict("Account " + account_sid + " has " + std::to_string(out) +
                    " webhook(s) out: a snapshot waits until their answers are in (an advance "
                    "of a manual clock waits for them)");
  }

  World& w = world(account_sid);
  AccountSnapshot s;
  s.account_sid = account_sid;
  s.clock.now = w.clock->now();
  s.seed = w.seed;
  s.sids_made = w.sids.made();
  s.calls_per_second = w.calls_per_second;
  s.next_dial_slot = w.next_dial_slot;
  s.behaviors = w.behaviors;
  for (const PhoneNumber* n : w.numbers.of_account(account_sid)) s.numbers.push_back(*n);
  for (const auto& [key, sid] : impl_->queue_sids) {
    if (key.first == account_sid) s.queue_sids.emplace_back(key.second, sid);
  }
  if (auto it = impl_->by_account.find(account_sid); it != impl_->by_account.end()) {
    for (const CallRecord* rec : it->second) {
      s.calls.push_back(rec->call);
      for (const auto& sid : rec->notifications) {
        if (auto n = impl_->notifications.find(sid); n != impl_->notifications.end()) {
          s.notifications.push_back(n->second);
        }
      }
    }
  }
  for (const JournalEvent& e : journal_.events()) {
    if (e.account_sid == account_sid) s.journal.push_back(e);
  }
  return s;
}

Status Engine::restore(const std::string& account_sid, AccountSnapshot s) {
  if (auto e = check_root(accounts_, account_sid, root_of(account_sid))) return *e;
  if (s.sids_made > kMaxSnapshotSidsMade) {
    return invalid("sids.made is over " + std::to_string(kMaxSnapshotSidsMade));
  }
  // Everything is checked before anything changes: a refused document leaves the account as
  // it was.
  std::set<std::string> calls;
  std::vector<std::string> taken;
  for (const Call& c : s.calls) {
    if (is_live(c.status)) {
      return invalid("Call " + c.sid + " is " + std::string(to_wire(c.status)) +
                     ": a snapshot holds ended calls only");
    }
    if (!calls.insert(c.sid).second) return invalid("Call " + c.sid + " is there twice");
    // Call sids are unique across the process (Twilio's are global): one that another account
    // holds cannot be loaded beside it.
    const CallRecord* held = impl_->get(c.sid);
    if (held && held->call.account_sid != account_sid) taken.push_back(c.sid);
  }
  std::set<std::string> notifications;
  for (const Notification& n : s.notifications) {
    if (!calls.count(n.call_sid)) {
      return invalid("Notification " + n.sid + " is of call " + n.call_sid +
                     ", which the document does not hold");
    }
    if (!notifications.insert(n.sid).second) {
      return invalid("Notification " + n.sid + " is there twice");
    }
    auto held = impl_->notifications.find(n.sid);
    if (held != impl_->notifications.end() && held->second.account_sid != account_sid) {
      taken.push_back(n.sid);
    }
  }
  if (!taken.empty()) {
    return conflict("Sids of the document are held by another account (" + list_some(taken) +
                    "): restore into a dialtone or at a time where their account is gone, or "
                    "reset or delete that account first");
  }
  std::set<std::string> phones;
  for (const PhoneNumber& n : s.numbers) {
    if (!phones.insert(n.phone_number).second) {
      return invalid("Number " + n.phone_number + " is there twice");
    }
  }

  // Like POST /_dialtone/reset of the account, then loading.
  reset_account(account_sid);
  World& w = world(account_sid);
  w.seed = s.seed;
  w.sids = SidGenerator(s.seed);
  w.sids.skip(s.sids_made);
  w.calls_per_second = s.calls_per_second;
  w.next_dial_slot = s.next_dial_slot;
  w.behaviors = std::move(s.behaviors);
  for (PhoneNumber& n : s.numbers) {
    n.account_sid = account_sid;
    w.numbers.put(std::move(n));
  }
  for (auto& [name, sid] : s.queue_sids) impl_->queue_sids[{account_sid, name}] = sid;
  for (Call& c : s.calls) {
    c.account_sid = account_sid;
    CallRecord& rec = impl_->add_call(std::move(c));
    rec.answered = rec.call.start_time.has_value();
    if (config_.track_changes) impl_->dirty_calls.insert(rec.call.sid);
  }
  for (Notification& n : s.notifications) {
    n.account_sid = account_sid;
    impl_->get(n.call_sid)->notifications.push_back(n.sid);
    if (config_.track_changes) impl_->new_notifications.push_back(n.sid);
    std::string sid = n.sid;
    impl_->notifications.emplace(std::move(sid), std::move(n));
  }
  // The events come after every other account's in the process-wide journal, with new seqs:
  // their order and times are the document's.
  for (JournalEvent& e : s.journal) {
    e.account_sid = account_sid;
    journal_.append(std::move(e));
  }
  impl_->touch(w);
  return Ok{};
}

}  // namespace dialtone::core
