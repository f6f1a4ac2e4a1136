// What the renderers need besides core's types: paths of resources, a page's paging facts,
// and one Call Event (a webhook request and its response, from the journal).
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/journal.hpp"
#include "core/time.hpp"

namespace dialtone::api {

inline constexpr std::string_view kApiVersion = "2010-04-01";

// A subresource of a resource, as its `subresource_uris` name it: the JSON key, and the path
// segment that is also XML's element name.
struct Subresource {
  std::string_view key;
  std::string_view segment;
};
// A Call's subresources in the spec's order of `subresource_uris`.
inline constexpr std::array<Subresource, 9> kCallSubresources{{
    {"notifications", "Notifications"},
    {"recordings", "Recordings"},
    {"payments", "Payments"},
    {"events", "Events"},
    {"siprec", "Siprec"},
    {"streams", "Streams"},
    {"transcriptions", "Transcriptions"},
    {"user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"},
    {"user_defined_messages", "UserDefinedMessages"},
}};

// "/2010-04-01/Accounts/AC.../Calls/CA..." without a suffix: JSON adds ".json", XML does not.
inline std::string call_path(std::string_view account_sid, std::string_view call_sid) {
  std::string p = "/2010-04-01/Accounts/";
  p += account_sid;
  p += "/Calls/";
  p += call_sid;
  return p;
}

// The paging envelope of a list (reference §5.1). Empty next/previous URIs are nulls.
struct PageMeta {
  std::string uri;
  std::string first_page_uri;
  std::string next_page_uri;
  std::string previous_page_uri;
  int64_t page = 0;
  int64_t page_size = 50;
  int64_t start = 0;
  int64_t end = 0;
};

// One entry of Calls/{Sid}/Events: an HTTP request Twilio made for the call and its result.
struct CallEventRecord {
  uint64_t seq = 0;  // journal sequence of the request, used for PageToken
  std::string method;
  std::string url;
  core::Fields parameters;
  bool has_response = false;
  int response_code = 0;
  int64_t request_duration_ms = 0;
  std::string content_type;
  std::string response_body;
  core::TimePoint date_created{};
};

}  // namespace dialtone::api
