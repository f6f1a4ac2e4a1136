// The TwiML interpreter: fetches documents (with FallbackUrl on failure), runs verbs one at a
// time against the clock, and lets an update interrupt any of them.
#include <algorithm>
#include <cmath>

#include "core/engine_impl.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using twiml::attr_int;
using twiml::attr_method;
using twiml::Node;

// How long the emulated caller hears a prompt. Say: about 15 characters a second (a typical
// text-to-speech rate); Play: a nominal length per loop; DTMF digits: half a second each.
Millis prompt_length(const Node& v, int play_seconds) {
  const int loop = attr_int(v, "loop", 1, 0, 1000);
  const int loops = loop == 0 ? 1000 : loop;  // loop="0": repeat until something interrupts
  if (v.name == "Say") {
    const auto chars = static_cast<int64_t>(v.text.size());
    return Millis{std::max<int64_t>(1000, (chars * 1000 + 14) / 15) * loops};
  }
  if (v.name == "Play") {
    if (const std::string* d = v.attr("digits"); d && !d->empty()) {
      int64_t ms = 0;
      for (char c : *d) ms += c == 'W' ? 1000 : 500;
      return Millis{ms};
    }
    return Millis{int64_t{play_seconds} * 1000 * loops};
  }
  if (v.name == "Pause") return Millis{int64_t{attr_int(v, "length", 1, 0, 3600)} * 1000};
  return Millis{-1};
}

bool is_prompt(const Node& v) { return v.name == "Say" || v.name == "Play" || v.name == "Pause"; }

// A <Say> or <Play> is heard on the call's outbound track (a tone, media::CallAudio) by the
// Media Streams that fork it; a <Pause> is silence.
void note_prompt(CallRecord& rec, const Node& v, Millis len) {
  if (v.name == "Pause") return;
  if (media::CallAudio* audio = rec.world->streams.audio_of(rec.call.sid)) {
    audio->call_plays_until = rec.world->clock->now() + len;
  }
  // And recordings: the call's side of their timeline (media::CallVoices).
  if (media::CallVoices* voices = rec.world->recordings.voices(rec.call.sid)) {
    const int64_t t = rec.world->clock->now().time_since_epoch().count();
    voices->call.add(t, t + len.count());
  }
}

bool is_xml_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  t.erase(t.find_last_not_of(" \t") + 1);
  return t == "text/xml" || t == "application/xml" || t == "text/html";
}

bool is_audio_type(const std::string& content_type) {
  return content_type.rfind("audio/", 0) == 0;
}

// The redirect-loop guard counts documents fetched within one second of call time: a loop
// fetches them back to back, while a call that waits between documents (a polling
// <Pause/><Redirect/>, hold music) is no loop, however long it lives.
bool loop_guard_tripped(CallRecord& rec, TimePoint now, int max_documents) {
  if (now - rec.rt().documents_since >= std::chrono::seconds(1)) {
    rec.rt().documents = 0;
    rec.rt().documents_since = now;
  }
  return ++rec.rt().documents > max_documents;
}

}  // namespace

const Node& Engine::Impl::current_verb(const CallRecord& rec) const {
  const Program& p = hold_gather(rec) ? rec.runtime->queue->hold : rec.rt().program;
  return p.doc->root.children[p.index];
}

bool Engine::Impl::gathering(const CallRecord& rec) {
  return rec.phase == Phase::kGather || (rec.phase == Phase::kEnqueued && hold_gather(rec));
}

void Engine::Impl::start_twiml(CallRecord& rec, Effects& out) {
  if (!rec.call.url.empty()) {
    fetch(rec, rec.call.url, {}, false, out);
    return;
  }
  if (!rec.call.twiml.empty()) {
    // Documents are immutable once parsed: calls created with the same inline TwiML (a load
    // test, a test suite's fixture) share one instead of holding a parsed copy each.
    if (rec.call.twiml == last_inline_twiml && last_inline_doc) {
      run_document(rec, last_inline_doc, {}, out);
      return;
    }
    auto doc = twiml::parse(rec.call.twiml);
    if (!doc) {
      fail_document(rec, doc.error().code, doc.error().message, nullptr, nullptr, out);
      return;
    }
    last_inline_twiml = rec.call.twiml;
    last_inline_doc = doc.value();
    run_document(rec, doc.value(), {}, out);
    return;
  }
  fail_document(rec, 11100, "The call has no Url or Twiml to run", nullptr, nullptr, out);
}

void Engine::Impl::fetch(CallRecord& rec, const Webhook& target, Fields extra, bool fallback,
                         Effects& out) {
  if (loop_guard_tripped(rec, now(rec), config().max_documents_per_call)) {
    notify(rec, 12400, 0,
           "Too many TwiML documents for one call (" +
               std::to_string(config().max_documents_per_call) + "): a redirect loop?",
           nullptr, nullptr);
    end_call(rec, rec.answered ? CallEvent::kHangup : CallEvent::kNoAnswer, out);
    return;
  }
  rec.rt().awaiting_fallback = fallback;
  rec.rt().awaiting_hold = false;
  if (!is_absolute_http_url(target.url)) {
    // e.g. a relative action in inline TwiML: there is no document URL to resolve it against.
    const PendingWebhook bad{rec.call.sid, WebhookPurpose::kTwiml, target.url,
                             std::string(to_wire(target.method)), {}};
    fail_document(rec, 11100, "Invalid URL: '" + target.url + "' is not an absolute http(s) URL",
                  &bad, nullptr, out);
    return;
  }
  rec.phase = Phase::kFetching;
  rec.rt().fetch_url = target.url;
  rec.awaiting = send(rec, fallback ? WebhookPurpose::kFallback : WebhookPurpose::kTwiml, target,
                      std::move(extra), out);
}

FetchedDocument read_document(const PendingWebhook& req, const WebhookResult& res) {
  FetchedDocument f;
  if (res.error_code != 0) {
    f.code = res.error_code;
    f.message = res.error_message.empty() ? "HTTP request failed" : res.error_message;
  } else if (res.http_status < 200 || res.http_status > 299) {
    f.code = 11200;
    f.message = "Got HTTP " + std::to_string(res.http_status) + " response to " + req.url;
  } else if (is_audio_type(res.content_type)) {
    // An audio file where TwiML was expected: Twilio plays it.
    auto d = twiml::parse("<Response><Play>" + req.url + "</Play></Response>");
    f.doc = d ? d.value() : nullptr;
  } else if (!is_xml_type(res.content_type)) {
    f.code = 12300;
    f.message = "Invalid Content-Type: " +
                (res.content_type.empty() ? std::string("(none)") : res.content_type);
  } else {
    auto parsed = twiml::parse(res.body);
    if (parsed) {
      f.doc = parsed.value();
    } else {
      f.code = parsed.error().code;
      f.message = parsed.error().message;
    }
  }
  if (f.code == 0 && !f.doc) {
    f.code = 12100;
    f.message = "Document parse failure";
  }
  return f;
}

std::string_view purpose_name(WebhookPurpose purpose) {
  switch (purpose) {
    case WebhookPurpose::kTwiml: return "twiml";
    case WebhookPurpose::kFallback: return "fallback";
    case WebhookPurpose::kStatusCallback: return "status-callback";
    case WebhookPurpose::kActionNoTwiml: return "action";
    case WebhookPurpose::kConferenceEvent: return "conference-status-callback";
    case WebhookPurpose::kAnnouncement: return "announcement";
  }
  return "twiml";
}

void Engine::Impl::on_twiml_result(CallRecord& rec, const PendingWebhook& req,
                                   const WebhookResult& res, Effects& out) {
  const bool hold = rec.rt().awaiting_hold;
  rec.awaiting = 0;
  rec.rt().awaiting_hold = false;
  FetchedDocument fetched = read_document(req, res);
  if (hold) {
    if (fetched.code != 0) {
      notify(rec, fetched.code, 0, fetched.message, &req, &res);
      if (rec.phase == Phase::kConference) {
        // A conference's wait or hold document that cannot be had: the music stops and the
        // call stays in the conference (docs/conferences.md).
        conference_music_over(rec, fetched.message, out);
      } else if (rec.phase == Phase::kBridged) {
        finish_whisper(rec);  // no whisper: the two are connected at once
      } else {
        leave_queue(rec, "error", true, out);  // the caller leaves the queue with an error
      }
      return;
    }
    rec.music() = Program{fetched.doc, req.url, 0, 0};
    rec.rt().hold_started = now(rec);
    run(rec, out);
    return;
  }
  if (fetched.code != 0) {
    fail_document(rec, fetched.code, fetched.message, &req, &res, out);
    return;
  }
  run_document(rec, std::move(fetched.doc), req.url, out);
}

void Engine::Impl::fail_document(CallRecord& rec, int code, const std::string& message,
                                 const PendingWebhook* request, const WebhookResult* response,
                                 Effects& out) {
  notify(rec, code, 0, message, request, response);
  const bool was_fallback = rec.rt().awaiting_fallback;
  rec.rt().awaiting_fallback = false;
  if (!was_fallback && !rec.call.fallback.empty()) {
    fetch(rec, rec.call.fallback,
          {{"ErrorCode", std::to_string(code)}, {"ErrorUrl", request ? request->url : ""}}, true,
          out);
    return;
  }
  // No fallback, or it failed too: Twilio apologises to the caller and hangs up.
  if (!rec.answered) answer(rec, out);
  end_call(rec, CallEvent::kHangup, out);
}

void Engine::Impl::run_document(CallRecord& rec, std::shared_ptr<const twiml::Document> doc,
                                std::string url, Effects& out) {
  rec.rt().program = Program{std::move(doc), std::move(url), 0, 0};
  rec.phase = Phase::kIdle;
  if (!rec.answered) {
    // An inbound call is answered by its first verb, unless that verb rejects it.
    const auto& verbs = rec.rt().program.doc->root.children;
    if (!verbs.empty() && verbs.front().name == "Reject") {
      const bool busy = verbs.front().attr_or("reason", "rejected") == "busy";
      journal(rec, "verb", {{"verb", "Reject"}});
      end_call(rec, busy ? CallEvent::kReject : CallEvent::kNoAnswer, out);
      return;
    }
    answer(rec, out);
  }
  run(rec, out);
}

void Engine::Impl::run(CallRecord& rec, Effects& out) {
  // Each pass runs one verb; a verb that takes time returns and the clock brings us back.
  for (int guard = 0; guard < 100000; ++guard) {
    if (!is_live(rec.call.status)) return;
    if (rec.phase == Phase::kGather) {
      step_gather(rec, out);
      return;
    }
    const bool in_hold = rec.phase == Phase::kEnqueued || rec.phase == Phase::kConference ||
                         rec.phase == Phase::kBridged;
    Program& p = in_hold ? rec.music() : rec.rt().program;
    if (!p.active()) return;  // waiting without hold music
    const auto& verbs = p.doc->root.children;
    if (p.index >= verbs.size()) {
      if (rec.phase == Phase::kBridged) {
        finish_whisper(rec);  // the <Queue url> document is over: connected
      } else if (rec.phase == Phase::kConference) {
        // Unlike a queue's, a conference's wait document is not requested again: when it
        // runs out the caller hears silence; <Redirect/> is how it loops (reference §2.2).
        // An announcement that runs out is over.
        conference_music_over(rec, {}, out);
      } else if (in_hold) {
        fetch_hold(rec, out);  // hold music loops
      } else {
        journal(rec, "verb", {{"verb", "(end of document)"}});
        end_call(rec, CallEvent::kHangup, out);
      }
      return;
    }
    if (!exec(rec, verbs[p.index], in_hold, out)) return;
    ++p.index;
  }
  notify(rec, 12400, 0, "TwiML made no progress", nullptr, nullptr);
  end_call(rec, CallEvent::kHangup, out);
}

bool Engine::Impl::exec(CallRecord& rec, const Node& v, bool in_hold, Effects& out) {
  Fields verb_fields = {{"verb", v.name}};
  if (!v.text.empty()) verb_fields.emplace_back("text", v.text.substr(0, 200));
  for (const auto& [k, val] : v.attrs) verb_fields.emplace_back(k, val);
  journal(rec, "verb", std::move(verb_fields));
  const std::string& base = in_hold ? rec.music().url : rec.rt().program.url;

  if (is_prompt(v)) {
    const Millis len = prompt_length(v, config().play_seconds);
    if (len.count() <= 0) return true;
    note_prompt(rec, v, len);
    if (!in_hold) {
      rec.phase = Phase::kVerb;
      agent_prompt(rec, v, len, "say", out);
    }
    arm(rec, TimerSlot::kVerb, TimerKind::kVerbDone, now(rec) + len);
    return false;
  }
  if (rec.phase == Phase::kConference && v.name != "Redirect") {
    // A conference's wait and hold documents may only Play, Say, Pause and Redirect.
    const std::string what = "Invalid Verb <" + v.name + "> used in waitUrl, holdUrl or " +
                             "announceUrl TwiML";
    notify(rec, 13238, 0, what, nullptr, nullptr);
    conference_music_over(rec, what, out);  // it stops; the call stays in the conference
    return false;
  }
  if (rec.phase == Phase::kBridged && v.name != "Redirect") {
    // A <Queue url> document may only Play, Say, Pause and Redirect; the whisper stops there
    // and the two are connected (docs/queues.md).
    notify(rec, 12200, 1, "<" + v.name + "> is not allowed in a <Queue url> document; skipped",
           nullptr, nullptr);
    finish_whisper(rec);
    return false;
  }
  if (v.name == "Hangup") {
    end_call(rec, CallEvent::kHangup, out);
    return false;
  }
  if (v.name == "Leave") {
    if (in_hold) leave_queue(rec, "leave", true, out);
    return !in_hold;  // outside a queue <Leave> does nothing
  }
  if (v.name == "Redirect") {
    // An empty <Redirect/> requests the current document again (how a wait document loops).
    Webhook target{v.text.empty() ? base : resolve_url(base, v.text), attr_method(v)};
    if (!is_absolute_http_url(target.url)) {
      notify(rec, 11100, 1, "Invalid <Redirect> URL: " + v.text, nullptr, nullptr);
      return true;
    }
    if (in_hold) {
      if (loop_guard_tripped(rec, now(rec), config().max_documents_per_call)) {
        notify(rec, 12400, 0, "waitUrl documents redirect in a loop; hold music stopped",
               nullptr, nullptr);
        rec.music() = {};  // the caller keeps waiting, in silence
        if (rec.phase == Phase::kBridged) finish_whisper(rec);
        if (rec.phase == Phase::kConference) {
          conference_music_over(rec, "Redirected in a loop", out);
        }
        return false;
      }
      rec.rt().awaiting_hold = true;
      rec.awaiting = send(rec, WebhookPurpose::kTwiml, target, {}, out);
      rec.rt().awaiting_hold = true;
      return false;
    }
    fetch(rec, target, {}, false, out);
    return false;
  }
  if (in_hold) {
    // Twilio allows Play, Say, Pause, Hangup, Redirect, Leave and Gather there; anything else
    // is an error that takes the caller out of the queue. A <Gather> runs on the wait
    // document, the caller still waiting; its action's answer is the next wait document.
    if (v.name == "Gather") {
      rec.gather() = {};
      rec.gather().in_hold = true;
      rec.music().sub = 0;
      step_gather(rec, out);
      return false;
    }
    notify(rec, 12200, 0, "<" + v.name + "> is not allowed in a waitUrl document", nullptr,
           nullptr);
    leave_queue(rec, "error", true, out);
    return false;
  }
  if (v.name == "Reject") {  // after answering, <Reject> simply hangs up
    end_call(rec, CallEvent::kHangup, out);
    return false;
  }
  if (v.name == "Gather") {
    rec.phase = Phase::kGather;
    rec.gather() = {};
    rec.rt().program.sub = 0;
    step_gather(rec, out);
    return false;
  }
  if (v.name == "Dial") {
    start_dial(rec, v, out);
    return rec.phase != Phase::kDial && rec.phase != Phase::kFetching &&
           rec.phase != Phase::kConference && is_live(rec.call.status);
  }
  if (v.name == "Enqueue") {
    start_enqueue(rec, v, out);
    return false;
  }
  if (v.name == "Record") {
    start_record(rec, v, out);
    return false;
  }
  if (v.name == "Start") {
    exec_start(rec, v, out);
    return is_live(rec.call.status);
  }
  if (v.name == "Stop") {
    exec_stop(rec, v, out);
    return is_live(rec.call.status);
  }
  if (v.name == "Connect") return exec_connect(rec, v, out);
  static constexpr std::string_view kKnown[] = {"Pay",  "Refer",  "Sms",       "Message",
                                                "Echo", "Prompt", "Conference"};
  const bool known = std::find(std::begin(kKnown), std::end(kKnown), v.name) != std::end(kKnown);
  notify(rec, 12200, 1,
         known ? "dialtone does not emulate <" + v.name + ">; it was skipped"
               : "Unknown TwiML verb <" + v.name + ">; it was skipped",
         nullptr, nullptr);
  return true;
}

void Engine::Impl::verb_done(CallRecord& rec, Effects& out) {
  switch (rec.phase) {
    case Phase::kGather:
      ++rec.rt().program.sub;
      step_gather(rec, out);
      return;
    case Phase::kEnqueued:
      if (hold_gather(rec)) {  // a prompt of the wait document's <Gather>
        ++rec.music().sub;
        step_gather(rec, out);
        return;
      }
      ++rec.music().index;
      run(rec, out);
      return;
    case Phase::kConference:
    case Phase::kBridged:  // the whisper
      ++rec.music().index;
      run(rec, out);
      return;
    case Phase::kVerb:
      rec.phase = Phase::kIdle;
      ++rec.rt().program.index;
      run(rec, out);
      return;
    default:
      return;
  }
}

void Engine::Impl::step_gather(CallRecord& rec, Effects& out) {
  (void)out;  // prompts and waiting only arm timers
  const Node& g = current_verb(rec);
  Program& program = gather_program(rec);
  while (!rec.gather().prompts_done) {
    if (program.sub >= g.children.size()) {
      rec.gather().prompts_done = true;
      break;
    }
    const Node& prompt = g.children[program.sub];
    if (!is_prompt(prompt)) {
      notify(rec, 12200, 1, "<" + prompt.name + "> is not allowed in <Gather>; skipped", nullptr,
             nullptr);
      ++program.sub;
      continue;
    }
    const Millis len = prompt_length(prompt, config().play_seconds);
    if (len.count() <= 0) {
      ++program.sub;
      continue;
    }
    note_prompt(rec, prompt, len);
    arm(rec, TimerSlot::kVerb, TimerKind::kVerbDone, now(rec) + len);
    agent_prompt(rec, prompt, len, "gather", out);
    return;
  }
  // Prompts done: the scripted callee answers a second later, and the timeout starts.
  if (rec.rt().gather_input_next < rec.behavior().gather_inputs.size()) {
    ++rec.rt().gather_input_next;
    arm(rec, TimerSlot::kLifecycle, TimerKind::kGatherInput, now(rec) + std::chrono::seconds(1));
  }
  arm(rec, TimerSlot::kVerb, TimerKind::kGatherTimeout,
      now(rec) + std::chrono::seconds(attr_int(g, "timeout", 5, 1, 600)));
}

void Engine::Impl::gather_input(CallRecord& rec, const std::string& digits,
                                const std::string& speech, Effects& out) {
  const Node& g = current_verb(rec);
  rec.gather().prompts_done = true;  // input barges in on the prompts
  if (!speech.empty()) {
    rec.gather().speech = speech;
    finish_gather(rec, out);
    return;
  }
  const std::string finish_keys = g.attr_or("finishOnKey", "#");
  const int num_digits = attr_int(g, "numDigits", 0, 0, 1000);
  for (char c : digits) {
    if (!finish_keys.empty() && finish_keys.find(c) != std::string::npos) {
      rec.gather().speech.clear();
      rec.gather().finished_on_key = std::string(1, c);
      finish_gather(rec, out);
      return;
    }
    rec.gather().digits.push_back(c);
    if (num_digits > 0 && static_cast<int>(rec.gather().digits.size()) >= num_digits) {
      finish_gather(rec, out);
      return;
    }
  }
  // More digits may come: the timeout runs again from the last key pressed.
  arm(rec, TimerSlot::kVerb, TimerKind::kGatherTimeout,
      now(rec) + std::chrono::seconds(attr_int(g, "timeout", 5, 1, 600)));
}

void Engine::Impl::finish_gather(CallRecord& rec, Effects& out) {
  if (!gathering(rec)) return;
  const bool hold = hold_gather(rec);
  const Node& g = current_verb(rec);
  disarm(rec, TimerSlot::kVerb);
  disarm(rec, TimerSlot::kLifecycle);
  if (!hold) rec.phase = Phase::kIdle;
  Program& program = gather_program(rec);
  const bool got_input = !rec.gather().digits.empty() || !rec.gather().speech.empty();
  const bool send_empty = g.attr_or("actionOnEmptyResult", "false") == "true";
  const std::string* action_attr = g.attr("action");
  const std::string action = action_attr ? resolve_url(program.url, *action_attr) : program.url;
  // Without an action attribute Twilio posts to the document's own URL; inline TwiML has
  // none, so it falls through. A given action that is not a URL fails like a bad fetch.
  if ((got_input || send_empty) && (action_attr || is_absolute_http_url(action))) {
    Fields extra;
    if (!rec.gather().speech.empty()) {
      extra = {{"SpeechResult", rec.gather().speech},
               {"Confidence", format_confidence(rec.gather().confidence)}};
    } else {
      // FinishedOnKey: the key that ended the <Gather>, empty when numDigits or the timeout
      // did, as in Twilio's requests.
      extra = {{"Digits", rec.gather().digits}, {"FinishedOnKey", rec.gather().finished_on_key}};
    }
    if (hold) {
      // The caller is still waiting: the action's answer is its next wait document.
      rec.rt().gather.reset();
      rec.awaiting = send(rec, WebhookPurpose::kTwiml, Webhook{action, attr_method(g)},
                          std::move(extra), out);
      rec.rt().awaiting_hold = true;
      return;
    }
    fetch(rec, Webhook{action, attr_method(g)}, std::move(extra), false, out);
    return;
  }
  // No input: Twilio falls through to the next verb.
  if (hold) rec.rt().gather.reset();
  program.sub = 0;
  ++program.index;
  run(rec, out);
}

void Engine::Impl::interrupt(CallRecord& rec, bool hangup, Effects& out) {
  // A <Dial> leg that is redirected leaves the bridge: its parent's <Dial> ends and goes on.
  if (!hangup && !rec.rt().dialed_by.empty()) detach_leg(rec, out);
  agent_cut(rec);  // a <Say> or <Play> under way stops here
  disarm(rec, TimerSlot::kVerb);
  if (rec.answered) disarm(rec, TimerSlot::kLifecycle);
  // A prompt cut short is not heard to its end.
  if (media::CallVoices* v = rec.world->recordings.voices(rec.call.sid)) {
    v->call.cut_at(now(rec).time_since_epoch().count());
  }
  const Phase phase = rec.phase;
  rec.phase = Phase::kIdle;
  rec.awaiting = 0;  // a fetch in flight is no longer wanted
  switch (phase) {
    case Phase::kDial:
      rec.phase = Phase::kDial;  // finish_dial expects it
      finish_dial(rec, rec.dial().bridged_sid.empty() ? "canceled" : "completed", false, out);
      break;
    case Phase::kEnqueued:
      rec.phase = Phase::kEnqueued;
      leave_queue(rec, hangup ? "hangup" : "redirected", false, out);
      break;
    case Phase::kBridged:
      // Taken from a queue by an agent: the agent's <Dial> ends and the agent app goes on.
      leave_bridge(rec, hangup, out);
      break;
    case Phase::kConference: {
      // Hung up or redirected: the participant leaves; its <Dial action> hears of it, its
      // TwiML not run. An API command that did this named its reason first.
      rec.phase = Phase::kConference;
      std::string reason = std::move(rec.conf().leave_reason);
      if (reason.empty()) reason = hangup ? "participant_hung_up" : "participant_updated_via_api";
      leave_conference(rec, reason, false, false, out);
      break;
    }
    case Phase::kConnect:
      // The bidirectional stream ends with the <Connect>. Redirected away, the call requests
      // the <Connect action> and ignores its TwiML, as an interrupted <Dial> does.
      for (stream::Session* s : rec.world->streams.live_on_call(rec.call.sid)) {
        if (!s->spec().bidirectional) continue;
        stop_stream(*s, hangup ? "call-ended" : "call-updated", out);
        break;
      }
      if (relay::Session* r = relay_of(rec)) {
        relay_stop(&rec, *r, hangup ? "call-ended" : "call-updated", "ended", false, out);
      }
      if (const std::string* action = current_verb(rec).attr("action"); action && !hangup) {
        send(rec, WebhookPurpose::kActionNoTwiml,
             Webhook{resolve_url(rec.rt().program.url, *action), attr_method(current_verb(rec))},
             {}, out);
      }
      break;
    case Phase::kRecord:
      if (hangup) {
        rec.phase = Phase::kRecord;
        finish_record(rec, "hangup", out);
      }
      break;
    default:
      break;
  }
  rec.phase = Phase::kIdle;
}

}  // namespace dialtone::core
