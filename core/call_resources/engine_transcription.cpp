// Real-time transcription started by <Start><Transcription> (reference §4.5): the callee's
// utterances (inbound track) and the agent's (outbound track) reach the app as
// transcription-content callbacks, between transcription-started and transcription-stopped.
// The record is the Transcriptions resource of core/call_resources/ (REST stop by sid or name
// works); what a TwiML-started one transcribes to is kept here. docs/conversations.md.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/engine_impl.hpp"
#include "core/twiml/attributes.hpp"
#include "core/url.hpp"

namespace dialtone::core {
namespace {

using call_resources::CallResource;
using call_resources::Kind;

// TranscriptionData: a JSON string, {"transcript": ..., "confidence": ...} [observed].
std::string transcription_data(const std::string& text, double confidence) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("transcript");
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  w.Key("confidence");
  w.Double(confidence);
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

}  // namespace

void Engine::Impl::transcription_event(CallRecord& rec, TranscriptionRun& t, const char* event,
                                       Fields extra, Effects& out) {
  journal(rec, "transcription", {{"event", event}, {"sid", t.sid}});
  if (t.callback.empty()) return;
  Fields params = {{"AccountSid", rec.call.account_sid},
                   {"CallSid", rec.call.sid},
                   {"TranscriptionSid", t.sid},
                   {"Timestamp", format_iso8601(now(rec))},
                   {"TranscriptionEvent", event},
                   {"SequenceNumber", std::to_string(++t.sequence)}};
  for (auto& f : extra) params.push_back(std::move(f));
  send_exact(rec, WebhookPurpose::kStatusCallback, t.callback, std::move(params), out);
}

void Engine::Impl::start_transcription(CallRecord& rec, const twiml::Node& noun, Effects& out) {
  const std::string name = noun.attr_or("name", "");
  auto& book = rec.world->call_resources;
  if (!name.empty() && book.find(rec.call.sid, Kind::kTranscription, name) &&
      !book.find(rec.call.sid, Kind::kTranscription, name)->stopped) {
    notify(rec, 20001, 0, "A transcription named '" + name + "' is already running", nullptr,
           nullptr);
    return;
  }
  const std::string track = noun.attr_or("track", "inbound_track");
  if (track != "inbound_track" && track != "outbound_track" && track != "both_tracks") {
    notify(rec, 20001, 0, "Invalid <Transcription> track '" + track + "'", nullptr, nullptr);
    return;
  }
  CallResource r;
  r.kind = Kind::kTranscription;
  r.sid = rec.world->sids.next(std::string(call_resources::sid_prefix(Kind::kTranscription)));
  r.account_sid = rec.call.account_sid;
  r.call_sid = rec.call.sid;
  r.name = name;
  r.date_created = r.date_updated = now(rec);
  CallResource& added = book.add(std::move(r));
  TranscriptionSpec spec;
  spec.track = track;
  spec.language = noun.attr_or("languageCode", "en-US");
  if (const std::string* cb = noun.attr("statusCallbackUrl")) {
    spec.callback = Webhook{resolve_url(rec.rt().program.url, *cb),
                            twiml::attr_method(noun, "statusCallbackMethod")};
  }
  run_transcription(rec, added.sid, spec, out);
}

void Engine::Impl::run_transcription(CallRecord& rec, const std::string& sid,
                                     const TranscriptionSpec& spec, Effects& out) {
  TranscriptionRun t;
  t.sid = sid;
  t.call_sid = rec.call.sid;
  t.account_sid = rec.call.account_sid;
  t.track = spec.track;
  t.language = spec.language;
  t.callback = spec.callback;
  TranscriptionRun& run = transcriptions[sid] = std::move(t);  // by sid: a fixed order
  transcription_event(rec, run, "transcription-started",
                      {{"Track", run.track}, {"LanguageCode", run.language}}, out);
}

void Engine::Impl::transcribe(CallRecord& rec, bool inbound, const std::string& text,
                              double confidence, Effects& out) {
  if (transcriptions.empty() || text.empty()) return;
  const char* track = inbound ? "inbound_track" : "outbound_track";
  for (auto& [sid, t] : transcriptions) {
    if (t.call_sid != rec.call.sid || (t.track != track && t.track != "both_tracks")) continue;
    transcription_event(rec, t, "transcription-content",
                        {{"LanguageCode", t.language},
                         {"Track", track},
                         {"TranscriptionData", transcription_data(text, confidence)},
                         {"Final", "true"}},
                        out);
  }
}

void Engine::Impl::stop_transcription(CallRecord& rec, const std::string& sid, Effects& out) {
  auto it = transcriptions.find(sid);
  if (it == transcriptions.end()) return;
  TranscriptionRun t = std::move(it->second);
  transcriptions.erase(it);
  if (CallResource* r = rec.world->call_resources.find(rec.call.sid, Kind::kTranscription, sid)) {
    r->stopped = true;
    r->date_updated = now(rec);
  }
  transcription_event(rec, t, "transcription-stopped", {}, out);
}

void Engine::Impl::stop_call_transcriptions(CallRecord& rec, Effects& out) {
  if (transcriptions.empty()) return;
  std::vector<std::string> sids;
  for (const auto& [sid, t] : transcriptions) {
    if (t.call_sid == rec.call.sid) sids.push_back(sid);
  }
  for (const auto& sid : sids) stop_transcription(rec, sid, out);
}

}  // namespace dialtone::core
