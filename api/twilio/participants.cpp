#include "api/twilio/participants.hpp"

#include <algorithm>
#include <array>

#include "api/params.hpp"
#include "api/twilio/resource_response.hpp"
#include "core/sid.hpp"

namespace dialtone::api {
namespace {

using core::ParticipantView;
using resource::Field;
using resource::Value;

constexpr std::array<Field<ParticipantView>, 15> kParticipantFields{{
    {"account_sid", "AccountSid",
     [](const ParticipantView& p) { return Value::string(p.account_sid); }},
    {"call_sid", "CallSid",
     [](const ParticipantView& p) { return Value::string(p.participant.call_sid); }},
    {"label", "Label", [](const ParticipantView& p) { return Value::string(p.participant.label); }},
    {"call_sid_to_coach", "CallSidToCoach",
     [](const ParticipantView& p) { return Value::string(p.participant.call_sid_to_coach); }},
    {"coaching", "Coaching",
     [](const ParticipantView& p) { return Value::boolean(p.participant.coaching); }},
    {"conference_sid", "ConferenceSid",
     [](const ParticipantView& p) { return Value::string(p.conference_sid); }},
    {"date_created", "DateCreated",
     [](const ParticipantView& p) { return Value::date(p.participant.date_created); }},
    {"date_updated", "DateUpdated",
     [](const ParticipantView& p) { return Value::date(p.participant.date_updated); }},
    {"end_conference_on_exit", "EndConferenceOnExit",
     [](const ParticipantView& p) { return Value::boolean(p.participant.end_conference_on_exit); }},
    {"muted", "Muted",
     [](const ParticipantView& p) { return Value::boolean(p.participant.muted); }},
    {"hold", "Hold", [](const ParticipantView& p) { return Value::boolean(p.participant.hold); }},
    {"start_conference_on_enter", "StartConferenceOnEnter",
     [](const ParticipantView& p) {
       return Value::boolean(p.participant.start_conference_on_enter);
     }},
    {"status", "Status", [](const ParticipantView& p) { return Value::string(p.status); }},
    // "only available in the response to a create participant request" (spec).
    {"queue_time", "QueueTime",
     [](const ParticipantView& p) { return Value::int_string(p.queue_time_ms); }},
    {"uri", "Uri",
     [](const ParticipantView& p) {
       return Value::path("/2010-04-01/Accounts/" + p.account_sid + "/Conferences/" +
                          p.conference_sid + "/Participants/" + p.participant.call_sid);
     }},
}};

// Twilio's booleans: "true" (any case) is true and any other value false, as the spec says of
// Muted; nullopt when the parameter is absent or empty.
std::optional<bool> flag(const FormFields& form, std::string_view key) {
  const std::string* v = form.get(key);
  if (!v || v->empty()) return std::nullopt;
  constexpr std::string_view kTrue = "true";
  return std::equal(v->begin(), v->end(), kTrue.begin(), kTrue.end(),
                    [](char a, char b) { return (a | 0x20) == b; });
}

// A URL parameter with its method parameter; nullopt when absent. An empty URL is kept (it
// means "nothing" for WaitUrl and "Twilio's music" for HoldUrl).
core::Result<std::optional<core::Webhook>> webhook(const FormFields& form, std::string_view key,
                                                   std::string_view method_key,
                                                   core::HttpMethod fallback) {
  const std::string* url = form.get(key);
  if (!url) return std::optional<core::Webhook>{};
  if (!url->empty()) {
    if (auto e = check_url(*url, key)) return *e;
  }
  core::HttpMethod method = fallback;
  if (const std::string* m = form.get(method_key); m && !m->empty()) {
    auto parsed = parse_method(form, method_key);
    if (!parsed) return parsed.error();
    method = *parsed;
  }
  return std::optional<core::Webhook>{core::Webhook{*url, method}};
}

// The conference's recording (ConferenceRecord): ConferenceTrim (trim-silence by default),
// ConferenceRecordingStatusCallback, ...Method, ...Event (in-progress, completed, absent;
// `failed` is accepted and never sent: nothing fails here).
core::Result<core::recording::Options> conference_recording_options(const FormFields& f) {
  core::recording::Options o;
  o.trim = true;
  if (const std::string* v = f.get("ConferenceTrim"); v && !v->empty()) {
    if (*v != "trim-silence" && *v != "do-not-trim") {
      return core::bad_request(
          20001, "Invalid ConferenceTrim: '" + *v + "' (trim-silence or do-not-trim)");
    }
    o.trim = *v == "trim-silence";
  }
  auto callback = webhook(f, "ConferenceRecordingStatusCallback",
                          "ConferenceRecordingStatusCallbackMethod", core::HttpMethod::kPost);
  if (!callback) return callback.error();
  if (*callback) o.callback = **callback;
  std::vector<std::string> words;
  for (std::string_view v : f.get_all("ConferenceRecordingStatusCallbackEvent")) {
    for (size_t i = 0; i <= v.size();) {
      const size_t j = std::min(v.find_first_of(" ,", i), v.size());
      if (j > i && v.substr(i, j - i) != "failed") words.emplace_back(v.substr(i, j - i));
      i = j + 1;
    }
  }
  if (!words.empty()) {
    const auto events =
        core::recording::parse_events(std::vector<std::string_view>(words.begin(), words.end()));
    if (!events) {
      return core::bad_request(13621,
                               "Invalid ConferenceRecordingStatusCallbackEvent (in-progress, "
                               "completed, failed or absent)");
    }
    o.events = *events;
  }
  return o;
}

core::Result<core::AddParticipant> parse_add(const ApiRequest& req) {
  core::AddParticipant add;
  auto call = parse_create(req.body, req.route.account_sid, false);
  if (!call) return call.error();
  add.call = std::move(*call);
  add.conference = req.route.conference;
  const FormFields& f = req.body;
  core::conference::Participant& p = add.settings;
  if (const std::string* v = f.get("Label")) p.label = *v;
  p.muted = flag(f, "Muted").value_or(false);
  p.start_conference_on_enter = flag(f, "StartConferenceOnEnter").value_or(true);
  p.end_conference_on_exit = flag(f, "EndConferenceOnExit").value_or(false);
  p.coaching = flag(f, "Coaching").value_or(false);
  if (const std::string* v = f.get("CallSidToCoach"); v && !v->empty()) {
    p.call_sid_to_coach = *v;
  }
  if (const std::string* v = f.get("Beep"); v && !v->empty()) {
    if (*v != "true" && *v != "false" && *v != "onEnter" && *v != "onExit") {
      return core::bad_request(20001, "Invalid Beep: '" + *v + "' (true, false, onEnter, onExit)");
    }
    p.beep_on_enter = *v == "true" || *v == "onEnter";
    p.beep_on_exit = *v == "true" || *v == "onExit";
  }
  auto wait = webhook(f, "WaitUrl", "WaitMethod", core::HttpMethod::kPost);
  if (!wait) return wait.error();
  if (*wait) {
    add.wait_url = **wait;
    add.default_music = false;
  }
  if (const std::string* v = f.get("MaxParticipants"); v && !v->empty()) {
    int64_t n = 0;
    if (!parse_integer(*v, n) || n < 2 || n > core::conference::kMaxParticipants) {
      return core::bad_request(20001, "Invalid MaxParticipants: '" + *v + "' (2 to 250)");
    }
    add.max_participants = static_cast<int>(n);
  }
  if (const std::string* v = f.get("ConferenceRecord"); v && !v->empty()) {
    if (*v != "true" && *v != "false" && *v != "record-from-start" && *v != "do-not-record") {
      return core::bad_request(20001, "Invalid ConferenceRecord: '" + *v +
                                          "' (true, false, record-from-start, do-not-record)");
    }
    add.record = *v;
  }
  auto recording = conference_recording_options(f);
  if (!recording) return recording.error();
  add.conference_recording = std::move(*recording);
  auto callback = webhook(f, "ConferenceStatusCallback", "ConferenceStatusCallbackMethod",
                          core::HttpMethod::kPost);
  if (!callback) return callback.error();
  if (*callback && !(*callback)->url.empty()) add.callback.url = **callback;
  // Repeated keys (the SDKs' arrays) or one space-separated value; "start end" by default
  // (the Participants API's default, unlike TwiML's none).
  add.callback.events = core::conference::kKeywordStart | core::conference::kKeywordEnd;
  const auto events = f.get_all("ConferenceStatusCallbackEvent");
  if (!events.empty()) {
    add.callback.events = 0;
    for (std::string_view e : events) {
      const auto bits = core::conference::parse_keywords(e);
      if (!bits) {
        return core::bad_request(20001,
                                 "Invalid ConferenceStatusCallbackEvent: '" + std::string(e) + "'");
      }
      add.callback.events |= *bits;
    }
  }
  return add;
}

core::Result<core::ParticipantUpdate> parse_participant_update(const FormFields& f) {
  core::ParticipantUpdate u;
  u.muted = flag(f, "Muted");
  u.hold = flag(f, "Hold");
  u.coaching = flag(f, "Coaching");
  u.end_conference_on_exit = flag(f, "EndConferenceOnExit");
  u.beep_on_exit = flag(f, "BeepOnExit");
  if (const std::string* v = f.get("CallSidToCoach"); v && !v->empty()) u.call_sid_to_coach = *v;
  // HoldMethod defaults to GET (the spec; an older blog said POST).
  auto hold = webhook(f, "HoldUrl", "HoldMethod", core::HttpMethod::kGet);
  if (!hold) return hold.error();
  u.hold_url = *hold;
  auto announce = webhook(f, "AnnounceUrl", "AnnounceMethod", core::HttpMethod::kPost);
  if (!announce) return announce.error();
  if (*announce && !(*announce)->url.empty()) u.announce_url = *announce;
  auto wait = webhook(f, "WaitUrl", "WaitMethod", core::HttpMethod::kPost);
  if (!wait) return wait.error();
  u.wait_url = *wait;
  return u;
}

Response participant_response(int status, const ApiRequest& req, ParticipantView view) {
  std::string call_sid = view.participant.call_sid;
  Response r = resource_response(status, req, kParticipantDescription, std::move(view));
  r.call_sid = std::move(call_sid);
  return r;
}

}  // namespace

const resource::Description<ParticipantView> kParticipantDescription{
    "Participant", "participants", "Participants", kParticipantFields};

Response create_participant(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  auto add = parse_add(req);
  if (!add) return error_for(add.error(), req);
  auto view = engine.add_participant(*add, out);
  if (!view) return error_for(view.error(), req);
  return participant_response(201, req, std::move(*view));
}

Response list_participants(core::Engine& engine, const ApiRequest& req) {
  auto all = engine.list_participants(req.route.account_sid, req.route.conference);
  if (!all) return error_for(all.error(), req);
  auto paging =
      parse_paging(req.query, [](std::string_view key) { return core::is_sid(key, "CA"); });
  if (!paging) return error_for(paging.error(), req);
  const auto muted = flag(req.query, "Muted");
  const auto hold = flag(req.query, "Hold");
  const auto coaching = flag(req.query, "Coaching");
  std::vector<ParticipantView> records;
  for (ParticipantView& v : *all) {
    if (muted && v.participant.muted != *muted) continue;
    if (hold && v.participant.hold != *hold) continue;
    if (coaching && v.participant.coaching != *coaching) continue;
    records.push_back(std::move(v));
  }
  return page_response(
      req, kParticipantDescription, records, *paging,
      [](const ParticipantView& v) { return std::string_view(v.participant.call_sid); },
      filter_entries(req.query, {"Muted", "Hold", "Coaching"}));
}

Response fetch_participant(core::Engine& engine, const ApiRequest& req) {
  auto view =
      engine.find_participant(req.route.account_sid, req.route.conference, req.route.participant);
  if (!view) return error_for(view.error(), req);
  return participant_response(200, req, std::move(*view));
}

Response update_participant(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  // Unknown conferences and participants are 404 before any parameter is looked at.
  if (!engine.find_participant(req.route.account_sid, req.route.conference,
                               req.route.participant)) {
    return error_for(not_found(req.path), req);
  }
  auto update = parse_participant_update(req.body);
  if (!update) return error_for(update.error(), req);
  auto view = engine.update_participant(req.route.account_sid, req.route.conference,
                                        req.route.participant, *update, out);
  if (!view) return error_for(view.error(), req);
  return participant_response(200, req, std::move(*view));
}

Response delete_participant(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  auto removed = engine.remove_participant(req.route.account_sid, req.route.conference,
                                           req.route.participant, out);
  if (!removed) return error_for(removed.error(), req);
  Response r;
  r.status = 204;
  return r;
}

}  // namespace dialtone::api
