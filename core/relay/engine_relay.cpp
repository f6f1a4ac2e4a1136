// <Connect><ConversationRelay>, coordinated with the call: the session opens a WebSocket to
// the app (the server's client, as Media Streams do), sends `setup`, turns the scripted
// callee's speech into `prompt`, its keys into `dtmf`, its barge-in into `interrupt`, and
// speaks the app's `text` tokens and `play`s as the agent. `end` (or the app closing the
// socket) ends the <Connect>: its action is requested with the session's parameters.
// docs/conversations.md has the choices made where Twilio is silent.
#include <algorithm>
#include <cctype>

#include "core/engine_impl.hpp"
#include "core/relay/relay_book.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using relay::AppMessage;
using twiml::Node;

// interruptible / welcomeGreetingInterruptible: "any" or "speech" (or the older "true") let
// the callee's speech cut the agent; "none", "dtmf" (or "false") do not.
bool speech_interrupts(const Node& n, const char* attr) {
  const std::string v = n.attr_or(attr, "any");
  return v == "any" || v == "speech" || v == "true";
}

relay::Spec spec_of(const Node& n) {
  relay::Spec s;
  s.url = n.attr_or("url", "");
  s.welcome_greeting = n.attr_or("welcomeGreeting", "");
  s.welcome_interruptible = speech_interrupts(n, "welcomeGreetingInterruptible");
  s.interruptible = speech_interrupts(n, "interruptible");
  s.dtmf_detection = n.attr_or("dtmfDetection", "false") == "true";
  s.partial_prompts = n.attr_or("partialPrompts", "false") == "true";
  s.language = n.attr_or("transcriptionLanguage", n.attr_or("language", "en-US"));
  for (const Node& c : n.children) {
    if (c.name == "Parameter" && s.parameters.size() < stream::kMaxParameters) {
      s.parameters.emplace_back(c.attr_or("name", "").substr(0, stream::kMaxParameterLength),
                                c.attr_or("value", "").substr(0, stream::kMaxParameterLength));
    } else if (c.name == "Language" && s.languages.size() < 100) {
      s.languages.push_back(c.attr_or("code", ""));
    }
  }
  return s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// The first `words` words of `text`: what the callee heard before it spoke up.
std::string first_words(const std::string& text, size_t words) {
  size_t seen = 0;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool blank = std::isspace(static_cast<unsigned char>(text[i])) != 0;
    if (blank && in_word && ++seen == words) return text.substr(0, i);
    in_word = !blank;
  }
  return words == 0 ? std::string() : text;
}

}  // namespace

relay::Session* Engine::Impl::relay_of(const CallRecord& rec) {
  return rec.world->relays.live_on_call(rec.call.sid);
}

bool Engine::Impl::start_relay(CallRecord& rec, const Node& noun, Effects& out) {
  relay::Spec spec = spec_of(noun);
  auto url = stream_url(rec.rt().program.url, spec.url);
  if (!url) {
    notify(rec, stream::kErrMalformedUrl, 0,
           "Invalid ConversationRelay url '" + spec.url + "': a ws:// or wss:// URL is needed",
           nullptr, nullptr);
    return true;  // the next verb runs
  }
  spec.url = *url;
  auto s = std::make_unique<relay::Session>();
  s->id = next_stream_id++;
  s->sid = rec.world->sids.next("VX");
  s->account_sid = rec.call.account_sid;
  s->call_sid = rec.call.sid;
  s->spec = std::move(spec);
  s->created = now(rec);
  relay::Session& session = rec.world->relays.add(std::move(s));
  Fields f = {{"event", "created"}, {"sid", session.sid}, {"url", session.spec.url}};
  for (const auto& code : session.spec.languages) f.emplace_back("language", code);
  journal(rec, "relay", std::move(f));
  StreamCommand open{StreamCommand::Kind::kOpen, session.id, session.account_sid,
                     session.spec.url, {}};
  if (const Account* a = engine.accounts_.find(rec.call.account_sid)) {
    open.auth_token = a->auth_token;
  }
  out.streams.push_back(std::move(open));
  rec.phase = Phase::kConnect;
  return false;
}

void Engine::Impl::relay_send(const relay::Session& s, std::string message, Effects& out) {
  out.streams.push_back(
      {StreamCommand::Kind::kSend, s.id, s.account_sid, std::move(message), {}});
}

void Engine::Impl::relay_event(relay::Session& s, const StreamEvent& event, Effects& out) {
  if (s.state == relay::State::kEnded) {
    // Ended while its socket was opening (or after): close what is left of it.
    if (event.kind != StreamEvent::Kind::kClosed && event.kind != StreamEvent::Kind::kFailed) {
      out.streams.push_back({StreamCommand::Kind::kClose, s.id, s.account_sid, {}, {}});
    }
    return;
  }
  CallRecord* rec = get(s.call_sid);
  switch (event.kind) {
    case StreamEvent::Kind::kOpened: {
      if (!rec || !is_live(rec->call.status)) {
        relay_stop(rec, s, "call-ended", "ended", false, out);
        return;
      }
      s.state = relay::State::kOpen;
      s.opened = now(*rec);
      const Call& c = rec->call;
      relay::Setup setup{s.sid, c.account_sid, c.parent_call_sid, c.sid, c.from, c.to, "", "",
                         std::string(to_wire(c.direction)),
                         upper(std::string(to_wire(c.status))), s.spec.parameters};
      relay_send(s, relay::setup_message(setup), out);
      journal(*rec, "relay", {{"event", "started"}, {"sid", s.sid}});
      if (callee::Conversation* conv = conversation_of(*rec); conv && s.spec.partial_prompts) {
        conv->runner().set_partials(true);
      }
      if (!s.spec.welcome_greeting.empty()) {
        relay_agent(*rec, s, "speech", s.spec.welcome_greeting,
                    callee::speaking_time(s.spec.welcome_greeting), s.spec.welcome_interruptible,
                    true, out);
      }
      return;
    }
    case StreamEvent::Kind::kText:
      if (rec) relay_app_text(*rec, s, event.text, out);
      return;
    case StreamEvent::Kind::kBinary:
      if (rec && s.first_report(stream::kErrMalformedMessage)) {
        notify(*rec, stream::kErrMalformedMessage, 1,
               "ConversationRelay " + s.sid + ": a binary frame; only JSON text frames are read",
               nullptr, nullptr);
      }
      return;
    case StreamEvent::Kind::kClosed:
      relay_stop(rec, s, "app-closed", "ended", true, out);
      return;
    case StreamEvent::Kind::kFailed:
      if (rec) {
        journal(*rec, "relay", {{"event", "error"},
                                {"sid", s.sid},
                                {"error_code", std::to_string(event.error_code)},
                                {"error", event.text}});
        notify(*rec, event.error_code, 0,
               "ConversationRelay " + s.sid + " (" + s.spec.url + "): " + event.text, nullptr,
               nullptr);
      }
      relay_stop(rec, s, "failed", "failed", true, out);
      return;
  }
}

void Engine::Impl::relay_stop(CallRecord* rec, relay::Session& s, const std::string& why,
                              const char* status, bool finish, Effects& out) {
  if (s.state == relay::State::kEnded) return;
  World& w = engine.world(s.account_sid);
  const TimePoint t = w.clock->now();
  const TimePoint since = s.state == relay::State::kOpen ? s.opened : s.created;
  w.relays.ended(s);
  out.streams.push_back({StreamCommand::Kind::kClose, s.id, s.account_sid, {}, {}});
  if (!rec) return;
  if (callee::Conversation* c = conversation_of(*rec)) {
    c->cut_agent(t);  // whatever the agent was saying stops with the session
    c->runner().set_partials(false);
  }
  journal(*rec, "relay", {{"event", "ended"}, {"sid", s.sid}, {"reason", why}});
  if (!finish) return;
  // The action's parameters: HandoffData is observed in public handlers; the session fields
  // are dialtone's choice (docs/conversations.md).
  Fields extra = {
      {"SessionId", s.sid},
      {"SessionStatus", status},
      {"SessionDuration",
       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t - since).count())}};
  if (!s.handoff_data.empty()) extra.emplace_back("HandoffData", s.handoff_data);
  finish_connect(*rec, out, std::move(extra));
}

void Engine::Impl::relay_agent(CallRecord& rec, relay::Session& s, const std::string& type,
                               const std::string& text, Millis length, bool interruptible,
                               bool complete, Effects& out) {
  const TimePoint t = now(rec);
  if (complete && type == "speech") transcribe(rec, false, text, callee::kDefaultConfidence, out);
  callee::Conversation* c = conversation_of(rec);
  if (type != "speech" || s.utterance.empty()) {
    // A new utterance (or a play, always its own).
    s.utterance_start = t;
    s.utterance_interruptible = interruptible;
    s.utterance_cut = false;
    if (c) c->open_agent_entry = c->add({callee::Entry::Speaker::kAgent, type, text, "relay", t,
                                         t + length, false, 0});
  } else if (c) {
    if (callee::Entry* e = c->at(c->open_agent_entry)) {
      e->text = text;
      e->end = s.utterance_start + length;
    }
  }
  s.utterance = type == "speech" && !complete ? text : std::string();
  if (!c) return;
  c->runner().agent_speaking(s.utterance_start, s.utterance_start + length);
  if (complete) c->open_agent_entry = static_cast<size_t>(-1);
  arm_script(rec);
}

void Engine::Impl::relay_app_text(CallRecord& rec, relay::Session& s, const std::string& text,
                                  Effects& out) {
  AppMessage m = relay::parse_app_message(text);
  switch (m.kind) {
    case AppMessage::Kind::kInvalid:
      journal(rec, "relay", {{"event", "app"},
                             {"sid", s.sid},
                             {"app_type", "invalid"},
                             {"error_code", std::to_string(m.error_code)}});
      // Twilio answers a message it cannot take with an `error` message; the session goes on.
      relay_send(s, relay::error_message(m.error), out);
      if (s.first_report(m.error_code)) {
        notify(rec, m.error_code, 1, "ConversationRelay " + s.sid + ": " + m.error, nullptr,
               nullptr);
      }
      return;
    case AppMessage::Kind::kText: {
      ++s.tokens;
      if (s.utterance_cut) {
        // The callee cut this utterance: its remaining tokens are not spoken.
        if (m.last) s.utterance_cut = false;
        return;
      }
      std::string so_far = s.utterance + m.token;
      if (so_far.size() > relay::kMaxUtterance) so_far.resize(relay::kMaxUtterance);
      // A message's `interruptible` counts from the utterance's first token.
      relay_agent(rec, s, "speech", so_far, callee::speaking_time(so_far),
                  m.interruptible.value_or(s.spec.interruptible), m.last, out);
      if (m.last) {
        journal(rec, "relay", {{"event", "app"},
                               {"sid", s.sid},
                               {"app_type", "text"},
                               {"utterance", so_far.substr(0, 200)}});
      }
      return;
    }
    case AppMessage::Kind::kPlay: {
      journal(rec, "relay",
              {{"event", "app"}, {"sid", s.sid}, {"app_type", "play"}, {"source", m.source}});
      s.utterance.clear();
      relay_agent(rec, s, "play", m.source,
                  Millis{int64_t{config().play_seconds} * 1000 * m.loop},
                  m.interruptible.value_or(s.spec.interruptible), true, out);
      return;
    }
    case AppMessage::Kind::kSendDigits: {
      journal(rec, "relay",
              {{"event", "app"}, {"sid", s.sid}, {"app_type", "sendDigits"}, {"digits", m.digits}});
      if (callee::Conversation* c = conversation_of(rec)) {
        const TimePoint t = now(rec);
        c->add({callee::Entry::Speaker::kAgent, "digits", m.digits, "relay", t, t, false, 0});
      }
      return;
    }
    case AppMessage::Kind::kLanguage:
      journal(rec, "relay", {{"event", "app"},
                             {"sid", s.sid},
                             {"app_type", "language"},
                             {"tts_language", m.tts_language},
                             {"transcription_language", m.transcription_language}});
      if (!m.transcription_language.empty()) s.spec.language = m.transcription_language;
      return;
    case AppMessage::Kind::kEnd:
      journal(rec, "relay", {{"event", "app"},
                             {"sid", s.sid},
                             {"app_type", "end"},
                             {"handoff_data", m.handoff_data.substr(0, 200)}});
      s.handoff_data = std::move(m.handoff_data);
      relay_stop(&rec, s, "app-ended", "ended", true, out);
      return;
  }
}

void Engine::Impl::relay_callee(CallRecord& rec, relay::Session& s, const callee::Action& a,
                                Effects& out) {
  if (s.state != relay::State::kOpen) return;
  switch (a.kind) {
    case callee::Action::Kind::kSpeechStart: {
      callee::Conversation* c = conversation_of(rec);
      const TimePoint t = now(rec);
      const bool agent_speaking = c && c->runner().agent_speaking_at(t);
      if (agent_speaking && s.utterance_interruptible) {
        // The callee speaks over the agent: Twilio stops the agent and tells the app how far
        // it got.
        const Millis spoken = t - s.utterance_start;
        std::string said_text;
        for (size_t i = c->entries().size(); i-- > 0;) {
          const callee::Entry& x = c->entries()[i];
          if (x.speaker == callee::Entry::Speaker::kAgent && x.via == "relay") {
            said_text = x.text;
            break;
          }
        }
        const auto words = static_cast<size_t>(spoken / callee::kPerWord);
        relay_send(s, relay::interrupt_message(first_words(said_text, words), spoken.count()),
                   out);
        journal(rec, "relay", {{"event", "interrupt"}, {"sid", s.sid}});
        c->cut_agent(t);
        s.utterance_cut = !s.utterance.empty();  // tokens still to come are dropped
        s.utterance.clear();
        c->open_agent_entry = static_cast<size_t>(-1);
      }
      return;
    }
    case callee::Action::Kind::kWord:
      if (s.spec.partial_prompts) {
        relay_send(s, relay::prompt_message(a.text, s.spec.language, false), out);
      }
      return;
    case callee::Action::Kind::kSpeechEnd:
      relay_send(s, relay::prompt_message(a.text, s.spec.language, true), out);
      journal(rec, "relay",
              {{"event", "prompt"}, {"sid", s.sid}, {"text", a.text.substr(0, 200)}});
      return;
    default:
      return;
  }
}

}  // namespace dialtone::core
