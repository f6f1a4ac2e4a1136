// Twilio's Conference resource: GET .../Conferences (filters, newest first), GET and POST
// .../Conferences/{Sid} (Status=completed, AnnounceUrl). There is no create or delete:
// conferences come from <Dial><Conference> and the Participants API. The Conference is
// described once (kConferenceDescription, the spec's fields in the spec's order).
// docs/conferences.md has the choices where Twilio is silent.
// Thread-safety: handlers run with exclusive access to the Engine.
#pragma once

#include <string>

#include "api/resource/resource.hpp"
#include "api/twilio/request.hpp"
#include "core/conference/conference_book.hpp"

namespace dialtone::api {

// A conference as rendered: copies, so that rendering may happen after the engine lock.
struct ConferenceRecord {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;
  core::conference::Status status = core::conference::Status::kInit;
  std::string reason_ended;
  std::string call_sid_ending;
  core::TimePoint date_created{};
  core::TimePoint date_updated{};
};
ConferenceRecord conference_record(const core::conference::Conference& c);

extern const resource::Description<ConferenceRecord> kConferenceDescription;

Response list_conferences(core::Engine& engine, const ApiRequest& req);
Response fetch_conference(core::Engine& engine, const ApiRequest& req);
Response update_conference(core::Engine& engine, const ApiRequest& req, core::Effects& out);

}  // namespace dialtone::api
