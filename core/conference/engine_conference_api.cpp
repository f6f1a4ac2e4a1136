// Twilio's Conference and Participant resources, the engine's side: ending a conference and
// announcing to it, adding a participant (a new outbound call that joins when answered),
// muting, holding, coaching, modifying and kicking one. The rules Twilio does not document
// (which statuses may be updated, error codes of bad combinations) are named choices in
// docs/conferences.md.
#include "core/engine_impl.hpp"
#include "core/sid.hpp"

namespace dialtone::core {
namespace {

using conference::Conference;
using conference::Participant;

// Named apart from engine.cpp's not_found(): a unity build may put both in one file.
TwilioError conference_not_found() { return TwilioError{404, 20404, "", {}}; }

std::optional<TwilioError> check_coach(const Conference& c, const Participant* self,
                                       const std::string& target) {
  const Participant* coached = c.find(target);
  if (!coached || !coached->joined || coached == self) {
    return bad_request(16028, "CallSidToCoach " + target + " is not a participant of " + c.sid);
  }
  if (coached->hold) return bad_request(16027, "CallSidToCoach " + target + " is on hold");
  return std::nullopt;
}

}  // namespace

ParticipantView Engine::participant_view(const Conference& c, const Participant& p) const {
  ParticipantView v;
  v.account_sid = c.account_sid;
  v.conference_sid = c.sid;
  v.participant = p;
  if (p.joined) {
    v.status = "connected";
  } else if (const CallRecord* rec = impl_->calls.find(p.call_sid)) {
    // A Participants API call on its way (participant_enum_status).
    switch (rec->call.status) {
      case CallStatus::kQueued:
        v.status = "queued";
        break;
      case CallStatus::kRinging:
        v.status = "ringing";
        break;
      case CallStatus::kInProgress:
        v.status = "connecting";
        break;
      default:
        v.status = "failed";
        break;
    }
  } else {
    v.status = "failed";
  }
  return v;
}

const conference::Conference* Engine::find_conference(const std::string& account_sid,
                                                      const std::string& sid) const {
  const World* w = find_world(account_sid);
  return w ? w->conferences.find(account_sid, sid) : nullptr;
}

std::vector<const conference::Conference*> Engine::list_conferences(
    const std::string& account_sid) const {
  const World* w = find_world(account_sid);
  return w ? w->conferences.list(account_sid) : std::vector<const Conference*>{};
}

Result<const conference::Conference*> Engine::update_conference(const std::string& account_sid,
                                                                const std::string& sid,
                                                                const ConferenceUpdate& request,
                                                                Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  Conference* c = world(account_sid).conferences.find(account_sid, sid);
  if (!c) return conference_not_found();
  if (!request.complete && !request.announce_url) return c;
  if (c->status == conference::Status::kCompleted) {
    return bad_request(16099, "Unexpected conference status: " + sid + " is completed");
  }
  if (c->status == conference::Status::kInit) {
    return bad_request(16001, "Conference is not bridged: " + sid + " has not started");
  }
  if (request.announce_url) impl_->announce(*c, nullptr, *request.announce_url, out);
  if (request.complete) impl_->end_conference(*c, "conference-ended-via-api", nullptr, out);
  return c;
}

Result<ParticipantView> Engine::add_participant(const AddParticipant& request, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  const std::string& account = request.call.account_sid;
  World& w = world(account);
  const Participant& s = request.settings;
  if (!s.label.empty() && !conference::valid_label(s.label)) {
    return bad_request(
        16024, "Invalid Label '" + s.label + "': up to 128 characters, not a Call sid, no '/'");
  }
  Conference* c = nullptr;
  if (is_sid(request.conference, "CF")) {
    c = w.conferences.find(account, request.conference);
    if (!c) return conference_not_found();
    if (!c->active()) {
      return bad_request(16022,
                         "Conference " + request.conference + " does not exist or is completed");
    }
  } else {
    if (request.conference.empty() || request.conference.size() > conference::kMaxNameLength) {
      return bad_request(16022, "Invalid conference name (1 to 128 characters)");
    }
    c = w.conferences.active(account, request.conference);
  }
  if (c) {
    if (!s.label.empty() && c->find(s.label)) {
      return bad_request(16026, "Label " + s.label + " is in use by another participant");
    }
    if (c->participants.size() >= static_cast<size_t>(c->max_participants)) {
      return bad_request(16020, "Conference is full");
    }
  }
  if (s.coaching && s.call_sid_to_coach.empty()) {
    return bad_request(16028, "Coaching=true needs CallSidToCoach");
  }
  if (!s.call_sid_to_coach.empty()) {
    if (!c) return bad_request(16028, "CallSidToCoach " + s.call_sid_to_coach + " is not here");
    if (auto e = check_coach(*c, nullptr, s.call_sid_to_coach)) return *e;
  }
  auto made = create_call(request.call, out);  // checks From and To as POST /Calls does
  if (!made) return made.error();
  if (!c) {
    c = &impl_->add_conference(w, account, request.conference, w.clock->now());
    c->callback = request.callback;  // the first participant's settings win (reference §5.1)
    c->max_participants = request.max_participants;
    c->record = request.record;
    c->recording = request.conference_recording;
  }
  Participant p = s;
  p.call_sid = (*made)->sid;
  p.coaching = !p.call_sid_to_coach.empty();  // "false unless CallSidToCoach is given"
  p.joined = false;
  p.date_created = p.date_updated = w.clock->now();
  c->participants.push_back(p);
  CallRecord* rec = impl_->get(p.call_sid);
  ConferenceState& cs = rec->conf();
  cs.sid = c->sid;
  cs.via_api = true;
  cs.wait_url = request.wait_url;
  cs.default_music = request.default_music;
  impl_->journal(*rec, "participant", {{"conference_sid", c->sid}, {"via", "api"}});
  ParticipantView v = participant_view(*c, p);
  v.status = "queued";
  v.queue_time_ms = 1000;  // what Twilio's create answers show
  return v;
}

Result<ParticipantView> Engine::find_participant(const std::string& account_sid,
                                                 const std::string& conference_sid,
                                                 const std::string& key) const {
  const Conference* c = find_conference(account_sid, conference_sid);
  const Participant* p = c ? c->find(key) : nullptr;
  if (!p) return conference_not_found();
  return participant_view(*c, *p);
}

Result<std::vector<ParticipantView>> Engine::list_participants(
    const std::string& account_sid, const std::string& conference_sid) const {
  const Conference* c = find_conference(account_sid, conference_sid);
  if (!c) return conference_not_found();
  std::vector<ParticipantView> out;
  out.reserve(c->participants.size());
  for (const Participant& p : c->participants) out.push_back(participant_view(*c, p));
  return out;
}

Result<ParticipantView> Engine::update_participant(const std::string& account_sid,
                                                   const std::string& conference_sid,
                                                   const std::string& key,
                                                   const ParticipantUpdate& r, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  Conference* c = world(account_sid).conferences.find(account_sid, conference_sid);
  Participant* p = c ? c->find(key) : nullptr;
  if (!p) return conference_not_found();
  // Twilio refuses "unsupported combinations" of hold, coach and announce without saying
  // which (reference §4.4): holding while announcing or coaching is refused here.
  if (r.hold.value_or(false) && (r.announce_url || r.coaching.value_or(false))) {
    return bad_request(20001, "Hold=true cannot be combined with AnnounceUrl or Coaching=true");
  }
  const std::string coach_target = r.call_sid_to_coach.value_or(p->call_sid_to_coach);
  const bool coaching = r.coaching.value_or(r.call_sid_to_coach ? true : p->coaching);
  if (coaching) {
    if (coach_target.empty()) return bad_request(16028, "Coaching=true needs CallSidToCoach");
    if (auto e = check_coach(*c, p, coach_target)) return *e;
  }
  CallRecord* rec = impl_->get(p->call_sid);
  if (!rec || !rec->in_conference()) return conference_not_found();  // cannot happen
  const TimePoint now = Impl::now(*rec);
  impl_->journal(*rec, "api.request", {{"conference_sid", c->sid}, {"participant", key}});

  bool modified = false;
  if (r.end_conference_on_exit && *r.end_conference_on_exit != p->end_conference_on_exit) {
    p->end_conference_on_exit = *r.end_conference_on_exit;
    modified = true;
  }
  if (r.beep_on_exit && *r.beep_on_exit != p->beep_on_exit) {
    p->beep_on_exit = *r.beep_on_exit;
    modified = true;
  }
  if (coaching != p->coaching || (coaching && coach_target != p->call_sid_to_coach)) {
    p->coaching = coaching;
    p->call_sid_to_coach = coaching ? coach_target : std::string();
    modified = true;
  }
  ConferenceState& cs = rec->conf();
  bool music_changed = false;
  if (r.wait_url) {
    cs.wait_url = *r.wait_url;
    cs.default_music = false;
    modified = true;
    music_changed = !p->hold && c->status == conference::Status::kInit;
  }
  if (r.hold_url) {
    cs.hold_url = *r.hold_url;
    music_changed = music_changed || p->hold;
  }
  p->date_updated = now;
  // Muted or held, a participant stops being heard (by the conference's recording) at once.
  if (r.muted.value_or(false) || r.hold.value_or(false)) {
    impl_->conference_silences(*c, p->call_sid);
  }
  if (r.muted && *r.muted != p->muted) {
    p->muted = *r.muted;
    impl_->conference_event(*c, p->muted ? "participant-mute" : "participant-unmute", p, {}, out);
  }
  if (r.hold && *r.hold != p->hold) {
    p->hold = *r.hold;
    impl_->conference_event(*c, p->hold ? "participant-hold" : "participant-unhold", p, {}, out);
    music_changed = true;
  }
  if (modified) impl_->conference_event(*c, "participant-modify", p, {}, out);
  const ParticipantView view = participant_view(*c, *p);
  // An announcement playing goes on; the music the state asks for comes after it.
  if (music_changed && rec->phase == Phase::kConference && rec->conf().announcing.empty()) {
    if (p->hold || c->status == conference::Status::kInit) {
      impl_->start_music(*rec, out);
    } else {
      impl_->stop_music(*rec);  // unheld in a started conference: back into the mix
    }
  }
  if (r.announce_url) impl_->announce(*c, rec, *r.announce_url, out);
  return view;
}

Status Engine::remove_participant(const std::string& account_sid, const std::string& conference_sid,
                                  const std::string& key, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  Conference* c = world(account_sid).conferences.find(account_sid, conference_sid);
  Participant* p = c ? c->find(key) : nullptr;
  if (!p) return conference_not_found();
  CallRecord* rec = impl_->get(p->call_sid);
  if (!rec) return conference_not_found();  // cannot happen: a call leaves when it ends
  impl_->journal(*rec, "api.request", {{"conference_sid", c->sid}, {"kick", key}});
  if (!p->joined) {
    // Still ringing: the call is canceled and never joins (participant_add_failed).
    impl_->end_call(*rec, CallEvent::kApiCancel, out);
    return Ok{};
  }
  impl_->leave_conference(*rec, "participant_updated_via_api", true, true, out);
  return Ok{};
}

}  // namespace dialtone::core
