// Calls in conferences: <Dial><Conference> with its attributes, waiting with the wait music,
// the start rule, every way out (hang-up, kick, redirect, hangupOnStar, timeLimit, the end of
// the conference) and what the call does next (its <Dial action> or the next verb; a
// Participants API call hangs up), and the conference status callbacks with their
// SequenceNumber. The conferences themselves are the world's ConferenceBook
// (conference_book.hpp); a call's own part is its ConferenceState, so which call is in which
// conference is the engine's state and nothing else's. docs/conferences.md has the choices.
#include <algorithm>
#include <charconv>

#include "core/engine_impl.hpp"
#include "core/sid.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using conference::Conference;
using conference::Participant;
using twiml::attr_int;
using twiml::attr_method;
using twiml::Node;

const char* bool_text(bool b) { return b ? "true" : "false"; }

// What a <Dial><Conference> asks for, read from its attributes before anything changes.
struct JoinRequest {
  Participant participant;
  ConferenceState state;
  conference::CallbackSettings callback;
  int max_participants = conference::kMaxParticipants;
  std::string record;
  recording::Options recording;
  int error = 0;        // the first error that keeps the call out (a notification, DialCallStatus
  std::string message;  // failed); warnings only fall back to the default
};

}  // namespace

conference::Conference* Engine::Impl::conference_of(CallRecord& rec) {
  if (!rec.in_conference()) return nullptr;
  return rec.world->conferences.find(rec.call.account_sid, rec.conf().sid);
}

// Twilio's talk detection, from the callee's script: the conference hears a joined
// participant that is neither muted nor on hold while the conference is in progress
// (docs/conferences.md, "Speaker events"). A stop follows only a reported start.
void Engine::Impl::participant_speech(CallRecord& rec, bool started, Effects& out) {
  Conference* c = conference_of(rec);
  if (!c) return;
  conference::Participant* p = c->find(rec.call.sid);
  if (!p) return;
  if (started) {
    if (p->speaking || !c->hears(*p)) return;
    p->speaking = true;
    conference_event(*c, "participant-speech-start", p, {}, out);
  } else if (p->speaking) {
    p->speaking = false;
    conference_event(*c, "participant-speech-stop", p, {}, out);
  }
}

conference::Conference& Engine::Impl::add_conference(World& world, const std::string& account_sid,
                                                     std::string name, TimePoint now) {
  Conference c;
  c.sid = world.sids.next("CF");
  while (world.conferences.find(account_sid, c.sid)) c.sid = world.sids.next("CF");
  c.account_sid = account_sid;
  c.friendly_name = std::move(name);
  c.date_created = c.date_updated = now;
  Conference& added = world.conferences.add(std::move(c));
  journal_conference(added, "conference.created");
  return added;
}

void Engine::Impl::dial_conference(CallRecord& rec, const Node& dial, const Node& noun,
                                   Effects& out) {
  const std::string& base = rec.rt().program.url;
  JoinRequest j;
  auto fail = [&j](int code, std::string message) {
    if (j.error == 0) {
      j.error = code;
      j.message = std::move(message);
    }
  };
  // A true/false attribute; anything else is Twilio's warning `code` and the default.
  auto flag = [&](const char* name, bool fallback, int code) {
    const std::string* v = noun.attr(name);
    if (!v || *v == "true" || *v == "false") return v ? *v == "true" : fallback;
    notify(rec, code, 1, std::string("Dial->Conference: Invalid ") + name + " value '" + *v + "'",
           nullptr, nullptr);
    return fallback;
  };
  Participant& p = j.participant;
  p.call_sid = rec.call.sid;
  p.muted = flag("muted", false, 13230);
  p.start_conference_on_enter = flag("startConferenceOnEnter", true, 13232);
  p.end_conference_on_exit = flag("endConferenceOnExit", false, 13231);
  const std::string beep = noun.attr_or("beep", "true");
  if (beep == "false" || beep == "onExit") p.beep_on_enter = false;
  if (beep == "false" || beep == "onEnter") p.beep_on_exit = false;
  if (beep != "true" && beep != "false" && beep != "onEnter" && beep != "onExit") {
    notify(rec, 13235, 1, "Dial->Conference: Invalid beep value '" + beep + "'", nullptr, nullptr);
    p.beep_on_enter = p.beep_on_exit = true;
  }
  if (const std::string* label = noun.attr("participantLabel")) {
    if (!conference::valid_label(*label)) fail(16023, "Participant label is invalid: " + *label);
    p.label = *label;
  }
  j.state.hangup_on_star = dial.attr_or("hangupOnStar", "false") == "true";
  if (const std::string* w = noun.attr("waitUrl")) {
    j.state.default_music = false;  // waitUrl="" plays nothing
    if (!w->empty()) {
      j.state.wait_url = Webhook{resolve_url(base, *w), attr_method(noun, "waitMethod")};
      if (!is_absolute_http_url(j.state.wait_url.url)) {
        notify(rec, 13233, 1, "Dial->Conference: Invalid waitUrl '" + *w + "'", nullptr, nullptr);
        j.state.wait_url = {};
        j.state.default_music = true;
      }
    }
  }
  if (const std::string* cb = noun.attr("statusCallback")) {
    j.callback.url = Webhook{resolve_url(base, *cb), attr_method(noun, "statusCallbackMethod")};
    if (!is_absolute_http_url(j.callback.url.url)) fail(16002, "Invalid statusCallback " + *cb);
  }
  if (const std::string* ev = noun.attr("statusCallbackEvent")) {
    const auto bits = conference::parse_keywords(*ev);
    if (!bits) fail(16002, "Invalid statusCallbackEvent '" + *ev + "'");
    j.callback.events = bits.value_or(0);
  }
  if (const std::string* m = noun.attr("maxParticipants")) {
    int n = 0;
    auto [end, ec] = std::from_chars(m->data(), m->data() + m->size(), n);
    if (ec != std::errc() || end != m->data() + m->size() || n < 1 ||
        n > conference::kMaxParticipants) {
      fail(16002, "Invalid maxParticipants '" + *m + "' (1 to 250)");
    }
    j.max_participants = n;
  }
  j.record = noun.attr_or("record", "do-not-record");
  if (j.record != "do-not-record" && j.record != "record-from-start" && j.record != "true" &&
      j.record != "false") {
    notify(rec, 12200, 1, "Dial->Conference: Invalid record value '" + j.record + "'", nullptr,
           nullptr);
    j.record = "do-not-record";
  }
  // The conference's recording: mono, trim-silence by default (13239 lists true and false too).
  j.recording = record_verb_options(rec, noun, /*trim_default=*/true);
  if (const std::string* t = noun.attr("trim")) {
    if (*t == "true" || *t == "false") {
      j.recording.trim = *t == "true";
    } else if (*t != "trim-silence" && *t != "do-not-trim") {
      notify(rec, 13239, 1, "Dial->Conference: Invalid trim value '" + *t + "'", nullptr, nullptr);
      j.recording.trim = true;
    }
  }
  j.recording.track = recording::Track::kBoth;
  // Resolved now: the conference outlives the document that named it.
  if (!j.recording.callback.empty()) {
    j.recording.callback.url = resolve_url(base, j.recording.callback.url);
  }

  // Which conference: a CF sid names one that must be active; a name finds the active one of
  // that name or makes a new one.
  const std::string& name = noun.text;  // the parser trims it (core/twiml/document.cpp)
  Conference* c = nullptr;
  if (is_sid(name, "CF")) {
    c = rec.world->conferences.find(rec.call.account_sid, name);
    if (!c || !c->active()) fail(13236, "Dial->Conference: Invalid Conference Sid " + name);
  } else if (name.empty() || name.size() > conference::kMaxNameLength) {
    fail(13237, "Dial->Conference: Invalid Conference Name (1 to 128 characters)");
  } else {
    c = rec.world->conferences.active(rec.call.account_sid, name);
  }
  if (c && !p.label.empty() && c->find(p.label)) {
    fail(16025, "Participant label " + p.label + " is in use by another participant");
  }
  if (const std::string* coach = noun.attr("coach")) {
    const Participant* coached = c ? c->find(*coach) : nullptr;
    if (!coached || !coached->joined || c->status != conference::Status::kInProgress) {
      fail(13240, "Dial->Conference: Invalid Whisper SID " + *coach);
    }
    p.coaching = true;
    p.call_sid_to_coach = *coach;
  }
  if (c && c->participants.size() >= static_cast<size_t>(c->max_participants)) {
    fail(16020, "Conference is full");
  }
  rec.phase = Phase::kConference;  // the <Dial> is running, whatever happens next
  if (j.error != 0) {
    notify(rec, j.error, 0, j.message, nullptr, nullptr);
    journal(rec, "dial", {{"DialCallStatus", "failed"}, {"conference", name}});
    rec.phase = Phase::kIdle;
    // The call never got in: its action hears "failed"; without one the verb after <Dial>
    // runs (exec goes on to it when this returns).
    if (dial.attr("action")) {
      dial_action(rec, dial, {{"DialCallStatus", "failed"}, {"DialBridged", "false"}}, true, out);
    }
    return;
  }
  if (!c) {
    c = &add_conference(*rec.world, rec.call.account_sid, name, now(rec));
    // The first participant freezes these (reference §5.1).
    c->callback = j.callback;
    c->max_participants = j.max_participants;
    c->record = j.record;
    c->recording = j.recording;
  }
  p.date_created = p.date_updated = now(rec);
  c->participants.push_back(p);
  j.state.sid = c->sid;
  rec.conf() = std::move(j.state);
  if (dial.attr("timeLimit")) {
    arm(rec, TimerSlot::kLifecycle, TimerKind::kDialTimeLimit,
        now(rec) + std::chrono::seconds(attr_int(dial, "timeLimit", 14400, 1, 86400)));
  }
  join_conference(rec, *c, out);
}

void Engine::Impl::join_conference(CallRecord& rec, Conference& c, Effects& out) {
  Participant* p = c.find(rec.call.sid);
  if (!p) return;
  p->joined = true;
  p->date_updated = now(rec);
  rec.phase = Phase::kConference;
  conference_event(c, "participant-join", p, {}, out);
  if (c.status == conference::Status::kInit && c.can_start()) {
    start_conference(c, out);
  } else {
    start_music(rec, out);
  }
}

void Engine::Impl::join_on_answer(CallRecord& rec, Effects& out) {
  Conference* c = conference_of(rec);
  const bool redirected = !rec.call.url.empty() || !rec.call.twiml.empty();
  if (c && c->find(rec.call.sid) && !redirected) {
    join_conference(rec, *c, out);
    return;
  }
  // Given new TwiML while it rang (a Calls API update), it runs that instead of joining; if
  // its conference ended meanwhile, it hangs up.
  participant_not_added(rec, "participant_updated_via_api", out);
  if (redirected) {
    start_twiml(rec, out);
  } else {
    end_call(rec, CallEvent::kHangup, out);  // its conference ended while it rang
  }
}

void Engine::Impl::start_conference(Conference& c, Effects& out) {
  c.status = conference::Status::kInProgress;
  c.date_updated = engine.world(c.account_sid).clock->now();
  journal_conference(c, "conference.updated");
  conference_event(c, "conference-start", nullptr, {}, out);
  start_conference_recording(c, out);  // record-from-start: from now, not while they waited
  // Everyone hears everyone now: the wait music stops (hold music goes on).
  for (const Participant& p : c.participants) {
    CallRecord* r = get(p.call_sid);
    // An announcement playing goes on; the music does not come back after it.
    if (r && p.joined && !p.hold && r->phase == Phase::kConference &&
        r->conf().announcing.empty()) {
      stop_music(*r);
    }
  }
}

void Engine::Impl::start_music(CallRecord& rec, Effects& out) {
  Conference* c = conference_of(rec);
  const Participant* p = c ? c->find(rec.call.sid) : nullptr;
  if (!p || !p->joined) return;
  stop_music(rec);
  const ConferenceState& cs = rec.conf();
  Webhook url;
  bool default_music = false;
  const char* what = "hold";
  if (p->hold) {
    url = cs.hold_url;
    default_music = url.empty();
  } else if (c->status == conference::Status::kInit) {
    url = cs.wait_url;
    default_music = cs.default_music;
    what = "wait";
  } else {
    return;
  }
  if (url.empty()) {
    // Twilio's own playlist is simulated: nothing to fetch, the call just "hears" it.
    journal(rec, "music", {{"for", what}, {"music", default_music ? "default" : "none"}});
    return;
  }
  journal(rec, "music", {{"for", what}, {"url", url.url}});
  rec.awaiting = send(rec, WebhookPurpose::kTwiml, url, {}, out);
  rec.rt().awaiting_hold = true;
  rec.rt().awaiting_fallback = false;
}

void Engine::Impl::stop_music(CallRecord& rec) {
  disarm(rec, TimerSlot::kVerb);
  rec.awaiting = 0;  // a wait document in flight is no longer wanted
  rec.rt().awaiting_hold = false;
  rec.conf().music = {};
}

void Engine::Impl::leave_conference(CallRecord& rec, const std::string& reason, bool run_action,
                                    bool kicked, Effects& out) {
  if (rec.phase != Phase::kConference) return;
  Conference* c = conference_of(rec);
  if (!rec.conf().announcing.empty() && !rec.conf().announce_to_all) {
    end_announcement(rec, "The participant left the conference", out);
  }
  stop_music(rec);
  disarm(rec, TimerSlot::kLifecycle);  // the <Dial timeLimit>
  rec.phase = Phase::kIdle;
  if (c) {
    conference_silences(*c, rec.call.sid);  // a sentence under way is not heard past here
    if (auto gone = c->remove(rec.call.sid)) {
      conference_event(*c, "participant-leave", &*gone,
                       {{"ParticipantCallStatus", std::string(to_wire(rec.call.status))},
                        {"ReasonParticipantLeft", reason}},
                       out);
      if (c->active() && gone->end_conference_on_exit) {
        end_conference(*c,
                       kicked ? "participant-with-end-conference-on-exit-kicked"
                              : "participant-with-end-conference-on-exit-left",
                       &*gone, out);
      } else if (c->active() && c->participants.empty()) {
        end_conference(*c, kicked ? "last-participant-kicked" : "last-participant-left", &*gone,
                       out);
      }
    }
  }
  after_conference(rec, run_action, out);
}

void Engine::Impl::after_conference(CallRecord& rec, bool run_action, Effects& out) {
  const bool via_api = rec.conf().via_api;
  rec.rt().conference.reset();
  if (via_api) {
    // A Participants API call has no TwiML to go back to.
    if (run_action) end_call(rec, CallEvent::kHangup, out);
    return;
  }
  if (!rec.rt().program.active()) return;
  // After a conference Twilio sends DialCallStatus=answered and no DialCallSid or
  // DialCallDuration (reference §2.4).
  journal(rec, "dial", {{"DialCallStatus", "answered"}});
  dial_action(rec, current_verb(rec), {{"DialCallStatus", "answered"}, {"DialBridged", "true"}},
              run_action, out);
}

void Engine::Impl::end_conference(Conference& c, const std::string& reason,
                                  const Participant* ending, Effects& out) {
  if (!c.active()) return;
  World& w = engine.world(c.account_sid);
  c.status = conference::Status::kCompleted;
  c.reason_ended = reason;
  c.call_sid_ending = ending ? ending->call_sid : std::string();
  c.date_updated = w.clock->now();
  w.conferences.completed(c);  // the name is free for a new conference from now on
  const std::string leave_reason = reason == "conference-ended-via-api"
                                       ? "conference_ended_via_api"
                                       : "moderator_ended_conference";
  std::vector<Participant> rest = std::move(c.participants);
  c.participants.clear();
  std::vector<CallRecord*> joined;
  std::vector<CallRecord*> ringing;
  for (const Participant& p : rest) {
    CallRecord* r = get(p.call_sid);
    if (!r) continue;
    if (!p.joined) {
      ringing.push_back(r);
      continue;
    }
    conference_event(c, "participant-leave", &p,
                     {{"ParticipantCallStatus", std::string(to_wire(r->call.status))},
                      {"ReasonParticipantLeft", leave_reason}},
                     out);
    joined.push_back(r);
  }
  if (!c.announcing.empty()) {
    conference_event(c, "announcement-fail", nullptr,
                     {{"AnnounceUrl", c.announcing},
                      {"ReasonAnnouncementFailed", "The conference ended"}},
                     out);
    c.announcing.clear();
  }
  Fields end;
  if (ending) {
    end.emplace_back("CallSidEndingConference", ending->call_sid);
    if (!ending->label.empty()) end.emplace_back("ParticipantLabelEndingConference", ending->label);
  }
  end.emplace_back("ReasonConferenceEnded", reason);
  end.emplace_back("Reason", ending ? "Participant " + ending->call_sid +
                                          " ended the conference (" + reason + ")"
                                    : "Conference ended via API");
  conference_event(c, "conference-end", nullptr, std::move(end), out);
  stop_conference_recordings(c, out);
  journal_conference(c, "conference.updated");
  // Then each call goes on: a <Dial> completes, an API participant hangs up; one still
  // ringing is canceled.
  for (CallRecord* r : joined) {
    if (r->phase != Phase::kConference || !is_live(r->call.status)) continue;
    stop_music(*r);
    disarm(*r, TimerSlot::kLifecycle);
    r->phase = Phase::kIdle;
    after_conference(*r, true, out);
  }
  for (CallRecord* r : ringing) end_call(*r, CallEvent::kApiCancel, out);
}

void Engine::Impl::participant_not_added(CallRecord& rec, const std::string& reason, Effects& out) {
  Conference* c = conference_of(rec);
  rec.rt().conference.reset();
  if (!c) return;
  auto gone = c->remove(rec.call.sid);
  if (!gone) return;
  conference_event(*c, "participant-leave", &*gone,
                   {{"ParticipantCallStatus", std::string(to_wire(rec.call.status))},
                    {"ReasonParticipantLeft", reason}},
                   out);
  if (c->active() && c->participants.empty()) {
    end_conference(*c, "last-participant-left", &*gone, out);
  }
}

void Engine::Impl::conference_event(Conference& c, std::string_view event, const Participant* p,
                                    Fields extra, Effects& out) {
  const bool subscribed =
      !c.callback.url.empty() && (c.callback.events & conference::keyword_of(event)) != 0;
  // SequenceNumber counts the callbacks sent to this conference's URL (docs/conferences.md).
  const int sequence = subscribed ? ++c.sequence : 0;
  Fields journal_fields = {
      {"event", std::string(event)}, {"conference_sid", c.sid}, {"friendly_name", c.friendly_name}};
  if (subscribed) journal_fields.emplace_back("SequenceNumber", std::to_string(sequence));
  for (const auto& f : extra) journal_fields.push_back(f);
  // A participant's events are in its call's journal too (wait_for on that call finds them).
  engine.record(c.account_sid, p ? p->call_sid : c.sid, "conference", std::move(journal_fields));
  if (!subscribed) return;
  Fields params = {{"ConferenceSid", c.sid},
                   {"FriendlyName", c.friendly_name},
                   {"AccountSid", c.account_sid},
                   {"SequenceNumber", std::to_string(sequence)},
                   {"Timestamp", format_rfc2822(engine.world(c.account_sid).clock->now())},
                   {"StatusCallbackEvent", std::string(event)}};
  if (p) {
    params.insert(params.end(),
                  {{"CallSid", p->call_sid},
                   {"Muted", bool_text(p->muted)},
                   {"Hold", bool_text(p->hold)},
                   {"Coaching", bool_text(p->coaching)},
                   {"EndConferenceOnExit", bool_text(p->end_conference_on_exit)},
                   {"StartConferenceOnEnter", bool_text(p->start_conference_on_enter)}});
    if (!p->label.empty()) params.emplace_back("ParticipantLabel", p->label);
  }
  for (auto& f : extra) params.push_back(std::move(f));
  send_conference(c, WebhookPurpose::kConferenceEvent, c.callback.url, std::move(params), out);
}

void Engine::Impl::send_conference(Conference& c, WebhookPurpose purpose, const Webhook& target,
                                   Fields params, Effects& out) {
  WebhookRequest req;
  req.account_sid = c.account_sid;
  req.call_sid = c.sid;  // the client sends one conference's webhooks in order, one at a time
  req.purpose = purpose;
  req.target = target;
  req.params = std::move(params);
  dispatch(std::move(req), c.account_sid, c.sid, out);
}

void Engine::Impl::announce(Conference& c, CallRecord* to, const Webhook& url, Effects& out) {
  if (!to) {
    send_conference(c, WebhookPurpose::kAnnouncement, url,
                    {{"AccountSid", c.account_sid},
                     {"ConferenceSid", c.sid},
                     {"FriendlyName", c.friendly_name}},
                    out);
    return;
  }
  const uint64_t id =
      send(*to, WebhookPurpose::kAnnouncement, url, {{"ConferenceSid", c.sid}}, out);
  if (auto it = pending.find(id); it != pending.end()) it->second.conference_sid = c.sid;
}

void Engine::Impl::on_announcement(const PendingWebhook& req, const WebhookResult& res,
                                   CallRecord* rec, Effects& out) {
  const std::string& account = rec ? rec->call.account_sid : req.account_sid;
  Conference* c = engine.world(account).conferences.find(account, req.conference_sid);
  if (!c) return;
  FetchedDocument fetched = read_document(req, res);
  if (fetched.code == 0) {
    // Only what plays to a conference: Play, Say, Pause, Redirect (reference §3.5).
    for (const twiml::Node& v : fetched.doc->root.children) {
      if (v.name != "Play" && v.name != "Say" && v.name != "Pause" && v.name != "Redirect") {
        fetched.code = 13238;
        fetched.message = "Invalid Verb <" + v.name + "> used in announceUrl TwiML";
        break;
      }
    }
  }
  const Participant* p = rec ? c->find(rec->call.sid) : nullptr;
  if (fetched.code == 0 && !c->active()) {
    fetched.code = 16099;
    fetched.message = "The conference ended before the announcement could play";
  }
  if (fetched.code == 0 && rec && (!p || !p->joined || rec->phase != Phase::kConference)) {
    fetched.code = 16099;
    fetched.message = "The participant is not in the conference";
  }
  if (fetched.code != 0) {
    conference_event(*c, "announcement-fail", p,
                     {{"AnnounceUrl", req.url}, {"ReasonAnnouncementFailed", fetched.message}},
                     out);
    return;
  }
  // It plays in simulated time: each verb takes its time on the participant's call (on each
  // joined participant's for the conference's own), and announcement-end comes when it is over.
  if (rec) {
    play_announcement(*rec, fetched.doc, req.url, req.url, false, out);
    return;
  }
  std::vector<CallRecord*> listeners;
  for (const Participant& each : c->participants) {
    CallRecord* r = get(each.call_sid);
    if (r && each.joined && r->phase == Phase::kConference) listeners.push_back(r);
  }
  if (listeners.empty()) {
    conference_event(*c, "announcement-end", nullptr, {{"AnnounceUrl", req.url}}, out);
    return;
  }
  if (!c->announcing.empty()) {
    conference_event(*c, "announcement-fail", nullptr,
                     {{"AnnounceUrl", c->announcing},
                      {"ReasonAnnouncementFailed", "Replaced by a new announcement"}},
                     out);
  }
  c->announcing = req.url;
  for (CallRecord* r : listeners) play_announcement(*r, fetched.doc, req.url, req.url, true, out);
}

void Engine::Impl::play_announcement(CallRecord& rec, std::shared_ptr<const twiml::Document> doc,
                                     const std::string& fetched_from, const std::string& url,
                                     bool to_all, Effects& out) {
  ConferenceState& cs = rec.conf();
  if (!cs.announcing.empty() && !cs.announce_to_all) {
    end_announcement(rec, "Replaced by a new announcement", out);
  }
  stop_music(rec);
  cs.announcing = url;
  cs.announce_to_all = to_all;
  cs.music = Program{std::move(doc), fetched_from, 0, 0};
  rec.rt().hold_started = now(rec);
  journal(rec, "announcement", {{"url", url}, {"to", to_all ? "conference" : "participant"}});
  run(rec, out);
}

void Engine::Impl::end_announcement(CallRecord& rec, const std::string& failure, Effects& out) {
  ConferenceState& cs = rec.conf();
  const std::string url = std::move(cs.announcing);
  const bool to_all = cs.announce_to_all;
  cs.announcing.clear();
  cs.announce_to_all = false;
  Conference* c = conference_of(rec);
  if (url.empty() || !c) return;
  const Participant* p = nullptr;
  if (to_all) {
    // Every listener plays the same document: the first to finish speaks for the conference.
    if (c->announcing != url) return;
    c->announcing.clear();
  } else {
    p = c->find(rec.call.sid);
  }
  Fields extra = {{"AnnounceUrl", url}};
  if (!failure.empty()) extra.emplace_back("ReasonAnnouncementFailed", failure);
  journal(rec, "announcement", {{"url", url}, {"ended", failure.empty() ? "end" : "fail"}});
  conference_event(*c, failure.empty() ? "announcement-end" : "announcement-fail", p,
                   std::move(extra), out);
}

void Engine::Impl::conference_music_over(CallRecord& rec, const std::string& failure,
                                         Effects& out) {
  rec.conf().music = {};
  if (rec.conf().announcing.empty()) {
    if (failure.empty()) journal(rec, "music", {{"music", "none"}, {"for", "end of document"}});
    return;  // wait or hold music: silence from here (a <Redirect/> is how it loops)
  }
  end_announcement(rec, failure, out);
  if (rec.phase == Phase::kConference && is_live(rec.call.status)) start_music(rec, out);
}

void Engine::Impl::journal_conference(const Conference& c, std::string type) {
  // Account-level events: persistence learns the conferences from them (restore_event), as it
  // learns calls from the journal, so ended conferences stay listable after a restart.
  engine.record(c.account_sid, {}, std::move(type),
                {{"sid", c.sid},
                 {"friendly_name", c.friendly_name},
                 {"status", std::string(conference::to_wire(c.status))},
                 {"reason_conference_ended", c.reason_ended},
                 {"call_sid_ending_conference", c.call_sid_ending},
                 {"date_created_ms", std::to_string(c.date_created.time_since_epoch().count())},
                 {"date_updated_ms", std::to_string(c.date_updated.time_since_epoch().count())}});
}

}  // namespace dialtone::core
