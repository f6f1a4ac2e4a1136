// The REST side of the Call subresources dialtone keeps without emulating their effect
// (core/call_resources/call_resource_book.hpp): checks against the call, the record, and the
// Notification that says what does not happen.
#include "core/engine_impl.hpp"

namespace dialtone::core {
namespace {

using call_resources::CallResource;
using call_resources::Kind;

const char* what_is_not_emulated(Kind k) {
  switch (k) {
    case Kind::kSiprec:
      return "dialtone does not emulate SIPREC: the Siprec resource is kept, no media is sent";
    case Kind::kTranscription:
      return "dialtone does not emulate real-time transcription here: the Transcription "
             "resource is kept, no transcript is made";
    case Kind::kPayment:
      return "dialtone does not emulate payments: the Payment resource is kept, nothing is "
             "captured or charged";
    case Kind::kUserDefinedMessage:
      return "dialtone does not emulate the Voice SDK: the UserDefinedMessage is kept, no SDK "
             "client receives it";
    case Kind::kUserDefinedMessageSubscription:
      return "dialtone does not emulate the Voice SDK: the subscription is kept, its callback "
             "is never called";
  }
  return "not emulated";
}

bool needs_answer(Kind k) {
  return k != Kind::kUserDefinedMessage && k != Kind::kUserDefinedMessageSubscription;
}

}  // namespace

Result<const CallResource*> Engine::create_call_resource(const std::string& account_sid,
                                                         const std::string& call_sid, Kind kind,
                                                         std::string name,
                                                         const TranscriptionSpec* transcription,
                                                         Effects* out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec || rec->call.account_sid != account_sid) {
    return TwilioError{404, 20404, "No call " + call_sid, {}};
  }
  const CallStatus st = rec->call.status;
  if (st != CallStatus::kInProgress && (needs_answer(kind) || st != CallStatus::kRinging)) {
    return bad_request(21220, "Call is not in-progress. Cannot create this resource.");
  }
  auto& book = rec->world->call_resources;
  if (book.count(call_sid, kind) >= call_resources::kMaxPerCallAndKind) {
    return bad_request(20001, "A call may have at most " +
                                  std::to_string(call_resources::kMaxPerCallAndKind) +
                                  " of these resources");
  }
  if (!name.empty() && book.find(call_sid, kind, name) &&
      !book.find(call_sid, kind, name)->stopped) {
    return bad_request(20001, "The name '" + name + "' is in use on " + call_sid);
  }
  CallResource r;
  r.kind = kind;
  r.sid = rec->world->sids.next(std::string(call_resources::sid_prefix(kind)));
  r.account_sid = account_sid;
  r.call_sid = call_sid;
  r.name = std::move(name);
  r.date_created = r.date_updated = Impl::now(*rec);
  CallResource& added = book.add(std::move(r));
  impl_->journal(*rec, "call_resource", {{"event", "created"}, {"sid", added.sid}});
  if (kind == Kind::kTranscription && transcription && out) {
    impl_->run_transcription(*rec, added.sid, *transcription, *out);
  } else {
    impl_->notify(*rec, 12200, 1, what_is_not_emulated(kind), nullptr, nullptr);
  }
  return static_cast<const CallResource*>(&added);
}

Result<const CallResource*> Engine::update_call_resource(const std::string& account_sid,
                                                         const std::string& call_sid, Kind kind,
                                                         const std::string& sid_or_name,
                                                         bool stop, Effects* out) {
  Impl::ReleaseAtEnd release{*impl_};
  CallRecord* rec = impl_->get(call_sid);
  if (!rec || rec->call.account_sid != account_sid) {
    return TwilioError{404, 20404, "No call " + call_sid, {}};
  }
  CallResource* r = rec->world->call_resources.find(call_sid, kind, sid_or_name);
  if (!r) return TwilioError{404, 20404, "No resource " + sid_or_name + " on " + call_sid, {}};
  // A transcription under way stops transcribing (its transcription-stopped callback goes out
  // when the caller takes effects).
  if (stop && !r->stopped && kind == Kind::kTranscription) {
    if (out) {
      impl_->stop_transcription(*rec, r->sid, *out);
    } else {
      impl_->transcriptions.erase(r->sid);
    }
  }
  if (stop && !r->stopped) r->stopped = true;
  r->date_updated = Impl::now(*rec);
  impl_->journal(*rec, "call_resource", {{"event", stop ? "stopped" : "updated"}, {"sid", r->sid}});
  return static_cast<const CallResource*>(r);
}

Status Engine::delete_call_resource(const std::string& account_sid, const std::string& call_sid,
                                    Kind kind, const std::string& sid) {
  CallRecord* rec = impl_->get(call_sid);
  if (!rec || rec->call.account_sid != account_sid ||
      !rec->world->call_resources.erase(call_sid, kind, sid)) {
    return TwilioError{404, 20404, "No resource " + sid + " on " + call_sid, {}};
  }
  impl_->journal(*rec, "call_resource", {{"event", "deleted"}, {"sid", sid}});
  return Ok{};
}

}  // namespace dialtone::core
