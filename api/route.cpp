#include "api/route.hpp"

#include <array>

#include "core/faults/fault_rule.hpp"
#include "api/form.hpp"
#include "core/sid.hpp"

namespace dialtone::api {

namespace {

constexpr std::string_view kPrefix = "/2010-04-01/Accounts/";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The routes have at most 5 segments after the prefix: more match nothing. Every API
// request is matched (and metrics and the journal match it again), so no allocation here.
constexpr size_t kMaxSegments = 5;
struct Segments {
  std::array<std::string_view, kMaxSegments> seg;
  size_t size = 0;  // kMaxSegments + 1: too many
};

Segments split_segments(std::string_view rest) {
  Segments out;
  size_t pos = 0;
  while (true) {
    const size_t slash = rest.find('/', pos);
    if (out.size == kMaxSegments) {
      out.size = kMaxSegments + 1;
      break;
    }
    out.seg[out.size++] =
        rest.substr(pos, slash == std::string_view::npos ? rest.npos : slash - pos);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

std::optional<Route> match_queues(Route route, const Segments& parts) {
  const auto& seg = parts.seg;
  const size_t count = parts.size;
  if (count == 2) {
    route.kind = RouteKind::kQueues;
    return route;
  }
  if (!core::is_sid(seg[2], "QU")) return std::nullopt;
  route.queue_sid = std::string(seg[2]);
  if (count == 3) {
    route.kind = RouteKind::kQueue;
    return route;
  }
  if (seg[3] != "Members") return std::nullopt;
  if (count == 4) {
    route.kind = RouteKind::kQueueMembers;
    return route;
  }
  // A member is named by its Call sid, or "Front" for whoever is at the head of the queue.
  if (count == 5 && (core::is_sid(seg[4], "CA") || seg[4] == "Front")) {
    route.kind = RouteKind::kQueueMember;
    route.member = std::string(seg[4]);
    return route;
  }
  return std::nullopt;
}

// Conferences/{Sid}/Participants/{CallSid|label}: a label and, to create a participant, a
// conference's friendly name stand in a path percent-encoded (reference §4.1).
std::optional<Route> match_conferences(Route route, const Segments& parts) {
  const auto& seg = parts.seg;
  const size_t count = parts.size;
  if (count == 2) {
    route.kind = RouteKind::kConferences;
    return route;
  }
  if (seg[2].empty() || !percent_decode(seg[2], false, route.conference)) return std::nullopt;
  if (count == 3) {
    if (!core::is_sid(seg[2], "CF")) return std::nullopt;
    route.kind = RouteKind::kConference;
    return route;
  }
  // Recordings/{RE|Twilio.CURRENT}: the conference must be named by its sid.
  if (seg[3] == "Recordings") {
    if (!core::is_sid(seg[2], "CF")) return std::nullopt;
    if (count == 4) {
      route.kind = RouteKind::kConferenceRecordings;
      return route;
    }
    if (!core::is_sid(seg[4], "RE") && seg[4] != "Twilio.CURRENT") return std::nullopt;
    route.kind = RouteKind::kConferenceRecording;
    route.item = std::string(seg[4]);
    return route;
  }
  if (seg[3] != "Participants") return std::nullopt;
  if (count == 4) {
    route.kind = RouteKind::kParticipants;
    return route;
  }
  if (!core::is_sid(seg[2], "CF") || seg[4].empty() ||
      !percent_decode(seg[4], false, route.participant)) {
    return std::nullopt;
  }
  route.kind = RouteKind::kParticipant;
  return route;
}

struct PostSubresource {
  std::string_view segment;
  RouteKind list;
  RouteKind instance;
  bool has_instance;
};
constexpr std::array<PostSubresource, 6> kPostSubresources{{
    {"Streams", RouteKind::kCallStreams, RouteKind::kCallStream, true},
    {"Siprec", RouteKind::kCallSiprecs, RouteKind::kCallSiprec, true},
    {"Transcriptions", RouteKind::kCallTranscriptions, RouteKind::kCallTranscription, true},
    {"Payments", RouteKind::kCallPayments, RouteKind::kCallPayment, true},
    {"UserDefinedMessages", RouteKind::kCallUserDefinedMessages,
     RouteKind::kCallUserDefinedMessages, false},
    {"UserDefinedMessageSubscriptions", RouteKind::kCallUserDefinedMessageSubscriptions,
     RouteKind::kCallUserDefinedMessageSubscription, true},
}};

// Routes the spec gives no GET (a Call's subresource_uris still link the lists: 405).
bool post_only(RouteKind kind) {
  return kind >= RouteKind::kCallStreams && kind <= RouteKind::kCallUserDefinedMessageSubscription;
}

// Recordings/{RE}: the resource as .json or .xml; the media as .wav, .mp3 or with no suffix
// (Twilio's default is the WAV).
std::optional<Route> match_recordings(Route route, const Segments& parts) {
  const auto& seg = parts.seg;
  if (parts.size == 2 && route.media.empty()) {
    route.kind = RouteKind::kRecordings;
    return route;
  }
  if (parts.size != 3 || !core::is_sid(seg[2], "RE")) return std::nullopt;
  route.kind = RouteKind::kRecording;
  route.item = std::string(seg[2]);
  if (route.media.empty() && route.suffix.empty()) route.media = "wav";
  return route;
}

}  // namespace

Target split_target(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

Format format_of_path(std::string_view path) {
  return ends_with(path, ".json") ? Format::kJson : Format::kXml;
}

std::optional<Route> match_route(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = path.substr(kPrefix.size());

  Route route;
  if (ends_with(rest, ".json")) {
    route.suffix = ".json";
  } else if (ends_with(rest, ".xml")) {
    route.suffix = ".xml";
  }
  route.format = route.suffix == ".json" ? Format::kJson : Format::kXml;
  rest.remove_suffix(route.suffix.size());
  // One media suffix at most: "RE....mp3.wav" names nothing.
  for (std::string_view media : {".wav", ".mp3"}) {
    if (route.suffix.empty() && route.media.empty() && ends_with(rest, media)) {
      route.media = std::string(media.substr(1));
      rest.remove_suffix(media.size());
    }
  }

  const Segments parts = split_segments(rest);
  if (parts.size > kMaxSegments) return std::nullopt;
  const auto& seg = parts.seg;
  const size_t count = parts.size;
  if (count < 2 || !core::is_sid(seg[0], "AC")) return std::nullopt;
  route.account_sid = std::string(seg[0]);
  if (seg[1] == "Recordings") return match_recordings(std::move(route), parts);
  if (!route.media.empty()) return std::nullopt;  // only a recording has media
  if (seg[1] == "Queues") return match_queues(std::move(route), parts);
  if (seg[1] == "Conferences") return match_conferences(std::move(route), parts);
  if (seg[1] != "Calls") return std::nullopt;
  if (count == 2) {
    route.kind = RouteKind::kCalls;
    return route;
  }
  if (!core::is_sid(seg[2], "CA")) return std::nullopt;
  route.call_sid = std::string(seg[2]);
  if (count == 3) {
    route.kind = RouteKind::kCall;
    return route;
  }
  if (count == 4 && seg[3] == "Notifications") {
    route.kind = RouteKind::kCallNotifications;
    return route;
  }
  if (count == 5 && seg[3] == "Notifications" && core::is_sid(seg[4], "NO")) {
    route.kind = RouteKind::kCallNotification;
    route.notification_sid = std::string(seg[4]);
    return route;
  }
  // The spec has Events only as JSON.
  if (count == 4 && seg[3] == "Events" && route.suffix != ".xml") {
    route.kind = RouteKind::kCallEvents;
    return route;
  }
  // A recording of the call: its sid, or Twilio.CURRENT (the live one) to update it.
  if (seg[3] == "Recordings" && count == 4) {
    route.kind = RouteKind::kCallRecordings;
    return route;
  }
  if (seg[3] == "Recordings" && count == 5 &&
      (core::is_sid(seg[4], "RE") || seg[4] == "Twilio.CURRENT")) {
    route.kind = RouteKind::kCallRecording;
    route.item = std::string(seg[4]);
    return route;
  }
  // The POST-only subresources: JSON only, as in the spec; an instance is named by its sid or
  // (Streams, Siprec, Transcriptions) its name, which the handlers look up.
  if (route.suffix == ".json" && (count == 4 || (count == 5 && !seg[4].empty()))) {
    for (const auto& sub : kPostSubresources) {
      if (seg[3] != sub.segment) continue;
      if (count == 4) {
        route.kind = sub.list;
        return route;
      }
      if (!sub.has_instance) return std::nullopt;
      route.kind = sub.instance;
      route.item = std::string(seg[4]);
      return route;
    }
  }
  return std::nullopt;
}

// kRouteTemplates lists the RouteKinds in their order (tests/api/route_test.cpp checks it).
static_assert(core::faults::kRouteTemplates.size() ==
              static_cast<size_t>(RouteKind::kConferenceRecording) + 1);

std::string_view route_template(RouteKind kind) {
  return core::faults::kRouteTemplates[static_cast<size_t>(kind)].name;
}

std::string_view allowed_methods(RouteKind kind) {
  switch (kind) {
    case RouteKind::kCalls:
      return "GET, POST";
    case RouteKind::kCall:
      return "GET, POST, DELETE";
    case RouteKind::kQueues:
    case RouteKind::kQueueMember:
    case RouteKind::kConference:
    case RouteKind::kParticipants:
      return "GET, POST";
    case RouteKind::kQueue:
    case RouteKind::kParticipant:
    case RouteKind::kCallRecording:
    case RouteKind::kConferenceRecording:
      return "GET, POST, DELETE";
    case RouteKind::kCallRecordings:
      return "GET, POST";
    case RouteKind::kRecordings:
      return "GET";
    case RouteKind::kRecording:
      return "GET, DELETE";
    case RouteKind::kCallNotifications:
    case RouteKind::kCallNotification:
    case RouteKind::kCallEvents:
    case RouteKind::kQueueMembers:
    case RouteKind::kConferences:
    case RouteKind::kConferenceRecordings:
      return "GET";
    case RouteKind::kCallUserDefinedMessageSubscription:
      return "DELETE";
    case RouteKind::kCallStreams:
    case RouteKind::kCallStream:
    case RouteKind::kCallSiprecs:
    case RouteKind::kCallSiprec:
    case RouteKind::kCallTranscriptions:
    case RouteKind::kCallTranscription:
    case RouteKind::kCallPayments:
    case RouteKind::kCallPayment:
    case RouteKind::kCallUserDefinedMessages:
    case RouteKind::kCallUserDefinedMessageSubscriptions:
      return "POST";
  }
  return "GET";
}

bool method_allowed(RouteKind kind, std::string_view method) {
  // HEAD is not served: Twilio's spec has no HEAD operations.
  if (method == "GET") return !post_only(kind);
  if (method == "POST") {
    return kind == RouteKind::kCalls || kind == RouteKind::kCall || kind == RouteKind::kQueues ||
           kind == RouteKind::kQueue || kind == RouteKind::kQueueMember ||
           kind == RouteKind::kConference || kind == RouteKind::kParticipants ||
           kind == RouteKind::kParticipant || kind == RouteKind::kCallRecordings ||
           kind == RouteKind::kCallRecording || kind == RouteKind::kConferenceRecording ||
           (post_only(kind) && kind != RouteKind::kCallUserDefinedMessageSubscription);
  }
  if (method == "DELETE") {
    return kind == RouteKind::kCall || kind == RouteKind::kQueue ||
           kind == RouteKind::kParticipant || kind == RouteKind::kCallRecording ||
           kind == RouteKind::kRecording || kind == RouteKind::kConferenceRecording ||
           kind == RouteKind::kCallUserDefinedMessageSubscription;
  }
  return false;
}

}  // namespace dialtone::api
