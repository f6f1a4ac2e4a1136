#include "api/control/snapshot.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>

#include <cmath>
#include <regex>

#include "api/control_settings.hpp"
#include "api/json_writer.hpp"
#include "api/records_json.hpp"
#include "core/sid.hpp"
#include "core/world/world.hpp"

namespace dialtone::api {

namespace {

using Value = rapidjson::Value;

constexpr int64_t kMaxCallsPerSecond = 1000;  // as POST /_dialtone/limits takes it
constexpr size_t kMaxEventType = 64;

// ---------------------------------------------------------------- writing

void write_event(RecordWriter& w, const core::JournalEvent& e) {
  w.StartObject();
  put(w, "call_sid", e.call_sid.view());
  put(w, "type", e.type.str());
  put(w, "at_ms", e.at);
  put(w, "wall_ms", e.wall);
  // An object, in the event's order: the same shape GET /_dialtone/events shows.
  w.Key("fields");
  w.StartObject();
  for (const auto& [k, v] : e.fields) {
    w.Key(std::string_view(k.data(), k.size()));
    w.String(std::string_view(v.data(), v.size()));
  }
  w.EndObject();
  w.EndObject();
}

// A TwiML document as the parser made it: {"name", "attrs", "text", "children"}, empty members
// left out. The tree, not XML text: it reads back to the very same nodes.
void write_node(RecordWriter& w, const core::twiml::Node& n) {
  w.StartObject();
  put(w, "name", n.name);
  if (!n.attrs.empty()) {
    w.Key("attrs");
    w.StartObject();
    for (const auto& [k, v] : n.attrs) put(w, k.c_str(), v);
    w.EndObject();
  }
  if (!n.text.empty()) put(w, "text", n.text);
  if (!n.children.empty()) {
    w.Key("children");
    w.StartArray();
    for (const auto& c : n.children) write_node(w, c);
    w.EndArray();
  }
  w.EndObject();
}

void write_program(RecordWriter& w, const char* key, const core::Program& p) {
  w.Key(key);
  w.StartObject();
  w.Key("document");
  if (p.doc) {
    write_node(w, p.doc->root);
  } else {
    w.Null();
  }
  put(w, "url", p.url);
  put(w, "index", static_cast<int64_t>(p.index));
  put(w, "sub", static_cast<int64_t>(p.sub));
  w.EndObject();
}

template <class T, class Write>
void array(RecordWriter& w, const char* key, const std::vector<T>& items, Write write) {
  w.Key(key);
  w.StartArray();
  for (const auto& item : items) write(w, item);
  w.EndArray();
}

void write_live(RecordWriter& w, const core::LiveCall& l) {
  w.StartObject();
  put(w, "call_sid", l.call_sid);
  put(w, "phase", core::to_string(l.phase));
  w.Key("answered");
  w.Bool(l.answered);
  if (l.behavior) {
    w.Key("behavior");
    write_behavior(w, *l.behavior);
  }
  write_program(w, "program", l.program);
  put(w, "fetch_url", l.fetch_url);
  put(w, "dialed_by", l.dialed_by);
  put(w, "dial_noun_url", l.dial_noun_url);
  put(w, "gather_input_next", static_cast<int64_t>(l.gather_input_next));
  put(w, "documents", int64_t{l.documents});
  put(w, "documents_since_ms", l.documents_since);
  put(w, "hold_started_ms", l.hold_started);
  put(w, "ring_outcome", core::to_string(l.ring_outcome));
  w.Key("awaiting_fallback");
  w.Bool(l.awaiting_fallback);
  w.Key("awaiting_hold");
  w.Bool(l.awaiting_hold);
  if (l.gather) {
    w.Key("gather");
    w.StartObject();
    put(w, "digits", l.gather->digits);
    put(w, "speech", l.gather->speech);
    put(w, "finished_on_key", l.gather->finished_on_key);
    w.Key("prompts_done");
    w.Bool(l.gather->prompts_done);
    w.Key("in_hold");
    w.Bool(l.gather->in_hold);
    w.EndObject();
  }
  if (l.dial) {
    w.Key("dial");
    w.StartObject();
    put(w, "legs", l.dial->legs);
    put(w, "bridged_sid", l.dial->bridged_sid);
    put(w, "last_sid", l.dial->last_sid);
    put(w, "queue", l.dial->queue);
    put(w, "bridged_at_ms", l.dial->bridged_at);
    put(w, "started_at_ms", l.dial->started_at);
    put(w, "outcome", l.dial->outcome);
    if (!l.dial->whisper.empty()) put(w, "whisper", l.dial->whisper);
    w.EndObject();
  }
  if (l.queue) {
    w.Key("queue");
    w.StartObject();
    put(w, "name", l.queue->name);
    put(w, "agent_sid", l.queue->agent_sid);
    put(w, "sid", l.queue->sid);
    put(w, "since_ms", l.queue->since);
    put(w, "action", l.queue->action);
    put(w, "wait_url", l.queue->wait_url);
    write_program(w, "hold", l.queue->hold);
    w.Key("whispering");
    w.Bool(l.queue->whispering);
    w.EndObject();
  }
  if (l.conference) {
    const core::ConferenceState& c = *l.conference;
    w.Key("conference");
    w.StartObject();
    put(w, "sid", c.sid);
    w.Key("via_api");
    w.Bool(c.via_api);
    w.Key("hangup_on_star");
    w.Bool(c.hangup_on_star);
    if (!c.wait_url.empty()) put(w, "wait_url", c.wait_url);
    w.Key("default_music");
    w.Bool(c.default_music);
    if (!c.hold_url.empty()) put(w, "hold_url", c.hold_url);
    write_program(w, "music", c.music);
    put(w, "leave_reason", c.leave_reason);
    put(w, "announcing", c.announcing);
    w.Key("announce_to_all");
    w.Bool(c.announce_to_all);
    w.EndObject();
  }
  w.EndObject();
}

void write_participant(RecordWriter& w, const core::conference::Participant& p) {
  w.StartObject();
  put(w, "call_sid", p.call_sid);
  put(w, "label", p.label);
  put(w, "call_sid_to_coach", p.call_sid_to_coach);
  const std::pair<const char*, bool> flags[] = {
      {"coaching", p.coaching},
      {"end_conference_on_exit", p.end_conference_on_exit},
      {"muted", p.muted},
      {"hold", p.hold},
      {"start_conference_on_enter", p.start_conference_on_enter},
      {"beep_on_enter", p.beep_on_enter},
      {"beep_on_exit", p.beep_on_exit},
      {"joined", p.joined}};
  for (const auto& [key, value] : flags) {
    w.Key(key);
    w.Bool(value);
  }
  put(w, "date_created_ms", p.date_created);
  put(w, "date_updated_ms", p.date_updated);
  w.EndObject();
}

void write_conference(RecordWriter& w, const core::conference::Conference& c) {
  w.StartObject();
  put(w, "sid", c.sid);
  put(w, "friendly_name", c.friendly_name);
  put(w, "status", core::conference::to_wire(c.status));
  put(w, "reason_conference_ended", c.reason_ended);
  put(w, "call_sid_ending_conference", c.call_sid_ending);
  put(w, "date_created_ms", c.date_created);
  put(w, "date_updated_ms", c.date_updated);
  if (!c.callback.url.empty()) put(w, "status_callback", c.callback.url);
  put(w, "status_callback_event", core::conference::keywords_text(c.callback.events));
  put(w, "sequence_number", int64_t{c.sequence});
  put(w, "max_participants", int64_t{c.max_participants});
  put(w, "record", c.record);
  if (!c.recording.callback.empty()) put(w, "recording_status_callback", c.recording.callback);
  put(w, "recording_status_callback_event", core::recording::events_text(c.recording.events));
  put(w, "trim", c.recording.trim ? "trim-silence" : "do-not-trim");
  put(w, "announcing", c.announcing);
  array(w, "participants", c.participants, write_participant);
  w.EndObject();
}

// ---------------------------------------------------------------- reading

// Each element of an array member, read with its own ObjectReader ("calls[2]").
template <class Fn>
void each(ObjectReader& r, const char* key, Fn&& fn) {
  const Value* v = r.get(key);
  if (!v) return;
  if (!v->IsArray()) {
    r.issue(key, "must be an array");
    return;
  }
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    fn((*v)[i], r.path(key) + "[" + std::to_string(i) + "]");
  }
}

void require(ObjectReader& r, const char* key) {
  if (!r.get(key)) r.issue(key, "is missing");
}

void require_sid(ObjectReader& r, const char* key, const std::string& value,
                 std::string_view prefix, bool optional = false) {
  if (optional && value.empty()) return;
  if (!core::is_sid(value, prefix)) {
    r.issue(key, "'" + value + "' is not a " + std::string(prefix) + " sid");
  }
}

// Records name their account: it must be the document's.
void require_account(ObjectReader& r, const std::string& value, const std::string& account) {
  if (value != account) {
    r.issue("account_sid", "'" + value + "' is not the document's account " + account);
  }
}

void read_clock(ObjectReader& r, core::ClockReading& clock) {
  clock.mode = r.str("mode");
  if (clock.mode != "manual" && clock.mode != "real") {
    r.issue("mode", "must be manual or real");
  }
  const Value* speed = r.get("speed");
  if (!speed || !speed->IsNumber() || !std::isfinite(speed->GetDouble()) ||
      speed->GetDouble() < kMinSpeed || speed->GetDouble() > kMaxSpeed) {
    r.issue("speed", "must be a number from 0.001 to 1000");
  } else {
    clock.speed = speed->GetDouble();
  }
  require(r, "now_ms");
  clock.now = r.time("now_ms");
  r.finish();
}

void read_sids(ObjectReader& r, core::AccountSnapshot& s) {
  const std::string seed = r.str("seed");
  auto parsed = core::parse_seed(seed);
  if (!parsed) {
    r.issue("seed", "must be a whole number from 0 to 18446744073709551615, as a string");
  }
  s.seed = parsed.value_or(0);
  s.sids_made = static_cast<uint64_t>(
      r.integer_in("made", 0, static_cast<int64_t>(core::kMaxSnapshotSidsMade), 0));
  r.finish();
}

void read_behaviors(ObjectReader& r, JsonIssues& issues, core::BehaviorTable& table) {
  if (const Value* d = r.get("default")) {
    ObjectReader b(*d, r.path("default"), issues);
    table.set_default(read_behavior(b));
  }
  each(r, "rules", [&](const Value& v, const std::string& path) {
    ObjectReader rule(v, path, issues);
    const std::string pattern = rule.str("pattern");
    core::Behavior behavior;
    if (const Value* b = rule.get("behavior")) {
      ObjectReader br(*b, rule.path("behavior"), issues);
      behavior = read_behavior(br);
    }
    rule.finish();
    if (pattern.empty()) return rule.issue("pattern", "is missing");
    try {
      table.add(pattern, std::move(behavior));
    } catch (const std::regex_error&) {
      rule.issue("pattern", "'" + pattern + "' is not a valid regular expression");
    }
  });
  r.finish();
}

bool valid_event_type(const std::string& type) {
  if (type.empty() || type.size() > kMaxEventType) return false;
  for (char c : type) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

core::JournalEvent read_event(ObjectReader& r) {
  core::JournalEvent e;
  const std::string call_sid = r.str("call_sid");
  // A call's event, or a conference's own (its status callbacks name its CF sid).
  if (!core::is_sid(call_sid, "CF")) require_sid(r, "call_sid", call_sid, "CA", /*optional=*/true);
  e.call_sid = call_sid;
  const std::string type = r.str("type");
  // Event types are interned for the life of the process: only names of their shape.
  if (!valid_event_type(type)) r.issue("type", "must be 1..64 of a-z 0-9 . _ -");
  e.type = type;
  require(r, "at_ms");
  e.at = r.time("at_ms");
  e.wall = r.time("wall_ms");
  core::Fields fields;
  if (const Value* f = r.get("fields")) {
    if (!f->IsObject()) {
      r.issue("fields", "must be an object of strings");
    } else {
      for (auto m = f->MemberBegin(); m != f->MemberEnd(); ++m) {
        const std::string name(m->name.GetString(), m->name.GetStringLength());
        if (!m->value.IsString()) {
          r.issue("fields", name + " must be a string");
          continue;
        }
        fields.emplace_back(name, std::string(m->value.GetString(), m->value.GetStringLength()));
      }
    }
  }
  e.fields = fields;
  r.finish();
  return e;
}

// Deeper than any document the TwiML parser accepts (it stops at 16).
constexpr int kMaxNodeDepth = 32;

core::twiml::Node read_node(const Value& v, const std::string& path, JsonIssues& issues,
                            int depth = 0) {
  core::twiml::Node n;
  if (depth > kMaxNodeDepth) {
    issues.add(path, "is nested too deep for a TwiML document");
    return n;
  }
  ObjectReader r(v, path, issues);
  n.name = r.str("name");
  if (n.name.empty()) r.issue("name", "is missing");
  if (const Value* attrs = r.get("attrs")) {
    if (!attrs->IsObject()) {
      r.issue("attrs", "must be an object of strings");
    } else {
      for (auto m = attrs->MemberBegin(); m != attrs->MemberEnd(); ++m) {
        if (!m->value.IsString()) {
          r.issue("attrs", std::string(m->name.GetString()) + " must be a string");
          continue;
        }
        n.attrs.emplace_back(std::string(m->name.GetString(), m->name.GetStringLength()),
                             std::string(m->value.GetString(), m->value.GetStringLength()));
      }
    }
  }
  n.text = r.str("text");
  each(r, "children", [&](const Value& c, const std::string& child_path) {
    n.children.push_back(read_node(c, child_path, issues, depth + 1));
  });
  r.finish();
  return n;
}

// A place in a document: the index must name a verb of it (or its end), the sub a verb of that
// verb's children.
core::Program read_program(ObjectReader& parent, const char* key, JsonIssues& issues) {
  core::Program p;
  const Value* v = parent.get(key);
  if (!v) return p;
  ObjectReader r(*v, parent.path(key), issues);
  if (const Value* doc = r.get("document")) {
    auto d = std::make_shared<core::twiml::Document>();
    d->root = read_node(*doc, r.path("document"), issues);
    if (d->root.name != "Response") r.issue("document", "must be a <Response>");
    p.doc = std::move(d);
  }
  p.url = r.str("url");
  const size_t verbs = p.doc ? p.doc->root.children.size() : 0;
  p.index = static_cast<size_t>(r.integer_in("index", 0, static_cast<int64_t>(verbs), 0));
  const size_t nested = p.index < verbs ? p.doc->root.children[p.index].children.size() : 0;
  p.sub = static_cast<size_t>(r.integer_in("sub", 0, static_cast<int64_t>(nested), 0));
  r.finish();
  return p;
}

template <class Enum>
Enum named(ObjectReader& r, const char* key, std::optional<Enum> (*from)(std::string_view),
           Enum fallback) {
  const std::string name = r.str(key);
  auto e = from(name);
  if (!e) r.issue(key, "'" + name + "' is not one dialtone knows");
  return e.value_or(fallback);
}

// The phases in which the interpreter reads the verb its program points at.
bool runs_a_verb(core::Phase p) {
  return p == core::Phase::kVerb || p == core::Phase::kGather || p == core::Phase::kDial ||
         p == core::Phase::kRecord;
}

core::LiveCall read_live(ObjectReader& r, JsonIssues& issues) {
  core::LiveCall l;
  l.call_sid = r.str("call_sid");
  require_sid(r, "call_sid", l.call_sid, "CA");
  l.phase = named(r, "phase", &core::phase_from, core::Phase::kIdle);
  l.answered = r.boolean("answered");
  if (const Value* b = r.get("behavior")) {
    ObjectReader br(*b, r.path("behavior"), issues);
    l.behavior = read_behavior(br);
  }
  l.program = read_program(r, "program", issues);
  if (runs_a_verb(l.phase) &&
      (!l.program.doc || l.program.index >= l.program.doc->root.children.size())) {
    r.issue("program", "must point at a verb of its document in phase " +
                           std::string(core::to_string(l.phase)));
  }
  l.fetch_url = r.str("fetch_url");
  l.dialed_by = r.str("dialed_by");
  require_sid(r, "dialed_by", l.dialed_by, "CA", /*optional=*/true);
  l.dial_noun_url = r.str("dial_noun_url");
  l.gather_input_next = static_cast<uint64_t>(r.integer_in("gather_input_next", 0, 1 << 20, 0));
  l.documents = static_cast<int>(r.integer_in("documents", 0, 1 << 20, 0));
  l.documents_since = r.time("documents_since_ms");
  l.hold_started = r.time("hold_started_ms");
  l.ring_outcome = named(r, "ring_outcome", &core::call_event_from, core::CallEvent::kAnswer);
  l.awaiting_fallback = r.boolean("awaiting_fallback");
  l.awaiting_hold = r.boolean("awaiting_hold");
  if (const Value* g = r.get("gather")) {
    ObjectReader gr(*g, r.path("gather"), issues);
    l.gather.emplace();
    l.gather->digits = gr.str("digits");
    l.gather->speech = gr.str("speech");
    l.gather->finished_on_key = gr.str("finished_on_key");
    l.gather->prompts_done = gr.boolean("prompts_done");
    l.gather->in_hold = gr.boolean("in_hold");
    gr.finish();
  }
  if (const Value* d = r.get("dial")) {
    ObjectReader dr(*d, r.path("dial"), issues);
    l.dial.emplace();
    l.dial->legs = dr.strings("legs");
    for (const auto& leg : l.dial->legs) require_sid(dr, "legs", leg, "CA");
    l.dial->bridged_sid = dr.str("bridged_sid");
    require_sid(dr, "bridged_sid", l.dial->bridged_sid, "CA", /*optional=*/true);
    l.dial->last_sid = dr.str("last_sid");
    require_sid(dr, "last_sid", l.dial->last_sid, "CA", /*optional=*/true);
    l.dial->queue = dr.str("queue");
    l.dial->bridged_at = dr.time("bridged_at_ms");
    l.dial->started_at = dr.time("started_at_ms");
    l.dial->outcome = dr.str("outcome");
    if (dr.get("whisper")) l.dial->whisper = dr.hook("whisper");
    dr.finish();
  }
  if (const Value* q = r.get("queue")) {
    ObjectReader qr(*q, r.path("queue"), issues);
    l.queue.emplace();
    l.queue->name = qr.str("name");
    l.queue->agent_sid = qr.str("agent_sid");
    require_sid(qr, "agent_sid", l.queue->agent_sid, "CA", /*optional=*/true);
    l.queue->sid = qr.str("sid");
    l.queue->since = qr.time("since_ms");
    l.queue->action = qr.hook("action");
    l.queue->wait_url = qr.hook("wait_url");
    l.queue->hold = read_program(qr, "hold", issues);
    l.queue->whispering = qr.boolean("whispering");
    qr.finish();
  }
  if (const Value* c = r.get("conference")) {
    ObjectReader cr(*c, r.path("conference"), issues);
    l.conference.emplace();
    l.conference->sid = cr.str("sid");
    require_sid(cr, "sid", l.conference->sid, "CF");
    l.conference->via_api = cr.boolean("via_api");
    l.conference->hangup_on_star = cr.boolean("hangup_on_star");
    l.conference->wait_url = cr.hook("wait_url");
    l.conference->default_music = cr.boolean("default_music");
    l.conference->hold_url = cr.hook("hold_url");
    l.conference->music = read_program(cr, "music", issues);
    l.conference->leave_reason = cr.str("leave_reason");
    l.conference->announcing = cr.str("announcing");
    l.conference->announce_to_all = cr.boolean("announce_to_all");
    cr.finish();
  }
  r.finish();
  return l;
}

core::conference::Participant read_participant(ObjectReader& r) {
  core::conference::Participant p;
  p.call_sid = r.str("call_sid");
  require_sid(r, "call_sid", p.call_sid, "CA");
  p.label = r.str("label");
  if (!p.label.empty() && !core::conference::valid_label(p.label)) {
    r.issue("label", "'" + p.label + "' is not a label Twilio accepts");
  }
  p.call_sid_to_coach = r.str("call_sid_to_coach");
  require_sid(r, "call_sid_to_coach", p.call_sid_to_coach, "CA", /*optional=*/true);
  p.coaching = r.boolean("coaching");
  p.end_conference_on_exit = r.boolean("end_conference_on_exit");
  p.muted = r.boolean("muted");
  p.hold = r.boolean("hold");
  p.start_conference_on_enter = r.boolean("start_conference_on_enter");
  p.beep_on_enter = r.boolean("beep_on_enter");
  p.beep_on_exit = r.boolean("beep_on_exit");
  p.joined = r.boolean("joined");
  p.date_created = r.time("date_created_ms");
  p.date_updated = r.time("date_updated_ms");
  r.finish();
  return p;
}

core::conference::Conference read_conference(ObjectReader& r, JsonIssues& issues) {
  namespace conf = core::conference;
  conf::Conference c;
  c.sid = r.str("sid");
  require_sid(r, "sid", c.sid, "CF");
  c.friendly_name = r.str("friendly_name");
  if (c.friendly_name.empty() || c.friendly_name.size() > conf::kMaxNameLength) {
    r.issue("friendly_name", "must be 1 to 128 characters");
  }
  c.status = named(r, "status", &conf::status_from_wire, conf::Status::kCompleted);
  c.reason_ended = r.str("reason_conference_ended");
  c.call_sid_ending = r.str("call_sid_ending_conference");
  require_sid(r, "call_sid_ending_conference", c.call_sid_ending, "CA", /*optional=*/true);
  c.date_created = r.time("date_created_ms");
  c.date_updated = r.time("date_updated_ms");
  c.callback.url = r.hook("status_callback");
  const std::string events = r.str("status_callback_event");
  if (auto bits = conf::parse_keywords(events)) {
    c.callback.events = *bits;
  } else {
    r.issue("status_callback_event", "'" + events + "' has a keyword Twilio does not know");
  }
  c.sequence = static_cast<int>(r.integer_in("sequence_number", 0, 1 << 30, 0));
  c.max_participants =
      static_cast<int>(r.integer_in("max_participants", 1, conf::kMaxParticipants,
                                    conf::kMaxParticipants));
  c.record = r.str("record");
  c.recording.callback = r.hook("recording_status_callback");
  const std::string recording_events = r.str("recording_status_callback_event");
  if (!recording_events.empty()) {
    const auto bits = core::recording::parse_events({std::string_view(recording_events)});
    if (bits && *bits) {
      c.recording.events = *bits;
    } else {
      r.issue("recording_status_callback_event",
              "'" + recording_events + "' is not in-progress, completed or absent");
    }
  }
  c.recording.trim = r.str("trim") != "do-not-trim";
  c.announcing = r.str("announcing");
  each(r, "participants", [&](const Value& v, const std::string& path) {
    ObjectReader pr(v, path, issues);
    c.participants.push_back(read_participant(pr));
  });
  if (c.participants.size() > static_cast<size_t>(c.max_participants)) {
    r.issue("participants", "holds more than max_participants");
  }
  r.finish();
  return c;
}

core::LiveTimer read_timer(ObjectReader& r) {
  core::LiveTimer t;
  t.call_sid = r.str("call_sid");
  require_sid(r, "call_sid", t.call_sid, "CA");
  t.slot = named(r, "slot", &core::timer_slot_from, core::TimerSlot::kLifecycle);
  t.kind = named(r, "kind", &core::timer_kind_from, core::TimerKind::kDial);
  require(r, "due_ms");
  t.due = r.time("due_ms");
  r.finish();
  return t;
}

void read_document(ObjectReader& top, JsonIssues& issues, core::AccountSnapshot& s) {
  s.account_sid = top.str("account_sid");
  const std::string& account = s.account_sid;
  auto object = [&](const char* key, auto&& read) {
    const Value* v = top.get(key);
    if (!v) return top.issue(key, "is missing");
    ObjectReader r(*v, key, issues);
    read(r);
  };
  object("clock", [&](ObjectReader& r) { read_clock(r, s.clock); });
  object("sids", [&](ObjectReader& r) { read_sids(r, s); });
  object("limits", [&](ObjectReader& r) {
    s.calls_per_second =
        static_cast<int>(r.integer_in("calls_per_second", 0, kMaxCallsPerSecond, 0));
    s.next_dial_slot = r.time("next_dial_slot_ms");
    r.finish();
  });
  object("behaviors", [&](ObjectReader& r) { read_behaviors(r, issues, s.behaviors); });
  each(top, "numbers", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    core::PhoneNumber n = read_number(r);
    require_sid(r, "sid", n.sid, "PN");
    require_account(r, n.account_sid, account);
    if (n.phone_number.empty()) r.issue("phone_number", "is missing");
    s.numbers.push_back(std::move(n));
  });
  each(top, "queues", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    core::QueueEntry q;
    q.name = r.str("name");
    q.sid = r.str("sid");
    require_sid(r, "sid", q.sid, "QU", /*optional=*/true);
    q.max_size = static_cast<int>(r.integer_in("max_size", 1, core::queue::kMaxEnqueueSize,
                                               core::queue::kDefaultMaxSize));
    q.date_created = r.time("date_created_ms");
    q.date_updated = r.time("date_updated_ms");
    q.callers = r.strings("callers");
    q.agents = r.strings("agents");
    r.finish();
    s.queues.push_back(std::move(q));
  });
  each(top, "conferences", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    s.conferences.push_back(read_conference(r, issues));
  });
  each(top, "calls", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    require(r, "status");
    require(r, "direction");
    core::Call c = read_call(r);
    require_sid(r, "sid", c.sid, "CA");
    require_sid(r, "parent_call_sid", c.parent_call_sid, "CA", /*optional=*/true);
    require_account(r, c.account_sid, account);
    s.calls.push_back(std::move(c));
  });
  each(top, "live_calls", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    s.live_calls.push_back(read_live(r, issues));
  });
  each(top, "timers", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    s.timers.push_back(read_timer(r));
  });
  each(top, "notifications", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    core::Notification n = read_notification(r);
    require_sid(r, "sid", n.sid, "NO");
    require_sid(r, "call_sid", n.call_sid, "CA");
    require_account(r, n.account_sid, account);
    s.notifications.push_back(std::move(n));
  });
  each(top, "journal", [&](const Value& v, const std::string& path) {
    ObjectReader r(v, path, issues);
    s.journal.push_back(read_event(r));
  });
  top.finish();
}

core::TwilioError invalid(const std::string& message) {
  return core::TwilioError{400, 0, "Invalid snapshot: " + message, {}};
}

std::string replace_all(std::string_view text, const std::string& from, const std::string& to) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  for (size_t hit; (hit = text.find(from, pos)) != std::string_view::npos;
       pos = hit + from.size()) {
    out.append(text.substr(pos, hit - pos));
    out += to;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

std::string snapshot_json(const core::AccountSnapshot& s) {
  std::string compact;
  RecordWriter w(compact);
  w.StartObject();
  put(w, "dialtone_snapshot", int64_t{kSnapshotVersion});
  put(w, "account_sid", s.account_sid);
  w.Key("clock");
  w.StartObject();
  put(w, "mode", s.clock.mode);
  w.Key("speed");
  w.Double(s.clock.speed);
  put(w, "now_ms", s.clock.now);
  w.EndObject();
  // The seed as a string: a JavaScript number holds only 53 bits of it.
  w.Key("sids");
  w.StartObject();
  put(w, "seed", std::to_string(s.seed));
  put(w, "made", static_cast<int64_t>(s.sids_made));
  w.EndObject();
  w.Key("limits");
  w.StartObject();
  put(w, "calls_per_second", int64_t{s.calls_per_second});
  put(w, "next_dial_slot_ms", s.next_dial_slot);
  w.EndObject();
  w.Key("behaviors");
  w.StartObject();
  w.Key("default");
  write_behavior(w, s.behaviors.default_behavior());
  array(w, "rules", s.behaviors.rules(), [](RecordWriter& out, const core::BehaviorRule& rule) {
    out.StartObject();
    put(out, "pattern", rule.pattern);
    out.Key("behavior");
    write_behavior(out, rule.behavior);
    out.EndObject();
  });
  w.EndObject();
  array(w, "numbers", s.numbers, write_number);
  array(w, "queues", s.queues, [](RecordWriter& out, const core::QueueEntry& q) {
    out.StartObject();
    put(out, "name", q.name);
    put(out, "sid", q.sid);
    put(out, "max_size", int64_t{q.max_size});
    put(out, "date_created_ms", q.date_created);
    put(out, "date_updated_ms", q.date_updated);
    put(out, "callers", q.callers);
    put(out, "agents", q.agents);
    out.EndObject();
  });
  array(w, "conferences", s.conferences, write_conference);
  array(w, "calls", s.calls, write_call);
  array(w, "live_calls", s.live_calls, write_live);
  array(w, "timers", s.timers, [](RecordWriter& out, const core::LiveTimer& t) {
    out.StartObject();
    put(out, "call_sid", t.call_sid);
    put(out, "slot", core::to_string(t.slot));
    put(out, "kind", core::to_string(t.kind));
    put(out, "due_ms", t.due);
    out.EndObject();
  });
  array(w, "notifications", s.notifications, write_notification);
  array(w, "journal", s.journal, write_event);
  w.EndObject();

  // Written compact by the record writers, then laid out one member a line.
  rapidjson::Document doc;
  doc.Parse(compact.data(), compact.size());
  rapidjson::StringBuffer pretty;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> pw(pretty);
  pw.SetIndent(' ', 2);
  doc.Accept(pw);
  return std::string(pretty.GetString(), pretty.GetSize()) + "\n";
}

core::Result<core::AccountSnapshot> parse_snapshot(std::string_view body,
                                                   const std::string& target_sid) {
  rapidjson::Document doc;
  // Iterative, as control_params() parses: a recursive parse of deep nesting overflows the stack.
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    return invalid("not JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                   rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return invalid("the document must be a JSON object");
  auto version = doc.FindMember("dialtone_snapshot");
  if (version == doc.MemberEnd()) {
    return invalid("dialtone_snapshot is missing: this is not a snapshot of "
                   "GET /_dialtone/accounts/{AccountSid}/snapshot");
  }
  if (!version->value.IsInt() || version->value.GetInt() != kSnapshotVersion) {
    return invalid("dialtone_snapshot: this dialtone reads version " +
                   std::to_string(kSnapshotVersion) + " only");
  }
  auto source = doc.FindMember("account_sid");
  if (source == doc.MemberEnd() || !source->value.IsString() ||
      !core::is_sid(source->value.GetString(), "AC")) {
    return invalid("account_sid must be the sid of the account the snapshot was taken of");
  }
  const std::string source_sid = source->value.GetString();
  if (source_sid != target_sid) {
    // The source account's sid, wherever it stands, becomes the target's.
    const std::string text = replace_all(body, source_sid, target_sid);
    doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  }
  JsonIssues issues;
  core::AccountSnapshot s;
  ObjectReader top(doc, "", issues);
  (void)top.get("dialtone_snapshot");
  read_document(top, issues, s);
  s.account_sid = source_sid;  // the records are the target's now; the document names its source
  if (issues.any()) {
    std::string message = issues.first();
    if (issues.count() > 1) {
      message += " (and " + std::to_string(issues.count() - 1) + " more problem(s))";
    }
    return invalid(message);
  }
  return s;
}

std::string restored_json(const std::string& target_sid, const core::AccountSnapshot& loaded) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("restored", target_sid);
  w.member("from", loaded.account_sid);
  w.member_int("calls", static_cast<int64_t>(loaded.calls.size()));
  w.member_int("live_calls", static_cast<int64_t>(loaded.live_calls.size()));
  w.member_int("notifications", static_cast<int64_t>(loaded.notifications.size()));
  w.member_int("events", static_cast<int64_t>(loaded.journal.size()));
  w.member_int("numbers", static_cast<int64_t>(loaded.numbers.size()));
  w.EndObject();
  return buf;
}

}  // namespace dialtone::api
