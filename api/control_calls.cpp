#include "api/control_calls.hpp"

#include "api/control/conversations.hpp"
#include "api/control_request.hpp"
#include "api/render_json.hpp"

namespace dialtone::api {

const core::Call* find_any_call(const core::Engine& engine, const std::string& call_sid) {
  for (const auto& [sid, account] : engine.accounts().all()) {
    if (const core::Call* c = engine.find_call(sid, call_sid)) return c;
  }
  return nullptr;
}

Response callee_act(core::Engine& engine, const std::string& call_sid, const std::string& action,
                    const FormFields& params, core::Effects& out) {
  const core::Call* call = find_any_call(engine, call_sid);
  if (!call) return control_error(404, "No call " + call_sid, 20404);
  core::Status status = core::Ok{};
  if (action == "digits") {
    const std::string* digits = params.get("Digits");
    if (!digits || digits->empty()) return control_error(400, "Digits is required");
    for (char c : *digits) {
      if (!((c >= '0' && c <= '9') || c == '*' || c == '#' || c == 'w')) {
        return control_error(400, "Digits '" + *digits + "' may hold only 0-9, *, # and w");
      }
    }
    status = engine.callee_digits(call_sid, *digits, out);
  } else if (action == "speech") {
    const std::string* speech = params.get("SpeechResult");
    if (!speech || speech->empty()) return control_error(400, "SpeechResult is required");
    status = engine.callee_speech(call_sid, *speech, out);
  } else if (action == "say" || action == "press") {
    auto turn = parse_live_turn(action, params);
    if (!turn) return control_error(turn.error());
    // Checked here too: the engine's 400 would read as a call in the wrong state (409) below.
    if (!turn->audio.empty() && !engine.clips(call->account_sid).find(turn->audio)) {
      return control_error(400, "No audio clip '" + turn->audio + "' in the call's account", 20001);
    }
    status = engine.callee_turn(call_sid, std::move(*turn), out);
  } else {
    core::CalleeAction a = core::CalleeAction::kAnswer;
    if (action == "busy") a = core::CalleeAction::kBusy;
    else if (action == "no-answer") a = core::CalleeAction::kNoAnswer;
    else if (action == "fail") a = core::CalleeAction::kFail;
    else if (action == "hangup") a = core::CalleeAction::kHangup;
    else if (action != "answer") return control_error(404, "No callee action " + action);
    status = engine.callee_action(call_sid, a, out);
  }
  if (!status) {
    core::TwilioError e = status.error();
    // core's illegal-transition errors are 400 21220 for the Calls API; for a callee acting on
    // a call in the wrong state the control API answers 409 Conflict.
    if (e.http_status == 400) e.http_status = 409;
    if (e.message.empty()) e.message = "Call " + call_sid + " cannot " + action + " now";
    return control_error(e);
  }
  Response r = control_json(200, call_json(*find_any_call(engine, call_sid)));
  r.call_sid = call_sid;
  return r;
}

}  // namespace dialtone::api
