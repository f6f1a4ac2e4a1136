#include "api/twilio_api.hpp"

#include "api/auth.hpp"
#include "api/calls_handler.hpp"
#include "api/errors.hpp"
#include "api/form.hpp"
#include "api/params.hpp"
#include "api/route.hpp"
#include "api/twilio/conference_recordings.hpp"
#include "api/twilio/conferences.hpp"
#include "api/twilio/members.hpp"
#include "api/twilio/participants.hpp"
#include "api/twilio/queues.hpp"
#include "api/twilio/recordings.hpp"
#include "api/twilio/payments.hpp"
#include "api/twilio/siprec.hpp"
#include "api/twilio/streams.hpp"
#include "api/twilio/transcriptions.hpp"
#include "api/twilio/user_defined_messages.hpp"

namespace dialtone::api {

namespace {

bool is_form_content_type(std::string_view ct) {
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  if (ct.empty()) return true;  // clients that send a bare body mean a form
  if (ct.size() < kForm.size()) return false;
  for (size_t i = 0; i < kForm.size(); ++i) {
    char c = ct[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kForm[i]) return false;
  }
  return ct.size() == kForm.size() || ct[kForm.size()] == ';' || ct[kForm.size()] == ' ';
}

Response bad_encoding(std::string_view what, const std::string& reason, Format format) {
  return render_error(
      core::bad_request(20001, "Invalid " + std::string(what) + ": " + reason), format);
}

}  // namespace

PreparedRequest prepare_twilio(const Request& req) {
  PreparedRequest p;
  p.target = split_target(req.target);
  p.format = format_of_path(p.target.path);
  p.route = match_route(p.target.path);
  if (!p.route || !method_allowed(p.route->kind, req.method)) return p;
  p.query = decode_form(p.target.query, &p.query_error);
  if (!p.query) return p;
  // Twilio reads parameters from a form body only; other body types carry none.
  if (req.method == "POST" && is_form_content_type(req.content_type)) {
    p.body = decode_form(req.body, &p.body_error);
    if (!p.body) return p;
  } else {
    p.body.emplace();
  }
  if (req.method != "POST") return p;
  if (p.route->kind == RouteKind::kCalls) {
    p.create = parse_create(*p.body, p.route->account_sid);
  } else if (p.route->kind == RouteKind::kCall) {
    p.update = parse_update(*p.body);
    if (*p.update) (*p.update)->request_id = req.request_id;
  }
  return p;
}

Response handle_twilio(core::Engine& engine, const Request& req, PreparedRequest& p,
                       core::Effects& out) {
  auto principal = authenticate(engine.accounts(), req.authorization, p.format);
  if (!principal) return render_error(principal.error(), p.format);

  const auto& route = p.route;
  if (!route) return render_error(not_found(p.target.path), p.format);
  if (!method_allowed(route->kind, req.method)) {
    Response r = render_error(method_not_allowed(), route->format);
    r.headers.emplace_back("Allow", std::string(allowed_methods(route->kind)));
    return r;
  }
  if (auto ok = authorize_account(engine.accounts(), **principal, route->account_sid, p.format);
      !ok) {
    return render_error(ok.error(), p.format);
  }
  if (!p.query) return bad_encoding("query string", p.query_error, route->format);
  if (!p.body) return bad_encoding("form body", p.body_error, route->format);

  ApiRequest calls{*route, p.target.path, *p.query, *p.body, req.request_id, req.defer_render};
  calls.create = p.create ? &*p.create : nullptr;
  calls.update = p.update ? &*p.update : nullptr;
  switch (route->kind) {
    case RouteKind::kCalls:
      return req.method == "POST" ? create_call(engine, calls, out) : list_calls(engine, calls);
    case RouteKind::kCall:
      if (req.method == "POST") return update_call(engine, calls, out);
      if (req.method == "DELETE") return delete_call(engine, calls);
      return fetch_call(engine, calls);
    case RouteKind::kCallNotifications:
      return list_notifications(engine, calls);
    case RouteKind::kCallNotification:
      return fetch_notification(engine, calls);
    case RouteKind::kCallEvents:
      return list_events(engine, calls);
    case RouteKind::kQueues:
      return req.method == "POST" ? create_queue(engine, calls) : list_queues(engine, calls);
    case RouteKind::kQueue:
      if (req.method == "POST") return update_queue(engine, calls);
      if (req.method == "DELETE") return delete_queue(engine, calls);
      return fetch_queue(engine, calls);
    case RouteKind::kQueueMembers:
      return list_members(engine, calls);
    case RouteKind::kQueueMember:
      return req.method == "POST" ? update_member(engine, calls, out) : fetch_member(engine, calls);
    case RouteKind::kConferences:
      return list_conferences(engine, calls);
    case RouteKind::kConference:
      if (req.method == "POST") return update_conference(engine, calls, out);
      return fetch_conference(engine, calls);
    case RouteKind::kParticipants:
      if (req.method == "POST") return create_participant(engine, calls, out);
      return list_participants(engine, calls);
    case RouteKind::kParticipant:
      if (req.method == "POST") return update_participant(engine, calls, out);
      if (req.method == "DELETE") return delete_participant(engine, calls, out);
      return fetch_participant(engine, calls);
    case RouteKind::kConferenceRecordings:
      return list_conference_recordings(engine, calls);
    case RouteKind::kConferenceRecording:
      if (req.method == "POST") return update_conference_recording(engine, calls, out);
      if (req.method == "DELETE") return delete_conference_recording(engine, calls, out);
      return fetch_conference_recording(engine, calls);
    case RouteKind::kCallStreams:
      return create_stream(engine, calls, out);
    case RouteKind::kCallStream:
      return update_stream(engine, calls, out);
    case RouteKind::kCallSiprecs:
      return create_siprec(engine, calls);
    case RouteKind::kCallSiprec:
      return update_siprec(engine, calls);
    case RouteKind::kCallTranscriptions:
      return create_transcription(engine, calls, out);
    case RouteKind::kCallTranscription:
      return update_transcription(engine, calls, out);
    case RouteKind::kCallPayments:
      return create_payment(engine, calls);
    case RouteKind::kCallPayment:
      return update_payment(engine, calls);
    case RouteKind::kCallUserDefinedMessages:
      return create_user_defined_message(engine, calls);
    case RouteKind::kCallUserDefinedMessageSubscriptions:
      return create_user_defined_message_subscription(engine, calls);
    case RouteKind::kCallUserDefinedMessageSubscription:
      return delete_user_defined_message_subscription(engine, calls);
    case RouteKind::kCallRecordings:
      if (req.method == "POST") return create_call_recording(engine, calls, out);
      return list_call_recordings(engine, calls);
    case RouteKind::kCallRecording:
      if (req.method == "POST") return update_call_recording(engine, calls, out);
      if (req.method == "DELETE") return delete_call_recording(engine, calls, out);
      return fetch_call_recording(engine, calls);
    case RouteKind::kRecordings:
      return list_recordings(engine, calls);
    case RouteKind::kRecording:
      if (req.method == "DELETE") return delete_recording(engine, calls, out);
      return fetch_recording(engine, calls);
  }
  return render_error(not_found(p.target.path), p.format);
}

Response handle_twilio(core::Engine& engine, const Request& req, core::Effects& out) {
  PreparedRequest prepared = prepare_twilio(req);
  return handle_twilio(engine, req, prepared, out);
}

}  // namespace dialtone::api
