// fuzz_route: split_target, format_of_path, match_route and the method table on arbitrary
// request targets and methods. Input: the method, a space, the target (as on a request line).
// Properties: a matched route rebuilds to exactly the path it came from; its sids have the right
// shape; the method table agrees with the Allow header it advertises.
#pragma once

#include <string>
#include <vector>

#include "api/form.hpp"

#include "api/route.hpp"
#include "core/sid.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

// Conference routes carry percent-decoded segments: each must be what its raw segment decodes
// to, and a conference sid must be a CF sid wherever the spec's pattern asks for one.
inline void run_conference_route(const api::Route& route, std::string_view path) {
  std::string_view rest = path.substr(path.find("/Conferences") + 12);
  if (rest.ends_with(route.suffix)) rest.remove_suffix(route.suffix.size());
  std::vector<std::string_view> seg;
  for (size_t pos = 0; pos < rest.size();) {
    FUZZ_CHECK(rest[pos] == '/');
    const size_t next = rest.find('/', pos + 1);
    seg.push_back(rest.substr(pos + 1, next == rest.npos ? rest.npos : next - pos - 1));
    pos = next == rest.npos ? rest.size() : next;
  }
  std::string decoded;
  switch (route.kind) {
    case api::RouteKind::kConferences:
      FUZZ_CHECK(seg.empty());
      return;
    case api::RouteKind::kConference:
      FUZZ_CHECK(seg.size() == 1 && core::is_sid(route.conference, "CF"));
      break;
    case api::RouteKind::kParticipants:
      FUZZ_CHECK(seg.size() == 2 && seg[1] == "Participants");
      break;
    case api::RouteKind::kParticipant:
      FUZZ_CHECK(seg.size() == 3 && seg[1] == "Participants");
      FUZZ_CHECK(core::is_sid(route.conference, "CF") && !route.participant.empty());
      FUZZ_CHECK(api::percent_decode(seg[2], false, decoded) && decoded == route.participant);
      break;
    case api::RouteKind::kConferenceRecordings:
      FUZZ_CHECK(seg.size() == 2 && seg[1] == "Recordings" && core::is_sid(route.conference, "CF"));
      break;
    case api::RouteKind::kConferenceRecording:
      FUZZ_CHECK(seg.size() == 3 && seg[1] == "Recordings" && core::is_sid(route.conference, "CF"));
      FUZZ_CHECK(core::is_sid(route.item, "RE") || route.item == "Twilio.CURRENT");
      FUZZ_CHECK(seg[2] == route.item);
      break;
    default:
      FUZZ_CHECK(false);
  }
  decoded.clear();
  FUZZ_CHECK(api::percent_decode(seg[0], false, decoded) && decoded == route.conference);
}

inline void run_route(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  const size_t sp = line.find(' ');
  const std::string_view method = sp == std::string_view::npos ? std::string_view{} : line.substr(0, sp);
  const std::string_view target = sp == std::string_view::npos ? line : line.substr(sp + 1);

  const api::Target t = api::split_target(target);
  FUZZ_CHECK(t.path.size() + t.query.size() <= target.size());
  FUZZ_CHECK(t.path.find('?') == std::string_view::npos);
  if (t.path.size() < target.size()) FUZZ_CHECK(t.path.size() + 1 + t.query.size() == target.size());
  const api::Format format = api::format_of_path(t.path);

  const auto route = api::match_route(t.path);
  if (!route) return;
  FUZZ_CHECK(core::is_sid(route->account_sid, "AC"));
  FUZZ_CHECK(route->format == format);
  FUZZ_CHECK(route->suffix.empty() || route->suffix == ".json" || route->suffix == ".xml");
  FUZZ_CHECK((route->format == api::Format::kJson) == (route->suffix == ".json"));

  std::string rebuilt = "/2010-04-01/Accounts/" + route->account_sid;
  const bool conference = route->kind == api::RouteKind::kConferences ||
                          route->kind == api::RouteKind::kConference ||
                          route->kind == api::RouteKind::kParticipants ||
                          route->kind == api::RouteKind::kParticipant ||
                          route->kind == api::RouteKind::kConferenceRecordings ||
                          route->kind == api::RouteKind::kConferenceRecording;
  if (conference) run_conference_route(*route, t.path);
  const bool account_recordings =
      route->kind == api::RouteKind::kRecordings || route->kind == api::RouteKind::kRecording;
  if (account_recordings) {
    rebuilt += "/Recordings";
  } else {
    rebuilt += route->queue_sid.empty() && route->kind != api::RouteKind::kQueues ? "/Calls"
                                                                                  : "/Queues";
  }
  switch (route->kind) {
    case api::RouteKind::kCalls:
      FUZZ_CHECK(route->call_sid.empty());
      break;
    case api::RouteKind::kCall:
      FUZZ_CHECK(core::is_sid(route->call_sid, "CA"));
      rebuilt += "/" + route->call_sid;
      break;
    case api::RouteKind::kCallNotifications:
      FUZZ_CHECK(core::is_sid(route->call_sid, "CA"));
      rebuilt += "/" + route->call_sid + "/Notifications";
      break;
    case api::RouteKind::kCallNotification:
      FUZZ_CHECK(core::is_sid(route->call_sid, "CA"));
      FUZZ_CHECK(core::is_sid(route->notification_sid, "NO"));
      rebuilt += "/" + route->call_sid + "/Notifications/" + route->notification_sid;
      break;
    case api::RouteKind::kCallEvents:
      FUZZ_CHECK(core::is_sid(route->call_sid, "CA"));
      FUZZ_CHECK(route->suffix != ".xml");
      rebuilt += "/" + route->call_sid + "/Events";
      break;
    case api::RouteKind::kQueues:
      FUZZ_CHECK(route->queue_sid.empty() && route->call_sid.empty());
      break;
    case api::RouteKind::kQueue:
      FUZZ_CHECK(core::is_sid(route->queue_sid, "QU"));
      rebuilt += "/" + route->queue_sid;
      break;
    case api::RouteKind::kQueueMembers:
      FUZZ_CHECK(core::is_sid(route->queue_sid, "QU"));
      rebuilt += "/" + route->queue_sid + "/Members";
      break;
    case api::RouteKind::kQueueMember:
      FUZZ_CHECK(core::is_sid(route->queue_sid, "QU"));
      FUZZ_CHECK(core::is_sid(route->member, "CA") || route->member == "Front");
      rebuilt += "/" + route->queue_sid + "/Members/" + route->member;
      break;
    case api::RouteKind::kCallRecordings:
      FUZZ_CHECK(core::is_sid(route->call_sid, "CA"));
      rebuilt += "/" + route->call_sid + "/Recordings";
      break;
    case api::RouteKind::kCallRecording:
      FUZZ_CHECK(core::is_sid(route->call_sid, "CA"));
      FUZZ_CHECK(core::is_sid(route->item, "RE") || route->item == "Twilio.CURRENT");
      rebuilt += "/" + route->call_sid + "/Recordings/" + route->item;
      break;
    case api::RouteKind::kRecordings:
      FUZZ_CHECK(route->call_sid.empty() && route->media.empty());
      break;
    case api::RouteKind::kRecording:
      // The resource (.json, .xml) or its media (.wav, .mp3, or no suffix: the WAV).
      FUZZ_CHECK(core::is_sid(route->item, "RE"));
      FUZZ_CHECK(route->media.empty() || route->media == "wav" || route->media == "mp3");
      FUZZ_CHECK(route->media.empty() == !route->suffix.empty());
      rebuilt += "/" + route->item;
      if (route->media.size() && t.path.ends_with("." + route->media)) rebuilt += "." + route->media;
      break;
    default: {
      if (conference) break;  // checked by run_conference_route
      // The POST-only Call subresources (Streams, Siprec, ...): JSON only.
      FUZZ_CHECK(core::is_sid(route->call_sid, "CA"));
      FUZZ_CHECK(route->suffix == ".json");
      const std::string_view tpl = api::route_template(route->kind);  // Calls/{Sid}/X[/{Sid}]
      constexpr size_t kAfterCall = std::string_view("Calls/{Sid}/").size();
      const std::string_view segment = tpl.substr(kAfterCall, tpl.find('/', kAfterCall) -
                                                                  kAfterCall);
      FUZZ_CHECK(route->item.empty() == (tpl.find('/', kAfterCall) == std::string_view::npos));
      rebuilt += "/" + route->call_sid + "/" + std::string(segment);
      if (!route->item.empty()) rebuilt += "/" + route->item;
      break;
    }
  }
  rebuilt += route->suffix;
  FUZZ_CHECK(conference || rebuilt == t.path);

  // The Allow header lists exactly the methods method_allowed accepts.
  const std::string_view allow = api::allowed_methods(route->kind);
  FUZZ_CHECK(!allow.empty());
  for (std::string_view m : {"GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"}) {
    const bool listed = (std::string(", ") + std::string(allow) + ",").find(", " + std::string(m) + ",") !=
                        std::string::npos;
    FUZZ_CHECK(api::method_allowed(route->kind, m) == listed);
  }
  if (api::method_allowed(route->kind, method)) {
    FUZZ_CHECK(method == "GET" || method == "POST" || method == "DELETE");
  }
}

}  // namespace dialtone::fuzz
