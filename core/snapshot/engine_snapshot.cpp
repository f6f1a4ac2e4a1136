// Snapshots of an account: its whole state out as plain data, and back in over another
// account's (core/snapshot/snapshot.hpp). Both refuse rather than approximate: a snapshot not
// while a webhook of the account is out, a restore only once the whole document is known to fit.
#include <algorithm>
#include <map>
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
// could not be restored without changing the owner's. Subaccounts of a root are not captured:
// a restore would have to invent them anew (docs/accounts.md says why that is refused), and
// refusing beats leaving them out silently.
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

LiveCall live_of(const CallRecord& rec) {
  LiveCall l;
  l.call_sid = rec.call.sid;
  l.phase = rec.phase;
  l.answered = rec.answered;
  if (rec.behavior_) l.behavior = *rec.behavior_;
  const CallRuntime& r = rec.rt();
  l.program = r.program;
  l.fetch_url = r.fetch_url;
  l.dialed_by = r.dialed_by;
  l.dial_noun_url = r.dial_noun_url;
  l.gather_input_next = r.gather_input_next;
  l.documents = r.documents;
  l.documents_since = r.documents_since;
  l.hold_started = r.hold_started;
  l.ring_outcome = r.ring_outcome;
  l.awaiting_fallback = r.awaiting_fallback;
  l.awaiting_hold = r.awaiting_hold;
  if (r.gather) l.gather = *r.gather;
  if (r.dial) l.dial = *r.dial;
  if (r.queue) l.queue = *r.queue;
  if (r.conference) l.conference = *r.conference;
  return l;
}

void apply_live(CallRecord& rec, LiveCall l) {
  rec.phase = l.phase;
  rec.answered = l.answered;
  CallRuntime& r = rec.rt();
  r.program = std::move(l.program);
  r.fetch_url = std::move(l.fetch_url);
  r.dialed_by = std::move(l.dialed_by);
  r.dial_noun_url = std::move(l.dial_noun_url);
  r.gather_input_next = l.gather_input_next;
  r.documents = l.documents;
  r.documents_since = l.documents_since;
  r.hold_started = l.hold_started;
  r.ring_outcome = l.ring_outcome;
  r.awaiting_fallback = l.awaiting_fallback;
  r.awaiting_hold = l.awaiting_hold;
  if (l.gather) r.gather = std::make_unique<GatherState>(std::move(*l.gather));
  if (l.dial) r.dial = std::make_unique<DialState>(std::move(*l.dial));
  if (l.queue) r.queue = std::make_unique<QueueState>(std::move(*l.queue));
  if (l.conference) r.conference = std::make_unique<ConferenceState>(std::move(*l.conference));
}

// Whether a timer of this kind may be armed on a call in this phase: the ones that act on the
// verb the call is at come only in the phases that point at one (a crafted document must not
// have the interpreter read a verb that is not there).
bool fits(TimerKind kind, Phase phase) {
  switch (kind) {
    case TimerKind::kGatherInput:
    case TimerKind::kGatherTimeout:  // (kEnqueued: a <Gather> of the wait document)
      return phase == Phase::kGather || phase == Phase::kEnqueued;
    case TimerKind::kDialTimeout:
      return phase == Phase::kDial;
    case TimerKind::kDialTimeLimit:  // a <Dial timeLimit> also bounds a conference's <Dial>
      return phase == Phase::kDial || phase == Phase::kConference;
    case TimerKind::kRecordDone:
      return phase == Phase::kRecord;
    case TimerKind::kVerbDone:
      return phase == Phase::kVerb || phase == Phase::kGather || phase == Phase::kEnqueued ||
             phase == Phase::kConference ||  // a conference's wait or hold music
             phase == Phase::kBridged;       // a <Queue url> whisper
    default:
      return true;
  }
}

// Whether the program points at a verb of this name.
bool points_at(const Program& p, std::string_view verb) {
  return p.doc && p.index < p.doc->root.children.size() &&
         p.doc->root.children[p.index].name == verb;
}

// The sids a live call's state names: other calls of the same account.
std::vector<std::string> references(const LiveCall& l) {
  std::vector<std::string> out{l.dialed_by};
  if (l.dial) {
    out.insert(out.end(), l.dial->legs.begin(), l.dial->legs.end());
    out.push_back(l.dial->bridged_sid);
    out.push_back(l.dial->last_sid);
  }
  if (l.queue) out.push_back(l.queue->agent_sid);
  std::erase(out, std::string());
  return out;
}

// The conferences of a document hold together with its calls: each participant is a live call
// of the document whose own part names that conference (joined: in phase "conference"; not
// yet: a Participants API call still ringing), each such call is a participant of it, and a
// call that went in by <Dial> points at that <Dial> (it goes on from there when it leaves).
std::optional<TwilioError> check_conferences(const AccountSnapshot& s,
                                             std::map<std::string, Phase>& phases) {
  std::map<std::string, const LiveCall*> in_conference;
  for (const LiveCall& l : s.live_calls) {
    if (l.conference) in_conference[l.call_sid] = &l;
    if (!l.conference && l.phase == Phase::kConference) {
      return invalid("Call " + l.call_sid + " is in phase conference without a conference");
    }
  }
  std::set<std::string> sids, active_names, seated;
  for (const conference::Conference& c : s.conferences) {
    if (!sids.insert(c.sid).second) return invalid("Conference " + c.sid + " is there twice");
    if (c.active() && !active_names.insert(c.friendly_name).second) {
      return invalid("Two conferences named '" + c.friendly_name + "' are in progress");
    }
    if (!c.active() && !c.participants.empty()) {
      return invalid("Conference " + c.sid + " is completed but has participants");
    }
    for (const conference::Participant& p : c.participants) {
      auto it = in_conference.find(p.call_sid);
      if (it == in_conference.end() || it->second->conference->sid != c.sid) {
        return invalid("Conference " + c.sid + " holds " + p.call_sid +
                       ", which is no live call of the document in it");
      }
      if (!seated.insert(p.call_sid).second) {
        return invalid("Call " + p.call_sid + " is a participant twice");
      }
      const LiveCall& l = *it->second;
      const bool in = phases[p.call_sid] == Phase::kConference;
      if (p.joined != in || (!p.joined && !l.conference->via_api)) {
        return invalid("Participant " + p.call_sid + " of " + c.sid + " is " +
                       (p.joined ? "joined" : "not joined") + " but its call is in phase " +
                       std::string(to_string(phases[p.call_sid])));
      }
      if (in && !l.conference->via_api && !points_at(l.program, "Dial")) {
        return invalid("Call " + p.call_sid + " is in " + c.sid +
                       " by <Dial> but its program does not point at a <Dial>");
      }
    }
  }
  for (const auto& [call, l] : in_conference) {
    if (!seated.count(call)) {
      return invalid("Call " + call + " names conference " + l->conference->sid +
                     ", which does not hold it");
    }
  }
  return std::nullopt;
}

}  // namespace

Result<AccountSnapshot> Engine::snapshot(const std::string& account_sid) {
  if (auto e = check_root(accounts_, account_sid, root_of(account_sid))) return *e;
  // A webhook out is the one thing a snapshot cannot hold: its answer comes back to this
  // account, and a live call waiting for TwiML waits for exactly that answer.
  size_t out = 0;
  for (const auto& [id, p] : impl_->pending) {
    const CallRecord* rec = impl_->get(p.call_sid);
    // A conference's own webhooks (status callbacks, announcements) name the account instead.
    out += rec ? rec->call.account_sid == account_sid : p.account_sid == account_sid;
  }
  if (out > 0) {
    return conflict("Account " + account_sid + " has " + std::to_string(out) +
                    " webhook(s) out: a snapshot waits until their answers are in (an advance "
                    "of a manual clock waits for them)");
  }

  World& w = world(account_sid);
  AccountSnapshot s;
  for (const conference::Conference* c : w.conferences.list(account_sid)) {
    s.conferences.push_back(*c);
  }
  s.account_sid = account_sid;
  s.clock.now = w.clock->now();
  s.seed = w.seed;
  s.sids_made = w.sids.made();
  s.calls_per_second = w.calls_per_second;
  s.next_dial_slot = w.next_dial_slot;
  s.behaviors = w.behaviors;
  for (const PhoneNumber* n : w.numbers.of_account(account_sid)) s.numbers.push_back(*n);
  // Only live calls wait in a queue; an ended one left behind would be skipped there anyway.
  auto live_only = [&](auto first, auto last, auto sid_of) {
    std::vector<std::string> kept;
    for (auto it = first; it != last; ++it) {
      const CallRecord* rec = impl_->get(sid_of(*it));
      if (rec && is_live(rec->call.status)) kept.push_back(sid_of(*it));
    }
    return kept;
  };
  for (const queue::Queue* q : w.queues.list(account_sid)) {
    QueueEntry e;
    e.name = q->friendly_name;
    e.sid = q->sid;
    e.max_size = q->max_size;
    e.date_created = q->date_created;
    e.date_updated = q->date_updated;
    e.callers = live_only(q->members.begin(), q->members.end(),
                          [](const queue::Member& m) -> const std::string& { return m.call_sid; });
    e.agents = live_only(q->agents.begin(), q->agents.end(),
                         [](const std::string& sid) -> const std::string& { return sid; });
    s.queues.push_back(std::move(e));
  }
  if (auto it = impl_->by_account.find(account_sid); it != impl_->by_account.end()) {
    for (const CallRecord* rec : it->second) {
      s.calls.push_back(rec->call);
      if (is_live(rec->call.status)) s.live_calls.push_back(live_of(*rec));
      for (const auto& sid : rec->notifications) {
        if (auto n = impl_->notifications.find(sid); n != impl_->notifications.end()) {
          s.notifications.push_back(n->second);
        }
      }
    }
  }
  // The live timers in the order they fire: armed again in that order, they keep it.
  std::vector<const Timer*> timers;
  w.timers.for_each([&](const Timer& t) {
    const CallRecord& rec = *t.rec;
    if (!rec.removed && rec.gens[static_cast<size_t>(t.slot)] == t.gen &&
        rec.call.account_sid == account_sid) {
      timers.push_back(&t);
    }
  });
  std::sort(timers.begin(), timers.end(), [](const Timer* a, const Timer* b) { return *b > *a; });
  for (const Timer* t : timers) s.timers.push_back({t->rec->call.sid, t->slot, t->kind, t->due});
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
  std::set<std::string> calls, live;
  std::vector<std::string> taken;
  // Call sids are unique across the process (Twilio's are global): one that another account
  // holds cannot be loaded beside it, nor named by a live call's state.
  auto held_elsewhere = [&](const std::string& sid) {
    const CallRecord* held = impl_->get(sid);
    return held && held->call.account_sid != account_sid;
  };
  for (const Call& c : s.calls) {
    if (!calls.insert(c.sid).second) return invalid("Call " + c.sid + " is there twice");
    if (is_live(c.status)) live.insert(c.sid);
    if (held_elsewhere(c.sid)) taken.push_back(c.sid);
  }
  std::set<std::string> described;
  for (const LiveCall& l : s.live_calls) {
    if (!live.count(l.call_sid)) {
      return invalid("live_calls names " + l.call_sid + ", which is no live call of the document");
    }
    if (!described.insert(l.call_sid).second) {
      return invalid("live_calls names " + l.call_sid + " twice");
    }
    // Only a snapshot taken with a fetch in flight could hold one; none is taken so.
    if (l.phase == Phase::kFetching) {
      return invalid("Call " + l.call_sid + " is fetching TwiML: a fetch in flight cannot be "
                     "restored");
    }
    // A wait document's <Gather> is read from the queue's hold program.
    if (l.gather && l.gather->in_hold &&
        (l.phase != Phase::kEnqueued || !l.queue || !points_at(l.queue->hold, "Gather"))) {
      return invalid("Call " + l.call_sid + " gathers in a wait document it is not running");
    }
    for (const std::string& sid : references(l)) {
      if (!calls.count(sid) && held_elsewhere(sid)) taken.push_back(sid);
    }
  }
  for (const std::string& sid : live) {
    if (!described.count(sid)) {
      return invalid("Call " + sid + " is live but live_calls does not describe it");
    }
  }
  std::map<std::string, Phase> phases;
  for (const LiveCall& l : s.live_calls) phases[l.call_sid] = l.phase;
  std::set<std::pair<std::string, TimerSlot>> slots;
  for (const LiveTimer& t : s.timers) {
    if (!live.count(t.call_sid)) {
      return invalid("A timer of " + t.call_sid + ", which is no live call of the document");
    }
    if (!fits(t.kind, phases[t.call_sid])) {
      return invalid("Call " + t.call_sid + " has a " + std::string(to_string(t.kind)) +
                     " timer in phase " + std::string(to_string(phases[t.call_sid])));
    }
    if (!slots.insert({t.call_sid, t.slot}).second) {
      return invalid("Call " + t.call_sid + " has two timers in its " +
                     std::string(to_string(t.slot)) + " slot");
    }
  }
  if (auto e = check_conferences(s, phases)) return *e;
  for (const QueueEntry& q : s.queues) {
    for (const auto* sids : {&q.callers, &q.agents}) {
      for (const std::string& sid : *sids) {
        if (!live.count(sid)) {
          return invalid("Queue " + q.name + " holds " + sid +
                         ", which is no live call of the document");
        }
      }
    }
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
  std::map<std::string, LiveCall*> live_calls;
  for (LiveCall& l : s.live_calls) live_calls[l.call_sid] = &l;
  for (Call& c : s.calls) {
    c.account_sid = account_sid;
    CallRecord& rec = impl_->add_call(std::move(c));
    rec.answered = rec.call.start_time.has_value();
    if (auto it = live_calls.find(rec.call.sid); it != live_calls.end()) {
      LiveCall& l = *it->second;
      if (l.behavior) rec.set_behavior(impl_->share_behavior(*l.behavior));
      apply_live(rec, std::move(l));
    }
    if (config_.track_changes) impl_->dirty_calls.insert(rec.call.sid);
  }
  // The queues after the calls: a member's place and wait come from its call's QueueState.
  for (QueueEntry& e : s.queues) {
    queue::Queue q;
    q.sid = e.sid.empty() ? w.sids.next("QU") : e.sid;
    q.account_sid = account_sid;
    q.friendly_name = e.name;
    q.max_size = e.max_size;
    q.date_created = e.date_created;
    q.date_updated = e.date_updated;
    for (const std::string& sid : e.callers) {
      CallRecord& rec = *impl_->get(sid);
      rec.queue().sid = q.sid;
      rec.queue().ticket = q.push(sid, rec.queue().since);
    }
    q.agents = std::move(e.agents);
    w.queues.add(std::move(q));
  }
  for (conference::Conference& c : s.conferences) {
    c.account_sid = account_sid;
    w.conferences.add(std::move(c));  // an active one takes its name again
  }
  for (const LiveTimer& t : s.timers) impl_->arm(*impl_->get(t.call_sid), t.slot, t.kind, t.due);
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
    // Recordings are carried by their calls' journal lines, as across a restart.
    if (!e.call_sid.empty() && e.type == "recording") restore_recording(e);
    journal_.append(std::move(e));
  }
  impl_->touch(w);
  return Ok{};
}

}  // namespace dialtone::core
