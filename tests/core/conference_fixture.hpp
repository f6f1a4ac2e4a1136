// The conference tests' fixture: callers that <Dial> into a conference, the conference's status
// callbacks as they were sent, and the Participant and Conference commands. Shared by
// conference_engine_test.cpp and conference_recording_test.cpp.
#pragma once

#include <string>
#include <vector>

#include "tests/core/interpreter_fixture.hpp"

namespace dialtone::core::testing {

inline const std::string kEvents = kApp + "/conf-events";
inline const std::string kAll = "start end join leave mute hold modify speaker announcement";

class ConferenceTest : public Interpreter {
 protected:
  // A <Dial> into `room` with `attrs` on the <Conference>, and `dial_attrs` on the <Dial>.
  static std::string dial(const std::string& attrs = {}, const std::string& dial_attrs = {},
                          const std::string& room = "room") {
    return "<Dial" + dial_attrs + "><Conference" + attrs + ">" + room + "</Conference></Dial>";
  }
  static std::string with_events(const std::string& events = kAll) {
    return " statusCallback=\"" + kEvents + "\" statusCallbackEvent=\"" + events + "\"";
  }
  // A call answered into `verbs`, served at its own URL (so that each caller may differ).
  std::string join(const std::string& verbs) {
    const std::string url = kApp + "/caller" + std::to_string(++callers_);
    on_twiml(url, doc(verbs));
    const std::string sid = create(url);
    advance(1);
    EXPECT_EQ(status(sid), CallStatus::kInProgress);
    return sid;
  }
  // StatusCallbackEvent of each conference callback, in the order sent.
  std::vector<std::string> events() const {
    std::vector<std::string> out;
    for (const Sent& s : sent_to(kEvents)) out.push_back(s.param("StatusCallbackEvent"));
    return out;
  }
  std::vector<Sent> events_named(const std::string& name) const {
    std::vector<Sent> out;
    for (const Sent& s : sent_to(kEvents))
      if (s.param("StatusCallbackEvent") == name) out.push_back(s);
    return out;
  }
  const conference::Conference* room(const std::string& name = "room") {
    const conference::Conference* found = nullptr;
    for (const auto* c : engine().list_conferences(kAc))
      if (c->friendly_name == name) found = c;  // the newest of that name
    return found;
  }
  // Adds a participant calling kAgent; `a` may set its settings and its call's timeout.
  Result<ParticipantView> add(const std::string& conf, AddParticipant a = {}) {
    const int timeout_s = a.call.timeout_s;
    a.call = call_request({}, kAgent);
    a.call.url = {};
    a.call.timeout_s = timeout_s;
    a.conference = conf;
    Effects effects;
    auto r = engine().add_participant(a, effects);
    pump(effects);
    return r;
  }
  Result<ParticipantView> update_p(const std::string& key, const ParticipantUpdate& u) {
    Effects effects;
    auto r = engine().update_participant(kAc, room()->sid, key, u, effects);
    pump(effects);
    return r;
  }
  Status kick(const std::string& key) {
    Effects effects;
    auto r = engine().remove_participant(kAc, room()->sid, key, effects);
    pump(effects);
    return r;
  }
  Result<const conference::Conference*> end_via_api() {
    Effects effects;
    ConferenceUpdate u;
    u.complete = true;
    auto r = engine().update_conference(kAc, room()->sid, u, effects);
    pump(effects);
    return r;
  }
  int callers_ = 0;
};

}  // namespace dialtone::core::testing
