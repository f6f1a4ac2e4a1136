// The Call resource as Twilio shows it, plus what dialtone needs to run it.
// Thread-safety: plain data, owned by the Engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/call_status.hpp"
#include "core/time.hpp"

namespace dialtone::core {

enum class Direction : uint8_t { kInbound, kOutboundApi, kOutboundDial };
std::string_view to_wire(Direction d);

enum class HttpMethod : uint8_t { kPost, kGet };
std::string_view to_wire(HttpMethod m);

// StatusCallbackEvent values, as a bit set.
enum CallbackEvent : uint8_t {
  kEventInitiated = 1,
  kEventRinging = 2,
  kEventAnswered = 4,
  kEventCompleted = 8,
};

struct Webhook {
  std::string url;
  HttpMethod method = HttpMethod::kPost;
  bool empty() const { return url.empty(); }
};

// What a create request decides about a new call: named once, here. A Call holds them; a
// CreateCall (core/engine.hpp) carries them from the API, and the new call takes them whole.
struct CallSettings {
  std::string account_sid;
  std::string to;
  std::string to_formatted;
  std::string from;
  std::string from_formatted;
  Webhook url;                // TwiML source (empty when twiml is inline)
  std::string twiml;          // inline TwiML (create or update)
  Webhook fallback;
  Webhook status_callback;
  uint8_t status_callback_events = kEventCompleted;
  int timeout_s = 60;
  std::optional<int64_t> time_limit_s;
  std::string send_digits;
  bool record = false;
  std::string machine_detection;
  std::string caller_id;
};

struct Call : CallSettings {
  // --- Twilio's fields (rendered by api/), besides the settings' ---
  std::string sid;
  std::string parent_call_sid;  // empty = null
  std::string phone_number_sid;  // empty = null
  CallStatus status = CallStatus::kQueued;
  Direction direction = Direction::kOutboundApi;
  TimePoint date_created{};
  TimePoint date_updated{};
  std::optional<TimePoint> start_time;  // set when the call is answered (Twilio: dialed)
  std::optional<TimePoint> end_time;
  std::optional<int64_t> duration_s;    // set when it ends
  std::optional<int64_t> queue_time_ms;
  std::string answered_by;              // "human", "machine_start", ...; empty = null
  std::string forwarded_from;
  std::string caller_name;
  std::string price;                    // empty = null

  // Bookkeeping for StatusCallback: which events went out, and the next SequenceNumber.
  uint8_t callbacks_sent = 0;
  int callback_sequence = 0;

  std::vector<std::string> child_sids;  // <Dial> legs, in order
  bool deleted = false;
};

}  // namespace dialtone::core
