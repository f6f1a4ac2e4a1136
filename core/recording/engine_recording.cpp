// Recordings coordinated with their calls (core/recording/recording.hpp has the recording's own
// state machine): started by the REST API, Record=true, <Record> and <Dial record>; paused,
// resumed and stopped by the REST API; stopped when their call (or dialed leg) ends; their
// status callbacks; their journal lines, from which a restart brings them back.
// docs/recordings.md has the choices where Twilio is silent.
#include <charconv>

#include "core/engine_impl.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using recording::Recording;
using recording::RecordingBook;
using RecStatus = recording::Status;

int64_t ms_of(TimePoint t) { return t.time_since_epoch().count(); }

constexpr std::string_view kCurrent = "Twilio.CURRENT";
constexpr std::string_view kBySid = "*";  // start_recording: name it by its sid

// A fresh recording of the world, in progress from `t`.
std::unique_ptr<Recording> new_recording(World& w, const std::string& account_sid, TimePoint t) {
  auto r = std::make_unique<Recording>();
  r->sid = w.sids.next("RE");
  while (w.recordings.find(r->sid)) r->sid = w.sids.next("RE");
  r->account_sid = account_sid;
  r->status = RecStatus::kInProgress;
  r->date_created = r->date_updated = r->start_time = r->since = t;
  return r;
}

}  // namespace

// ---------------------------------------------------------------- the engine's side

std::string Engine::Impl::recording_url(const Recording& r) const {
  return config().media_base_url + "/2010-04-01/Accounts/" + r.account_sid + "/Recordings/" + r.sid;
}

Recording& Engine::Impl::start_recording(CallRecord& rec, recording::Source source,
                                         recording::Options options, const std::string& leg_sid,
                                         Effects& out, const std::string& name) {
  World& w = *rec.world;
  auto r = new_recording(w, rec.call.account_sid, now(rec));
  r->call_sid = rec.call.sid;
  r->leg_sid = leg_sid;
  r->name = name == kBySid ? r->sid : name;
  r->source = source;
  r->options = std::move(options);
  w.recordings.listen(rec.call.sid);
  if (!leg_sid.empty()) w.recordings.listen(leg_sid);
  Recording& added = w.recordings.add(std::move(r));
  journal_recording(added, "created");
  recording_callback(added, recording::kEventInProgress, out);
  return added;
}

void Engine::Impl::end_recording(Recording& r, Effects& out) {
  World& w = engine.world(r.account_sid);
  const TimePoint t = w.clock->now();
  if (!recording::stop(r, t) && r.status != RecStatus::kStopped) return;
  if (!r.conference_sid.empty()) {
    // The conference's mix: every participant it heard, as one party.
    media::CallVoices mix;
    if (const auto* heard = w.recordings.conference_voices(r.conference_sid)) {
      mix.callee = heard->mixed();
    }
    recording::finish(r, &mix, nullptr, t);
    w.recordings.unlisten_conference(r.conference_sid);
  } else {
    recording::finish(r, w.recordings.voices(r.call_sid),
                      r.leg_sid.empty() ? nullptr : w.recordings.voices(r.leg_sid), t);
    w.recordings.unlisten(r.call_sid);
    if (!r.leg_sid.empty()) w.recordings.unlisten(r.leg_sid);
  }
  journal_recording(r, std::string(recording::to_wire(r.status)));
  recording_callback(
      r, r.status == RecStatus::kCompleted ? recording::kEventCompleted : recording::kEventAbsent,
      out);
}

void Engine::Impl::stop_call_recordings(CallRecord& rec, Effects& out) {
  RecordingBook& book = rec.world->recordings;
  book.take_armed(rec.call.sid);  // Record=true on a call that never answered
  for (Recording* r : book.on_call(rec.call.sid)) {
    if (r->live()) end_recording(*r, out);
  }
}

bool Engine::Impl::heard(CallRecord& rec, bool callee, TimePoint from, Millis length) {
  bool recorded = false;
  if (media::CallVoices* v = rec.world->recordings.voices(rec.call.sid)) {
    (callee ? v->callee : v->call).add(ms_of(from), ms_of(from + length));
    recorded = true;
  }
  if (!callee) return recorded;
  // A participant's words are the conference's too, while the conference hears it: its
  // recording hears them, and so does each other participant in the mix (what that one's call
  // plays to its party, the outbound side of its own recordings).
  const conference::Conference* c = conference_of(rec);
  const conference::Participant* p = c ? c->find(rec.call.sid) : nullptr;
  if (!p || !c->hears(*p)) return recorded;
  if (media::ConferenceVoices* mix = rec.world->recordings.conference_voices(c->sid)) {
    mix->participants[rec.call.sid].add(ms_of(from), ms_of(from + length));
    recorded = true;
  }
  for (const conference::Participant& other : c->participants) {
    if (other.call_sid == rec.call.sid || !other.joined || other.hold) continue;
    if (media::CallVoices* v = rec.world->recordings.voices(other.call_sid)) {
      v->call.add(ms_of(from), ms_of(from + length));
      recorded = true;
    }
  }
  return recorded;
}

void Engine::Impl::conference_silences(const conference::Conference& c,
                                       const std::string& call_sid) {
  World& w = engine.world(c.account_sid);
  media::ConferenceVoices* mix = w.recordings.conference_voices(c.sid);
  if (!mix) return;
  auto it = mix->participants.find(call_sid);
  if (it != mix->participants.end()) it->second.cut_at(ms_of(w.clock->now()));
}

// record-from-start: the recording belongs to the conference; its call_sid is the participant
// that was first in the conference when it started (docs/recordings.md).
void Engine::Impl::start_conference_recording(conference::Conference& c, Effects& out) {
  if (!c.recorded()) return;
  World& w = engine.world(c.account_sid);
  for (const Recording* r : w.recordings.on_call(c.sid)) {
    if (r->live()) return;  // one at a time
  }
  auto r = new_recording(w, c.account_sid, w.clock->now());
  for (const conference::Participant& p : c.participants) {
    if (!p.joined) continue;
    r->call_sid = p.call_sid;
    break;
  }
  r->conference_sid = c.sid;
  r->source = recording::Source::kConference;
  r->options = c.recording;
  r->options.channels = 1;  // "always 1 for conferences"
  r->options.track = recording::Track::kBoth;
  w.recordings.listen_conference(c.sid);
  Recording& added = w.recordings.add(std::move(r));
  journal_recording(added, "created");
  recording_callback(added, recording::kEventInProgress, out);
}

void Engine::Impl::stop_conference_recordings(const conference::Conference& c, Effects& out) {
  for (Recording* r : engine.world(c.account_sid).recordings.on_call(c.sid)) {
    if (r->live()) end_recording(*r, out);
  }
}

void Engine::Impl::recording_callback(const Recording& r, uint8_t event, Effects& out) {
  if (!(r.options.events & event) || r.options.callback.empty()) return;
  const bool of_conference = !r.conference_sid.empty();
  World& w = engine.world(r.account_sid);
  conference::Conference* c =
      of_conference ? w.conferences.find(r.account_sid, r.conference_sid) : nullptr;
  CallRecord* rec = of_conference ? nullptr : get(r.call_sid);
  if (!c && !rec) return;
  // A conference's recording names its conference, not a call (reference, conferences §5.5).
  Fields params = {{"AccountSid", r.account_sid},
                   {of_conference ? "ConferenceSid" : "CallSid", r.owner()},
                   {"RecordingSid", r.sid},
                   {"RecordingUrl", recording_url(r)},
                   {"RecordingStatus", std::string(recording::to_wire(r.status))}};
  if (r.status == RecStatus::kCompleted) {
    params.emplace_back("RecordingDuration", std::to_string(r.duration_s.value_or(0)));
  }
  params.emplace_back("RecordingChannels", std::to_string(recording::channels_of(r)));
  params.emplace_back("RecordingStartTime", format_rfc2822(r.start_time));
  params.emplace_back("RecordingSource", std::string(recording::to_wire(r.source)));
  if (!of_conference) {
    params.emplace_back("RecordingTrack", std::string(recording::to_wire(r.options.track)));
  }
  if (r.error_code != 0) params.emplace_back("ErrorCode", std::to_string(r.error_code));
  if (c) {
    // In the conference's own webhook order, after its status callbacks of the moment.
    send_conference(*c, WebhookPurpose::kConferenceEvent, r.options.callback, std::move(params),
                    out);
    return;
  }
  Webhook target = r.options.callback;
  target.url = resolve_url(rec->rt().program.url, target.url);
  send_exact(*rec, WebhookPurpose::kStatusCallback, target, std::move(params), out);
}

Fields Engine::Impl::record_true_params(const CallRecord& rec) const {
  for (const Recording* r : rec.world->recordings.on_call(rec.call.sid)) {
    if (r->source != recording::Source::kOutboundApi) continue;
    return {{"RecordingUrl", recording_url(*r)},
            {"RecordingSid", r->sid},
            {"RecordingDuration", std::to_string(r->duration_s.value_or(0))}};
  }
  return {};
}

// The call's journal has a line per change, carrying the recording whole: a restart replays
// them (Engine::restore_recording) as it replays the calls.
void Engine::Impl::journal_recording(const Recording& r, std::string event) {
  Fields f = {{"event", std::move(event)},
              {"sid", r.sid},
              {"status", std::string(recording::to_wire(r.status))},
              {"source", std::string(recording::to_wire(r.source))},
              {"channels", std::to_string(r.options.channels)},
              {"track", std::string(recording::to_wire(r.options.track))},
              {"trim", r.options.trim ? "trim-silence" : "do-not-trim"},
              {"callback", r.options.callback.url},
              {"callback_method", r.options.callback.method == HttpMethod::kGet ? "GET" : "POST"},
              {"callback_events", std::to_string(r.options.events)},
              {"leg_sid", r.leg_sid},
              {"name", r.name},
              {"start_ms", std::to_string(ms_of(r.start_time))},
              {"date_updated_ms", std::to_string(ms_of(r.date_updated))},
              {"deleted", r.deleted ? "true" : "false"}};
  if (!r.conference_sid.empty()) f.emplace_back("conference_sid", r.conference_sid);
  if (r.duration_s) f.emplace_back("duration", std::to_string(*r.duration_s));
  if (r.error_code != 0) f.emplace_back("error_code", std::to_string(r.error_code));
  if (r.finished()) f.emplace_back("audio", recording::encode_audio(r.audio));
  engine.record(r.account_sid, r.call_sid, "recording", std::move(f));
}

// ---------------------------------------------------------------- <Dial record>

namespace {

// record="...": do-not-record (or false, or absent), record-from-answer (or true),
// record-from-ringing, and their -dual forms (one channel per leg).
struct DialRecordMode {
  bool on = false;
  bool from_ringing = false;
  int channels = 1;
};

DialRecordMode dial_record_mode(const std::string& v) {
  DialRecordMode m;
  if (v == "true" || v == "record-from-answer") m.on = true;
  if (v == "record-from-answer-dual") m = {true, false, 2};
  if (v == "record-from-ringing") m = {true, true, 1};
  if (v == "record-from-ringing-dual") m = {true, true, 2};
  return m;
}

Recording* live_dial_recording(CallRecord& rec) {
  for (Recording* r : rec.world->recordings.on_call(rec.call.sid)) {
    if (r->source == recording::Source::kDialVerb && r->live()) return r;
  }
  return nullptr;
}

}  // namespace

void Engine::Impl::dial_recording(CallRecord& parent, const twiml::Node& dial,
                                  const std::string& leg_sid, Effects& out) {
  const DialRecordMode mode = dial_record_mode(dial.attr_or("record", ""));
  if (!mode.on) return;
  Recording* r = live_dial_recording(parent);
  if (r && !leg_sid.empty() && r->leg_sid.empty()) {  // from ringing: now it hears the leg
    r->leg_sid = leg_sid;
    parent.world->recordings.listen(leg_sid);
    return;
  }
  if (r || mode.from_ringing != leg_sid.empty()) return;
  recording::Options o = record_verb_options(parent, dial, /*trim_default=*/false);
  o.channels = mode.channels;
  start_recording(parent, recording::Source::kDialVerb, std::move(o), leg_sid, out);
}

Fields Engine::Impl::end_dial_recording(CallRecord& parent, Effects& out) {
  Recording* r = live_dial_recording(parent);
  if (!r) return {};
  end_recording(*r, out);
  return {{"RecordingUrl", recording_url(*r)},
          {"RecordingSid", r->sid},
          {"RecordingDuration", std::to_string(r->duration_s.value_or(0))}};
}

// ---------------------------------------------------------------- <Start><Recording>

// Twilio's <Recording> defaults: dual channels, trim-silence, both tracks. Its `source` is not
// documented: StartCallRecordingAPI, as for the REST start (docs/recordings.md).
void Engine::Impl::start_verb_recording(CallRecord& rec, const twiml::Node& noun, Effects& out) {
  const std::string name = noun.attr_or("name", "");
  for (Recording* r : rec.world->recordings.on_call(rec.call.sid)) {
    if (!name.empty() && r->live() && r->name == name) {
      notify(rec, 12200, 1,
             "<Start><Recording>: a recording named '" + name +
                 "' is already running on this call; skipped",
             nullptr, nullptr);
      return;
    }
  }
  if (rec.world->recordings.count_on_call(rec.call.sid) >= recording::kMaxPerCall) {
    notify(rec, 12200, 1, "<Start><Recording>: the call has too many recordings; skipped", nullptr,
           nullptr);
    return;
  }
  recording::Options o = record_verb_options(rec, noun, /*trim_default=*/true);
  o.channels = noun.attr_or("channels", "dual") == "mono" ? 1 : 2;
  if (const std::string* t = noun.attr("track")) {
    o.track = recording::track_from(*t).value_or(recording::Track::kBoth);
  }
  // An unnamed one is named by its sid, so that <Stop><Recording/> tells it from a REST one.
  start_recording(rec, recording::Source::kStartCallRecordingApi, std::move(o), {}, out,
                  name.empty() ? std::string(kBySid) : name);
}

void Engine::Impl::stop_verb_recording(CallRecord& rec, const twiml::Node& noun, Effects& out) {
  const std::string name = noun.attr_or("name", "");
  for (Recording* r : rec.world->recordings.on_call(rec.call.sid)) {
    if (!r->live() || r->name.empty()) continue;  // only what <Start><Recording> started
    if (name.empty() || r->name == name) end_recording(*r, out);
  }
}

// ---------------------------------------------------------------- REST

namespace {

TwilioError no_call(const std::string& call_sid) {
  return TwilioError{404, 20404, "No call " + call_sid, {}};
}

}  // namespace

Result<const Recording*> Engine::create_recording(const std::string& account_sid,
                                                  const std::string& call_sid,
                                                  recording::Options options, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec || rec->call.account_sid != account_sid) return no_call(call_sid);
  if (rec->call.status != CallStatus::kInProgress) {
    return bad_request(21220,
                       "Invalid call state. Calls that are not in-progress cannot be "
                       "recorded");
  }
  if (rec->world->recordings.count_on_call(call_sid) >= recording::kMaxPerCall) {
    return bad_request(
        20001, "A call may have at most " + std::to_string(recording::kMaxPerCall) + " recordings");
  }
  return static_cast<const Recording*>(&impl_->start_recording(
      *rec, recording::Source::kStartCallRecordingApi, std::move(options), {}, out));
}

Result<RecordingChange> Engine::update_recording(const std::string& account_sid,
                                                 const std::string& call_sid,
                                                 const std::string& sid, RecStatus status,
                                                 bool skip, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec || rec->call.account_sid != account_sid) return no_call(call_sid);
  return impl_->change_recording(*rec->world, call_sid, sid, status, skip, out);
}

Result<RecordingChange> Engine::update_conference_recording(const std::string& account_sid,
                                                            const std::string& conference_sid,
                                                            const std::string& sid,
                                                            RecStatus status, bool skip,
                                                            Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  World& w = world(account_sid);
  if (!w.conferences.find(account_sid, conference_sid)) {
    return TwilioError{404, 20404, "No conference " + conference_sid, {}};
  }
  return impl_->change_recording(w, conference_sid, sid, status, skip, out);
}

// `owner`: the call, or the conference, whose recording `sid` (or Twilio.CURRENT) is.
Result<RecordingChange> Engine::Impl::change_recording(World& w, const std::string& owner,
                                                       const std::string& sid, RecStatus status,
                                                       bool skip, Effects& out) {
  RecordingBook& book = w.recordings;
  Recording* r = nullptr;
  if (sid == kCurrent) {
    for (Recording* each : book.on_call(owner)) {
      if (!each->live() || each->deleted) continue;
      if (r) {
        return bad_request(16108,
                           "The request failed because there is more than one active "
                           "recording for the provided " +
                               std::string(is_sid(owner, "CF") ? "Conference" : "Call") + " SID");
      }
      r = each;
    }
    if (!r) return TwilioError{404, 20404, "No active recording on " + owner, {}};
  } else {
    r = book.find(sid);
    if (!r || r->owner() != owner || r->deleted) {
      return TwilioError{404, 20404, "No recording " + sid + " on " + owner, {}};
    }
  }
  const TimePoint t = w.clock->now();
  if (!r->live()) {
    // A stopped recording is done: stopping it again answers it unchanged.
    if (status == RecStatus::kStopped) return RecordingChange{r, r->status};
    return bad_request(21220, "Recording " + r->sid + " is " +
                                  std::string(recording::to_wire(r->status)) +
                                  ": it cannot be paused or resumed");
  }
  bool changed = false;
  if (status == RecStatus::kPaused)
    changed = recording::pause(*r, t, skip);
  else if (status == RecStatus::kInProgress)
    changed = recording::resume(*r, t);
  if (status == RecStatus::kStopped) {
    end_recording(*r, out);
    return RecordingChange{r, RecStatus::kStopped};
  }
  if (changed) {
    r->date_updated = t;
    journal_recording(*r, std::string(recording::to_wire(r->status)));
  }
  return RecordingChange{r, r->status};
}

const Recording* Engine::find_recording(const std::string& account_sid, const std::string& sid,
                                        bool include_deleted) const {
  const World* w = find_world(account_sid);
  const Recording* r = w ? w->recordings.find(sid) : nullptr;
  if (!r || r->account_sid != account_sid || (r->deleted && !include_deleted)) return nullptr;
  return r;
}

std::vector<const Recording*> Engine::list_recordings(const std::string& account_sid) const {
  std::vector<const Recording*> out;
  const World* w = find_world(account_sid);
  if (!w) return out;
  for (const Recording* r : w->recordings.all()) {
    if (r->account_sid == account_sid) out.push_back(r);
  }
  return out;
}

Status Engine::delete_recording(const std::string& account_sid, const std::string& sid,
                                Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  World& w = world(account_sid);
  Recording* r = w.recordings.find(sid);
  if (!r || r->account_sid != account_sid || r->deleted) {
    return TwilioError{404, 20404, "No recording " + sid, {}};
  }
  if (r->live()) impl_->end_recording(*r, out);  // a live one stops first (and reports it)
  r->deleted = true;
  r->date_updated = w.clock->now();
  impl_->journal_recording(*r, "deleted");
  return Ok{};
}

// ---------------------------------------------------------------- persistence

void Engine::restore_recording(const JournalEvent& event) {
  auto text = [&](std::string_view name) { return std::string(event.field(name).value_or("")); };
  auto number = [&](std::string_view name) -> std::optional<int64_t> {
    const std::string v = text(name);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
    return n;
  };
  const std::string sid = text("sid");
  if (!is_sid(sid, "RE")) return;
  const std::string account = event.account_sid.str();
  World& w = world(account);
  Recording* r = w.recordings.find(sid);
  const bool was_live = r && r->live();
  if (!r) {
    auto fresh = std::make_unique<Recording>();
    fresh->sid = sid;
    fresh->account_sid = account;
    fresh->call_sid = event.call_sid.str();
    fresh->conference_sid = text("conference_sid");  // before add(): it files it by owner
    if (!fresh->conference_sid.empty() && !is_sid(fresh->conference_sid, "CF")) return;
    fresh->date_created = TimePoint{Millis{number("start_ms").value_or(0)}};
    r = &w.recordings.add(std::move(fresh));
  }
  const std::string status = text("status");
  for (RecStatus s : {RecStatus::kInProgress, RecStatus::kPaused, RecStatus::kStopped,
                      RecStatus::kProcessing, RecStatus::kCompleted, RecStatus::kAbsent}) {
    if (recording::to_wire(s) == status) r->status = s;
  }
  for (auto s : {recording::Source::kDialVerb, recording::Source::kConference,
                 recording::Source::kOutboundApi, recording::Source::kRecordVerb,
                 recording::Source::kStartCallRecordingApi}) {
    if (recording::to_wire(s) == text("source")) r->source = s;
  }
  r->options.channels = text("channels") == "2" ? 2 : 1;
  r->options.track = recording::track_from(text("track")).value_or(recording::Track::kBoth);
  r->options.trim = text("trim") == "trim-silence";
  r->options.callback.url = text("callback");
  r->options.callback.method =
      text("callback_method") == "GET" ? HttpMethod::kGet : HttpMethod::kPost;
  r->options.events = static_cast<uint8_t>(number("callback_events").value_or(0));
  r->leg_sid = text("leg_sid");
  r->name = text("name");
  r->start_time = TimePoint{Millis{number("start_ms").value_or(0)}};
  r->date_updated = TimePoint{Millis{number("date_updated_ms").value_or(0)}};
  r->duration_s = number("duration");
  r->error_code = static_cast<int>(number("error_code").value_or(0));
  r->deleted = text("deleted") == "true";
  if (auto audio = recording::decode_audio(text("audio")); audio && r->finished()) {
    r->audio = std::move(*audio);
  }
  // A recording that was live when the process stopped resumes hearing nothing from the
  // restart on (its audio before is lost): recover_live_calls() ends its call, which stops it.
  if (r->live()) {
    r->since = w.clock->now();
    r->pieces.clear();
  }
  if (r->live() != was_live && !r->conference_sid.empty()) {
    if (r->live())
      w.recordings.listen_conference(r->conference_sid);
    else
      w.recordings.unlisten_conference(r->conference_sid);
  } else if (r->live() != was_live) {
    if (r->live()) {
      w.recordings.listen(r->call_sid);
      if (!r->leg_sid.empty()) w.recordings.listen(r->leg_sid);
    } else {
      w.recordings.unlisten(r->call_sid);
      if (!r->leg_sid.empty()) w.recordings.unlisten(r->leg_sid);
    }
  }
}

}  // namespace dialtone::core
