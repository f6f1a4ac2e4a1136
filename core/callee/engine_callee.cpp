// Scripted callees, coordinated with the call: the script runner (core/callee/script_runner.hpp)
// says when the callee speaks, presses keys or hangs up; this file carries that out on whatever
// the call is doing (a <Gather input="speech">, a ConversationRelay session, a Media Stream)
// and keeps the transcript of both sides. docs/conversations.md has the choices made.
#include <algorithm>
#include <cstdio>

#include "core/engine_impl.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using callee::Action;
using callee::Conversation;
using callee::Entry;
using twiml::Node;

// "auto": Twilio ends the speech at the first pause it hears; dialtone takes that pause as
// this long (docs/conversations.md).
constexpr Millis kAutoSpeechTimeout{1000};

// The app's audio on a <Connect><Stream> that comes less than this after the audio before it
// ran out continues the same stretch (an agent streaming its speech at real-time pace leaves
// such gaps); a longer pause starts a new one. Shorter than callee::kResponseGap, so a `wait`
// never ends inside one.
constexpr Millis kStreamPause{200};

// How long a <Gather> waits after the callee stops speaking: speechTimeout in seconds, "auto",
// or (not given) the Gather's timeout.
Millis speech_timeout(const Node& g) {
  const std::string* st = g.attr("speechTimeout");
  if (st && *st == "auto") return kAutoSpeechTimeout;
  if (st) return Millis{int64_t{twiml::attr_int(g, "speechTimeout", 5, 0, 600)} * 1000};
  return Millis{int64_t{twiml::attr_int(g, "timeout", 5, 1, 600)} * 1000};
}

bool hears_speech(const Node& g) {
  return g.attr_or("input", "dtmf").find("speech") != std::string::npos;
}

}  // namespace

std::string format_confidence(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", c);
  std::string s(buf);
  while (s.size() > 3 && s.back() == '0') s.pop_back();  // 0.9000 -> 0.9, as Twilio writes it
  return s;
}

callee::Conversation* Engine::Impl::conversation_of(const CallRecord& rec) {
  return rec.world->conversations.find(rec.call.sid);
}

callee::Conversation& Engine::Impl::conversation_for(CallRecord& rec) {
  if (Conversation* c = conversation_of(rec)) return *c;
  // Times in the transcript count from the answer, even when a live turn starts it later.
  Conversation& c = rec.world->conversations.add(std::make_unique<Conversation>(
      rec.call.sid, rec.behavior().script, rec.call.start_time.value_or(now(rec))));
  // A turn saying an uploaded clip lasts as long as the clip then in the world's book.
  const media::ClipBook* clips = &rec.world->clips;
  c.runner().set_clip_lengths([clips](const std::string& name) -> std::optional<Millis> {
    auto clip = clips->find(name);
    return clip ? std::optional<Millis>(clip->length()) : std::nullopt;
  });
  return c;
}

void Engine::Impl::start_conversation(CallRecord& rec) {
  if (!rec.behavior().script || conversation_of(rec)) return;
  conversation_for(rec);
  // Its first turn is due at once, once the command that answered the call has unwound.
  arm(rec, TimerSlot::kScript, TimerKind::kScriptTurn, now(rec));
}

void Engine::Impl::arm_script(CallRecord& rec) {
  Conversation* c = conversation_of(rec);
  if (!c || !is_live(rec.call.status) || !rec.answered) return;
  if (auto due = c->runner().next_due()) {
    arm(rec, TimerSlot::kScript, TimerKind::kScriptTurn, std::max(*due, now(rec)));
  } else {
    disarm(rec, TimerSlot::kScript);
  }
}

void Engine::Impl::callee_step(CallRecord& rec, Effects& out) {
  Conversation* c = conversation_of(rec);
  if (!c || !is_live(rec.call.status)) return;
  std::vector<Action> actions;
  c->runner().advance(now(rec), actions);
  for (const Action& a : actions) {
    callee_act(rec, *c, a, out);
    if (!is_live(rec.call.status)) return;
  }
  arm_script(rec);
}

void Engine::Impl::callee_act(CallRecord& rec, Conversation& c, const Action& a, Effects& out) {
  switch (a.kind) {
    case Action::Kind::kSpeechStart: {
      // Media Streams hear it as a tone for as long as it lasts (media::CallAudio), recordings
      // as the callee's voice (core/recording/), a conference as talk (`speaker` events); an
      // uploaded clip instead of the tone when the turn names one.
      std::shared_ptr<const media::Clip> clip;
      if (!a.audio.empty()) {
        clip = rec.world->clips.find(a.audio);
        if (!clip) {
          notify(rec, 12200, 1,
                 "The callee's turn names audio clip '" + a.audio +
                     "', which is not uploaded (PUT /_dialtone/audio/" + a.audio +
                     "); it was said as a tone",
                 nullptr, nullptr);
        }
      }
      if (clip) {
        callee_clip(rec, a.at, clip);
      } else {
        if (media::CallAudio* audio = rec.world->streams.audio_of(rec.call.sid)) {
          audio->callee_speaks_until = std::max(audio->callee_speaks_until, a.at + a.length);
        }
        heard(rec, true, a.at, a.length);
      }
      participant_speech(rec, true, out);
      Fields f = {{"action", "say"}, {"text", a.text.substr(0, 200)}};
      if (a.interrupting) f.emplace_back("interrupting", "true");
      if (clip) f.emplace_back("audio", a.audio);
      journal(rec, "callee", std::move(f));
      std::string via;
      if (rec.phase == Phase::kGather) {
        gather_speech(rec, a, out);
        if (rec.phase == Phase::kGather && rec.gather().hearing) via = "gather";
      } else if (relay::Session* r = relay_of(rec); r && r->state == relay::State::kOpen) {
        relay_callee(rec, *r, a, out);
        via = "relay";
      } else if (!rec.world->streams.live_on_call(rec.call.sid).empty()) {
        via = "stream";
      }
      c.add({Entry::Speaker::kCallee, "speech", a.text, via, a.at, a.at + a.length, false,
             a.confidence});
      return;
    }
    case Action::Kind::kWord:
    case Action::Kind::kSpeechEnd:
      if (a.kind == Action::Kind::kSpeechEnd) {
        // The utterance's confidence is its start's (the transcript keeps it).
        double confidence = a.confidence;
        for (size_t i = c.entries().size(); i-- > 0;) {
          const Entry& e = c.entries()[i];
          if (e.speaker == Entry::Speaker::kCallee && e.type == "speech") {
            confidence = e.confidence;
            break;
          }
        }
        transcribe(rec, true, a.text, confidence, out);
        participant_speech(rec, false, out);
      }
      if (rec.phase == Phase::kGather) {
        gather_speech(rec, a, out);
      } else if (relay::Session* r = relay_of(rec)) {
        relay_callee(rec, *r, a, out);
      }
      return;
    case Action::Kind::kPress:
      c.add({Entry::Speaker::kCallee, "digits", a.text, a.live ? "control" : "script", a.at, a.at,
             false, 0});
      if (!press_digits(rec, a.text, out)) {
        journal(rec, "callee", {{"action", "digits-unheard"}, {"digits", a.text}});
      }
      return;
    case Action::Kind::kHangup:
      c.add({Entry::Speaker::kCallee, "hangup", {}, a.live ? "control" : "script", a.at, a.at,
             false, 0});
      journal(rec, "callee", {{"action", "hangup"}});
      end_call(rec, CallEvent::kHangup, out);
      return;
  }
}

void Engine::Impl::agent_prompt(CallRecord& rec, const Node& verb, Millis len, const char* via,
                                Effects& out) {
  // Transcribed as the prompt starts: dialtone knows its words then (docs/conversations.md).
  if (verb.name == "Say") transcribe(rec, false, verb.text, callee::kDefaultConfidence, out);
  Conversation* c = conversation_of(rec);
  if (!c) return;
  const TimePoint t = now(rec);
  if (verb.name == "Say") {
    c->add({Entry::Speaker::kAgent, "speech", verb.text, via, t, t + len, false, 0});
  } else if (verb.name == "Play") {
    const std::string* digits = verb.attr("digits");
    if (digits && !digits->empty()) {
      c->add({Entry::Speaker::kAgent, "digits", *digits, via, t, t + len, false, 0});
    } else {
      c->add({Entry::Speaker::kAgent, "play", verb.text, via, t, t + len, false, 0});
    }
  } else {
    return;  // a <Pause> is silence
  }
  c->runner().agent_speaking(t, t + len);
  arm_script(rec);
}

void Engine::Impl::agent_cut(CallRecord& rec) {
  Conversation* c = conversation_of(rec);
  if (!c) return;
  c->cut_agent(now(rec));
  arm_script(rec);
}

void Engine::Impl::end_conversation(CallRecord& rec) {
  Conversation* c = conversation_of(rec);
  if (!c) return;
  c->cut_agent(now(rec));
  rec.world->conversations.ended(*c);
}

void Engine::Impl::callee_clip(CallRecord& rec, TimePoint from,
                               std::shared_ptr<const media::Clip> clip) {
  if (media::CallAudio* audio = rec.world->streams.audio_of(rec.call.sid)) {
    audio->play_clip(from, clip, now(rec));
  }
  heard(rec, true, from, clip->length());
  media::CallVoices* v = rec.world->recordings.voices(rec.call.sid);
  if (v && v->callee_clips.size() < media::kMaxSpans) {
    v->callee_clips.push_back(media::ClipSpan{from.time_since_epoch().count(), std::move(clip)});
  }
}

// The app's audio on a bidirectional stream is the agent speaking, in stretches: one
// transcript entry per stretch of audio played without a gap, a mark ending it (agents mark
// each utterance's end) and a clear cutting it (docs/conversations.md). dialtone hears no
// words in it: the entry's text is empty.
void Engine::Impl::agent_stream_message(CallRecord& rec, const stream::Session& s,
                                        stream::AppMessage::Kind kind, size_t queued_before) {
  Conversation* c = conversation_of(rec);
  if (!c || !s.spec().bidirectional || s.state() != stream::State::kOpen) return;
  const TimePoint frame = s.current_frame_start();
  const auto played_in = [](size_t bytes) { return Millis{static_cast<int64_t>((bytes + 7) / 8)}; };
  Entry* open = c->at(c->open_stream_entry);
  switch (kind) {
    case stream::AppMessage::Kind::kMedia: {
      if (s.queued_bytes() <= queued_before) return;  // nothing taken (the buffer was full)
      const TimePoint start = frame + played_in(queued_before);
      const TimePoint end = frame + played_in(s.queued_bytes());
      if (open && !open->interrupted && start <= open->end + kStreamPause) {
        open->end = end;  // the same stretch: no pause before this audio
        c->runner().agent_speaking(open->start, end);
      } else {
        c->open_stream_entry = c->add({Entry::Speaker::kAgent, "speech", {}, "stream", start,
                                       end, false, 0});
        c->runner().agent_speaking(start, end);
      }
      break;
    }
    case stream::AppMessage::Kind::kMark:
      c->open_stream_entry = static_cast<size_t>(-1);  // the next audio is a new stretch
      return;
    case stream::AppMessage::Kind::kClear:
      // Nothing queued is heard any more: the stretch ends where the frame not yet sent began.
      // Interrupted when the callee is speaking over it (the app heard it and cleared).
      c->cut_agent_via("stream", frame, c->runner().speaking());
      c->open_stream_entry = static_cast<size_t>(-1);
      break;
    case stream::AppMessage::Kind::kInvalid:
      return;
  }
  arm_script(rec);
}

void Engine::Impl::agent_stream_stopped(CallRecord& rec, const stream::Session& s) {
  Conversation* c = conversation_of(rec);
  if (!c || !s.spec().bidirectional) return;
  // Audio still queued is never heard: cut short.
  c->cut_agent_via("stream", s.current_frame_start(), true);
  c->open_stream_entry = static_cast<size_t>(-1);
  arm_script(rec);
}

void Engine::Impl::gather_speech(CallRecord& rec, const Action& a, Effects& out) {
  const Node& g = current_verb(rec);
  GatherState& gs = rec.gather();
  switch (a.kind) {
    case Action::Kind::kSpeechStart:
      gs.hearing = false;
      if (!hears_speech(g)) {
        journal(rec, "gather", {{"speech", "not heard"}, {"why", "input has no speech"}});
        return;
      }
      if (!gs.prompts_done) {
        if (g.attr_or("bargeIn", "true") == "false") {
          journal(rec, "gather", {{"speech", "not heard"}, {"why", "bargeIn=false"}});
          return;
        }
        gs.prompts_done = true;  // barge-in: the prompt stops
        agent_cut(rec);
      }
      disarm(rec, TimerSlot::kVerb);  // the prompt's end, or the timeout: the callee speaks
      gs.hearing = true;
      gs.confidence = a.confidence;
      if (g.attr("partialResultCallback")) {
        if (Conversation* c = conversation_of(rec)) c->runner().set_partials(true);
      }
      return;
    case Action::Kind::kWord:
    case Action::Kind::kSpeechEnd: {
      if (!gs.hearing) return;
      const std::string so_far =
          gs.speech.empty() ? a.text : gs.speech + " " + a.text;  // earlier utterances too
      if (const std::string* partial = g.attr("partialResultCallback")) {
        Fields extra = {{"SequenceNumber", std::to_string(++gs.partials)},
                        {"UnstableSpeechResult", so_far}};
        send(rec, WebhookPurpose::kStatusCallback,
             Webhook{resolve_url(rec.rt().program.url, *partial),
                     twiml::attr_method(g, "partialResultCallbackMethod")},
             std::move(extra), out);
      }
      if (a.kind == Action::Kind::kWord) return;
      gs.hearing = false;
      gs.speech = so_far;
      // The Gather ends once the callee has been silent for speechTimeout.
      arm(rec, TimerSlot::kVerb, TimerKind::kGatherTimeout, now(rec) + speech_timeout(g));
      return;
    }
    default:
      return;
  }
}

// ---------------------------------------------------------------- public

Status Engine::callee_turn(const std::string& call_sid, callee::Turn turn, Effects& out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec) return TwilioError{404, 20404, "No call " + call_sid, {}};
  if (rec->call.status != CallStatus::kInProgress) {
    return TwilioError{409, 0, "Call " + call_sid + " is not in progress", {}};
  }
  if (!turn.audio.empty() && !rec->world->clips.find(turn.audio)) {
    return TwilioError{400, 20001,
                       "No audio clip '" + turn.audio + "': upload it first (PUT /_dialtone/audio/" +
                           turn.audio + ")",
                       {}};
  }
  Conversation& c = impl_->conversation_for(*rec);
  c.runner().live(std::move(turn));
  impl_->callee_step(*rec, out);
  return Ok{};
}

const callee::Conversation* Engine::conversation(const std::string& call_sid) const {
  const CallRecord* rec = impl_->calls.find(call_sid);
  if (rec) return rec->world->conversations.find(call_sid);
  // An ended call may have been deleted; its world still knows the conversation.
  for (const auto& [sid, w] : worlds_) {
    if (const Conversation* c = w->conversations.find(call_sid)) return c;
  }
  return nullptr;
}

}  // namespace dialtone::core
