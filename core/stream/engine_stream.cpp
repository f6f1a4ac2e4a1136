// Media Streams, coordinated with the call: <Start>, <Connect> and <Stop> with <Stream>, the
// REST Streams resource, the frames the clock owes, and what the server's WebSocket client
// reports. Each stream's protocol state is its stream::Session (in the world's StreamBook);
// this file only decides when a session opens, ticks and stops, and what the call does then.
// docs/streams.md has the choices made where Twilio is silent.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/engine_impl.hpp"
#include "core/stream/session.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using stream::Session;
using twiml::Node;

}  // namespace

// Stream status callbacks date their events in ISO 8601 (UTC), unlike call callbacks.
std::string format_iso8601(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<Millis> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

// The URL dialtone connects to: ws:// or wss:// as written, or a relative URL resolved against
// the document's (http -> ws, https -> wss). The query is dropped (Twilio does not support
// one; docs/streams.md). nullopt: not a stream URL (31923).
std::optional<std::string> stream_url(std::string_view base, std::string_view url) {
  std::string u(url);
  if (!starts_with(u, "ws://") && !starts_with(u, "wss://")) {
    if (u.empty() || u.find("://") != std::string::npos || base.empty()) return std::nullopt;
    u = resolve_url(base, u);
    if (starts_with(u, "https://")) {
      u = "wss://" + u.substr(8);
    } else if (starts_with(u, "http://")) {
      u = "ws://" + u.substr(7);
    } else {
      return std::nullopt;
    }
  }
  u = u.substr(0, u.find_first_of("?#"));
  const size_t host = u.find("://") + 3;
  if (host >= u.size() || u[host] == '/' || u[host] == ':') return std::nullopt;
  for (char c : u) {
    if (static_cast<unsigned char>(c) <= ' ') return std::nullopt;
  }
  return u;
}

namespace {

// The attributes and <Parameter> children of a <Stream>; the URL is checked by open_stream.
stream::Spec spec_of(const Node& n, bool bidirectional) {
  stream::Spec spec;
  spec.url = n.attr_or("url", "");
  spec.name = n.attr_or("name", "");
  spec.bidirectional = bidirectional;
  spec.track = stream::track_from(n.attr_or("track", "inbound_track"))
                   .value_or(stream::Track::kInbound);
  spec.status_callback = {n.attr_or("statusCallback", ""),
                          twiml::attr_method(n, "statusCallbackMethod")};
  for (const Node& p : n.children) {
    if (p.name != "Parameter" || spec.parameters.size() >= stream::kMaxParameters) continue;
    spec.parameters.emplace_back(p.attr_or("name", "").substr(0, stream::kMaxParameterLength),
                                 p.attr_or("value", "").substr(0, stream::kMaxParameterLength));
  }
  return spec;
}

const char* app_event_name(stream::AppMessage::Kind k) {
  switch (k) {
    case stream::AppMessage::Kind::kMedia: return "media";
    case stream::AppMessage::Kind::kMark: return "mark";
    case stream::AppMessage::Kind::kClear: return "clear";
    case stream::AppMessage::Kind::kInvalid: break;
  }
  return "invalid";
}

}  // namespace

Result<Session*> Engine::Impl::open_stream(CallRecord& rec, stream::Spec spec, Effects& out) {
  auto url = stream_url(rec.rt().program.url, spec.url);
  if (!url) {
    return bad_request(stream::kErrMalformedUrl,
                       "Invalid stream URL '" + spec.url + "': a ws:// or wss:// URL is needed");
  }
  spec.url = *url;
  stream::StreamBook& book = rec.world->streams;
  size_t forks = 0;
  for (const Session* s : book.live_on_call(rec.call.sid)) {
    if (!spec.name.empty() && s->spec().name == spec.name) {
      return bad_request(20001, "A stream named '" + spec.name + "' is already running on " +
                                    rec.call.sid);
    }
    if (s->spec().bidirectional && spec.bidirectional) {
      return bad_request(20001, "A bidirectional stream is already running on " + rec.call.sid);
    }
    if (!s->spec().bidirectional) ++forks;
  }
  if (!spec.bidirectional && forks >= stream::kMaxUnidirectionalPerCall) {
    return bad_request(20001, "A call may have at most " +
                                  std::to_string(stream::kMaxUnidirectionalPerCall) +
                                  " unidirectional streams");
  }
  std::string sid = rec.world->sids.next("MZ");
  while (book.find(sid)) sid = rec.world->sids.next("MZ");
  Session& s = book.add(std::make_unique<Session>(next_stream_id++, std::move(sid),
                                                  rec.call.account_sid, rec.call.sid,
                                                  std::move(spec), now(rec)));
  journal(rec, "stream", {{"event", "created"},
                          {"sid", s.sid()},
                          {"name", s.spec().name},
                          {"url", s.spec().url},
                          {"track", std::string(stream::to_wire(s.spec().track))},
                          {"bidirectional", s.spec().bidirectional ? "true" : "false"}});
  StreamCommand open{StreamCommand::Kind::kOpen, s.id(), s.account_sid(), s.spec().url, {}};
  if (const Account* a = engine.accounts_.find(rec.call.account_sid)) open.auth_token = a->auth_token;
  out.streams.push_back(std::move(open));
  return &s;
}

void Engine::Impl::exec_start(CallRecord& rec, const Node& verb, Effects& out) {
  for (const Node& child : verb.children) {
    if (child.name == "Recording") {
      start_verb_recording(rec, child, out);  // core/recording/engine_recording.cpp
      continue;
    }
    if (child.name == "Transcription") {
      start_transcription(rec, child, out);
      continue;
    }
    if (child.name != "Stream") {
      notify(rec, 12200, 1, "dialtone does not emulate <Start><" + child.name + ">; skipped",
             nullptr, nullptr);
      continue;
    }
    auto opened = open_stream(rec, spec_of(child, false), out);
    if (!opened) notify(rec, opened.error().code, 0, opened.error().message, nullptr, nullptr);
  }
}

void Engine::Impl::exec_stop(CallRecord& rec, const Node& verb, Effects& out) {
  for (const Node& child : verb.children) {
    if (child.name == "Recording") {
      stop_verb_recording(rec, child, out);
      continue;
    }
    if (child.name == "Transcription") {
      // By name, as for streams; an unknown name does nothing.
      const std::string name = child.attr_or("name", "");
      const auto* r = name.empty() ? nullptr
                                   : rec.world->call_resources.find(
                                         rec.call.sid, call_resources::Kind::kTranscription, name);
      if (r && !r->stopped) stop_transcription(rec, r->sid, out);
      continue;
    }
    if (child.name != "Stream") {
      notify(rec, 12200, 1, "dialtone does not emulate <Stop><" + child.name + ">; skipped",
             nullptr, nullptr);
      continue;
    }
    // Only a named stream can be stopped; an unknown name is no error (docs/streams.md).
    const std::string name = child.attr_or("name", "");
    Session* s = name.empty() ? nullptr : rec.world->streams.find_on_call(rec.call.sid, name);
    if (s && s->live() && !s->spec().bidirectional) stop_stream(*s, "stop-verb", out);
  }
}

bool Engine::Impl::exec_connect(CallRecord& rec, const Node& verb, Effects& out) {
  const Node* noun = nullptr;
  for (const Node& child : verb.children) {
    if (child.name == "ConversationRelay") return start_relay(rec, child, out);
    if (child.name == "Stream") noun = &child;
  }
  if (!noun) {
    const std::string what = verb.children.empty() ? "" : "<" + verb.children.front().name + ">";
    notify(rec, 12200, 1, "dialtone does not emulate <Connect>" + what + "; it was skipped",
           nullptr, nullptr);
    return true;
  }
  if (const std::string* track = noun->attr("track"); track && *track != "inbound_track") {
    notify(rec, stream::kErrInvalidTrack, 0,
           "Stream - Invalid Track configuration: a bidirectional stream carries inbound_track "
           "only",
           nullptr, nullptr);
    return true;
  }
  auto opened = open_stream(rec, spec_of(*noun, true), out);
  if (!opened) {
    notify(rec, opened.error().code, 0, opened.error().message, nullptr, nullptr);
    return true;
  }
  rec.phase = Phase::kConnect;
  return false;
}

void Engine::Impl::finish_connect(CallRecord& rec, Effects& out, Fields extra) {
  if (rec.phase != Phase::kConnect || !is_live(rec.call.status)) return;
  rec.phase = Phase::kIdle;
  const Node& verb = current_verb(rec);
  if (const std::string* action = verb.attr("action")) {
    fetch(rec, Webhook{resolve_url(rec.rt().program.url, *action), twiml::attr_method(verb)},
          std::move(extra), false, out);
    return;
  }
  ++rec.rt().program.index;
  run(rec, out);
}

void Engine::Impl::stream_messages(const Session& s, std::vector<std::string>& messages,
                                   Effects& out, TimePoint due) {
  for (auto& m : messages) {
    out.streams.push_back(
        {StreamCommand::Kind::kSend, s.id(), s.account_sid(), std::move(m), {}, due});
  }
  messages.clear();
}

void Engine::Impl::stream_callback(Session& s, const char* event, const std::string& error,
                                   Effects& out) {
  CallRecord* rec = get(s.call_sid());
  if (!rec || s.spec().status_callback.empty()) return;
  Fields params = {{"AccountSid", s.account_sid()},
                   {"CallSid", s.call_sid()},
                   {"StreamSid", s.sid()},
                   {"StreamName", s.display_name()},
                   {"StreamEvent", event}};
  if (!error.empty()) params.emplace_back("StreamError", error);
  params.emplace_back("Timestamp", format_iso8601(now(*rec)));
  Webhook target = s.spec().status_callback;
  target.url = resolve_url(rec->rt().program.url, target.url);
  send_exact(*rec, WebhookPurpose::kStatusCallback, target, std::move(params), out);
}

void Engine::Impl::arm_stream_tick(CallRecord& rec) {
  std::optional<TimePoint> due;
  for (const Session* s : rec.world->streams.live_on_call(rec.call.sid)) {
    if (s->state() != stream::State::kOpen) continue;
    if (!due || s->next_frame_due() < *due) due = s->next_frame_due();
  }
  if (due && is_live(rec.call.status)) {
    arm(rec, TimerSlot::kStream, TimerKind::kStreamTick, *due);
  } else {
    disarm(rec, TimerSlot::kStream);
  }
}

void Engine::Impl::stream_tick(CallRecord& rec, Effects& out) {
  stream::StreamBook& book = rec.world->streams;
  const media::CallAudio* audio = book.audio_of(rec.call.sid);
  if (!audio) return;
  std::vector<std::string> messages;
  const TimePoint t = now(rec);
  for (Session* s : book.live_on_call(rec.call.sid)) {
    const TimePoint due = s->next_frame_due();
    s->advance(t, *audio, messages);
    stream_messages(*s, messages, out, due);
  }
  arm_stream_tick(rec);
}

void Engine::Impl::stream_opened(Session& s, Effects& out) {
  CallRecord* rec = get(s.call_sid());
  if (!rec || !is_live(rec->call.status)) {
    stop_stream(s, "call-ended", out);
    return;
  }
  std::vector<std::string> messages;
  s.open(now(*rec), messages);
  stream_messages(s, messages, out);
  journal(*rec, "stream", {{"event", "started"}, {"sid", s.sid()}});
  stream_callback(s, "stream-started", {}, out);
  arm_stream_tick(*rec);
}

void Engine::Impl::stream_failed(Session& s, int code, const std::string& why, Effects& out) {
  if (!s.live()) return;
  World& w = engine.world(s.account_sid());
  std::vector<std::string> unsent;
  s.stop(w.clock->now(), unsent);  // the socket is gone: nothing more is sent on it
  w.streams.stopped(s);
  out.streams.push_back({StreamCommand::Kind::kClose, s.id(), s.account_sid(), {}, {}});
  CallRecord* rec = get(s.call_sid());
  if (!rec) return;
  agent_stream_stopped(*rec, s);
  const std::string text = "Stream " + s.sid() + " (" + s.spec().url + "): " + why;
  journal(*rec, "stream", {{"event", "error"},
                           {"sid", s.sid()},
                           {"error_code", std::to_string(code)},
                           {"error", why}});
  notify(*rec, code, 0, text, nullptr, nullptr);
  stream_callback(s, "stream-error", std::to_string(code) + ": " + why, out);
  if (s.spec().bidirectional) finish_connect(*rec, out);
  arm_stream_tick(*rec);
}

void Engine::Impl::stream_closed_by_app(Session& s, Effects& out) {
  if (!s.live()) return;
  World& w = engine.world(s.account_sid());
  std::vector<std::string> unsent;
  s.stop(w.clock->now(), unsent);  // the app closed: Twilio sends no `stop` then
  w.streams.stopped(s);
  out.streams.push_back({StreamCommand::Kind::kClose, s.id(), s.account_sid(), {}, {}});
  CallRecord* rec = get(s.call_sid());
  if (!rec) return;
  agent_stream_stopped(*rec, s);
  journal(*rec, "stream", {{"event", "stopped"}, {"sid", s.sid()}, {"reason", "app-closed"}});
  stream_callback(s, "stream-stopped", {}, out);
  if (s.spec().bidirectional) finish_connect(*rec, out);  // the TwiML after </Connect> runs
  arm_stream_tick(*rec);
}

void Engine::Impl::stop_stream(Session& s, const std::string& why, Effects& out) {
  if (!s.live()) return;
  World& w = engine.world(s.account_sid());
  std::vector<std::string> messages;
  // The frames that ended at this very instant go first: an advance of N seconds delivers N
  // seconds of frames even when the call ends at its last instant.
  if (const media::CallAudio* audio = w.streams.audio_of(s.call_sid())) {
    s.advance(w.clock->now(), *audio, messages);
  }
  s.stop(w.clock->now(), messages);
  stream_messages(s, messages, out);
  w.streams.stopped(s);
  out.streams.push_back({StreamCommand::Kind::kClose, s.id(), s.account_sid(), {}, {}});
  CallRecord* rec = get(s.call_sid());
  if (!rec) return;
  agent_stream_stopped(*rec, s);
  journal(*rec, "stream", {{"event", "stopped"}, {"sid", s.sid()}, {"reason", why}});
  stream_callback(s, "stream-stopped", {}, out);
  arm_stream_tick(*rec);
}

void Engine::Impl::stop_call_streams(CallRecord& rec, Effects& out) {
  const std::vector<Session*> live = rec.world->streams.live_on_call(rec.call.sid);
  for (Session* s : live) stop_stream(*s, "call-ended", out);
}

void Engine::Impl::stream_app_text(Session& s, const std::string& text, Effects& out) {
  std::vector<std::string> messages;
  const size_t queued_before = s.queued_bytes();
  const stream::AppOutcome r = s.on_app_text(text, messages);
  stream_messages(s, messages, out);
  CallRecord* rec = get(s.call_sid());
  if (!rec) return;
  agent_stream_message(*rec, s, r.kind, queued_before);  // the transcript (core/callee/)
  Fields fields = {{"event", "app"}, {"sid", s.sid()}, {"app_event", app_event_name(r.kind)}};
  if (r.kind == stream::AppMessage::Kind::kMedia) {
    fields.emplace_back("bytes", std::to_string(r.bytes));
  }
  if (r.error_code) fields.emplace_back("error_code", std::to_string(r.error_code));
  journal(*rec, "stream", std::move(fields));
  if (r.error_code && s.first_report(r.error_code)) {
    notify(*rec, r.error_code, 1, "Stream " + s.sid() + ": " + r.error, nullptr, nullptr);
  }
}

void Engine::Impl::drop_world_streams(World& w) {
  for (uint64_t id : w.streams.clear()) dropped_streams.push_back(id);
  for (uint64_t id : w.relays.clear()) dropped_streams.push_back(id);
}

// ---------------------------------------------------------------- public

Result<const Session*> Engine::create_stream(const std::string& account_sid,
                                             const std::string& call_sid, stream::Spec spec,
                                             Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec || rec->call.account_sid != account_sid) {
    return TwilioError{404, 20404, "No call " + call_sid, {}};
  }
  if (rec->call.status != CallStatus::kInProgress) {
    return bad_request(21220, "Call is not in-progress. Cannot create a Stream.");
  }
  spec.bidirectional = false;  // REST makes forks only
  auto opened = impl_->open_stream(*rec, std::move(spec), out);
  if (!opened) return opened.error();
  return static_cast<const Session*>(*opened);
}

Result<const Session*> Engine::stop_stream(const std::string& account_sid,
                                           const std::string& call_sid,
                                           const std::string& sid_or_name, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec || rec->call.account_sid != account_sid) {
    return TwilioError{404, 20404, "No call " + call_sid, {}};
  }
  Session* s = rec->world->streams.find_on_call(call_sid, sid_or_name);
  if (!s) return TwilioError{404, 20404, "No stream " + sid_or_name + " on " + call_sid, {}};
  if (s->live()) {
    impl_->stop_stream(*s, "api", out);
    if (s->spec().bidirectional) impl_->finish_connect(*rec, out);
  }
  return static_cast<const Session*>(s);
}

const Session* Engine::find_stream(const std::string& account_sid,
                                   const std::string& stream_sid) {
  const Session* s = world(account_sid).streams.find(stream_sid);
  return s && s->account_sid() == account_sid ? s : nullptr;
}

void Engine::on_stream_event(const StreamEvent& event, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  Session* s = world(event.account_sid).streams.by_id(event.stream_id);
  if (!s) {
    // ConversationRelay sessions share the WebSocket client and its ids (core/relay/).
    if (relay::Session* r = world(event.account_sid).relays.by_id(event.stream_id)) {
      impl_->relay_event(*r, event, out);
      return;
    }
  }
  if (!s || !s->live()) {
    // Dropped by a reset, or stopped while its socket was opening: close what is left of it.
    if (event.kind == StreamEvent::Kind::kOpened || event.kind == StreamEvent::Kind::kText ||
        event.kind == StreamEvent::Kind::kBinary) {
      out.streams.push_back({StreamCommand::Kind::kClose, event.stream_id, event.account_sid,
                             {}, {}});
    }
    return;
  }
  switch (event.kind) {
    case StreamEvent::Kind::kOpened:
      impl_->stream_opened(*s, out);
      return;
    case StreamEvent::Kind::kFailed:
      impl_->stream_failed(*s, event.error_code, event.text, out);
      return;
    case StreamEvent::Kind::kText:
      impl_->stream_app_text(*s, event.text, out);
      return;
    case StreamEvent::Kind::kBinary:
      if (CallRecord* rec = impl_->get(s->call_sid()); rec && s->on_app_binary()) {
        impl_->notify(*rec, stream::kErrMalformedMessage, 1,
                      "Stream " + s->sid() +
                          ": Malformed Message: WebSocket binary format is used; only JSON text "
                          "frames are read",
                      nullptr, nullptr);
      }
      return;
    case StreamEvent::Kind::kClosed:
      impl_->stream_closed_by_app(*s, out);
      return;
  }
}

std::vector<uint64_t> Engine::take_dropped_streams() {
  std::vector<uint64_t> out;
  out.swap(impl_->dropped_streams);
  return out;
}

}  // namespace dialtone::core
