// Twilio's Calls and Queues paths: which resource a request target names, in which representation.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dialtone::api {

// `.json` -> JSON; `.xml` or no suffix -> XML (Twilio's 2010 API defaults to XML).
enum class Format { kJson, kXml };

enum class RouteKind {
  kCalls,              // /Calls             GET list, POST create
  kCall,               // /Calls/{Sid}       GET fetch, POST update, DELETE
  kCallNotifications,  // /Calls/{Sid}/Notifications        GET
  kCallNotification,   // /Calls/{Sid}/Notifications/{Sid}  GET
  kCallEvents,         // /Calls/{Sid}/Events               GET
  kQueues,             // /Queues            GET list, POST create
  kQueue,              // /Queues/{Sid}      GET fetch, POST update, DELETE
  kQueueMembers,       // /Queues/{Sid}/Members                         GET
  kQueueMember,        // /Queues/{Sid}/Members/{CallSid|Front}          GET, POST (dequeue)
  kConferences,        // /Conferences       GET list
  kConference,         // /Conferences/{Sid} GET fetch, POST update
  kParticipants,       // /Conferences/{Sid|name}/Participants           GET list, POST create
  kParticipant,        // /Conferences/{Sid}/Participants/{CallSid|label} GET, POST, DELETE
  // The Call subresources the spec gives only POST (and DELETE) on; all JSON only.
  kCallStreams,        // /Calls/{Sid}/Streams              POST (create)
  kCallStream,         // /Calls/{Sid}/Streams/{Sid|Name}   POST (stop)
  kCallSiprecs,        // /Calls/{Sid}/Siprec               POST
  kCallSiprec,         // /Calls/{Sid}/Siprec/{Sid|Name}    POST (stop)
  kCallTranscriptions, // /Calls/{Sid}/Transcriptions       POST
  kCallTranscription,  // /Calls/{Sid}/Transcriptions/{Sid|Name}  POST (stop)
  kCallPayments,       // /Calls/{Sid}/Payments             POST
  kCallPayment,        // /Calls/{Sid}/Payments/{Sid}       POST
  kCallUserDefinedMessages,              // /Calls/{Sid}/UserDefinedMessages   POST
  kCallUserDefinedMessageSubscriptions,  // /Calls/{Sid}/UserDefinedMessageSubscriptions  POST
  kCallUserDefinedMessageSubscription,   // .../UserDefinedMessageSubscriptions/{Sid}  DELETE
  // Recordings (api/twilio/recordings.cpp).
  kCallRecordings,     // /Calls/{Sid}/Recordings           GET list, POST create (start)
  kCallRecording,      // /Calls/{Sid}/Recordings/{Sid|Twilio.CURRENT}  GET, POST, DELETE
  kRecordings,         // /Recordings                       GET list
  kRecording,          // /Recordings/{Sid}  GET (.json/.xml: the resource; .wav, .mp3 or no
                       // suffix: the media), DELETE
  // A conference's recordings (api/twilio/conference_recordings.cpp).
  kConferenceRecordings,  // /Conferences/{Sid}/Recordings   GET list
  kConferenceRecording,   // /Conferences/{Sid}/Recordings/{Sid|Twilio.CURRENT}  GET, POST, DELETE
};

struct Route {
  RouteKind kind = RouteKind::kCalls;
  Format format = Format::kXml;
  std::string account_sid;
  std::string call_sid;
  std::string notification_sid;
  std::string queue_sid;
  std::string member;  // a Call sid or "Front"
  std::string conference;   // a CF sid (or, to create a participant, a friendly name), decoded
  std::string participant;  // a Call sid or a label, percent-decoded
  std::string item;    // a Call subresource instance: its sid, or (Streams, ...) its name
  std::string suffix;  // "", ".json" or ".xml": page URIs keep the one that was requested
  std::string media;   // kRecording: "wav" or "mp3" when the media is asked for, else empty
};

struct Target {
  std::string_view path;   // as requested, without the query
  std::string_view query;  // without the '?'
};
Target split_target(std::string_view target);

// The representation an error for this path should use, even when the path is unknown.
Format format_of_path(std::string_view path);

// nullopt for a path that names no resource (-> 404 20404). Path segments must look like sids
// of the right kind (AC, CA, NO, QU, CF), as Twilio's path patterns require; a conference's
// Participants take a friendly name too (create), and a participant a label.
std::optional<Route> match_route(std::string_view path);

// The route as fault rules name it (core/faults/fault_rule.hpp): "Calls", "Calls/{Sid}", ...
std::string_view route_template(RouteKind kind);

// The methods a route accepts, for 405 and its Allow header: "GET, POST".
std::string_view allowed_methods(RouteKind kind);
bool method_allowed(RouteKind kind, std::string_view method);

}  // namespace dialtone::api
