// The shape Streams, Siprec and real-time Transcriptions share in the spec (sid, account_sid,
// call_sid, name, status, date_updated, uri): one record and one list of fields, described once
// for the three (api/resource/resource.hpp).
// Thread-safety: descriptions are constants.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/resource/resource.hpp"
#include "api/twilio/request.hpp"
#include "core/call_resources/call_resource_book.hpp"

namespace dialtone::api {

struct ForkRecord {
  std::string sid;
  std::string account_sid;
  std::string call_sid;
  std::string name;
  std::string status;  // in-progress | stopped
  core::TimePoint date_updated{};
  std::string_view collection;  // "Streams", "Siprec", "Transcriptions": the uri's segment
};

extern const resource::Description<ForkRecord> kStreamDescription;
extern const resource::Description<ForkRecord> kSiprecDescription;
extern const resource::Description<ForkRecord> kTranscriptionDescription;

// The error answer to an update whose Status is not "stopped" (the only value the spec has for
// Streams, Siprec and Transcriptions); nullopt when it is.
std::optional<Response> bad_stop_status(const ApiRequest& req);

// Siprec and Transcriptions, which dialtone keeps without emulating (core/call_resources/):
// create with an optional Name and Track (200), and stop by sid or name with Status=stopped
// (200). Their other parameters are accepted as they come.
// `transcription`, `out`: a Transcription that transcribes (api/twilio/transcriptions.cpp).
Response create_fork(core::Engine& engine, const ApiRequest& req, core::call_resources::Kind kind,
                     const resource::Description<ForkRecord>& d, std::string_view collection,
                     const core::TranscriptionSpec* transcription = nullptr,
                     core::Effects* out = nullptr);
Response stop_fork(core::Engine& engine, const ApiRequest& req, core::call_resources::Kind kind,
                   const resource::Description<ForkRecord>& d, std::string_view collection,
                   core::Effects* out = nullptr);

}  // namespace dialtone::api
