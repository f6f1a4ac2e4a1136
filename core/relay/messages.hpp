// The ConversationRelay wire protocol (reference: twilio-call-subresources.md §3.5) as pure
// functions: the JSON text frames Twilio sends the app (keyed by `type`, unlike Media Streams'
// `event`) and the parse of what the app sends back. `setup` is documented; the others are
// observed in public handlers (docs/conversations.md). No sockets here.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/stream/messages.hpp"

namespace dialtone::core::relay {

using stream::Parameters;

// Bounds on what one app can make dialtone hold.
inline constexpr size_t kMaxAppMessageBytes = 64 * 1024;
inline constexpr size_t kMaxUtterance = 16 * 1024;     // characters of one agent utterance
inline constexpr size_t kMaxHandoffData = 16 * 1024;

struct Setup {
  std::string session_id, account_sid, parent_call_sid, call_sid, from, to, forwarded_from,
      caller_name, direction, call_status;
  Parameters custom_parameters;
};

// Twilio -> app.
std::string setup_message(const Setup& s);
std::string prompt_message(std::string_view voice_prompt, std::string_view lang, bool last);
std::string dtmf_message(char digit);
std::string interrupt_message(std::string_view utterance_until_interrupt, int64_t duration_ms);
std::string error_message(std::string_view description);

// App -> Twilio.
struct AppMessage {
  enum class Kind : uint8_t { kText, kPlay, kSendDigits, kLanguage, kEnd, kInvalid };
  Kind kind = Kind::kInvalid;
  std::string token;           // kText
  bool last = false;           // kText
  std::optional<bool> interruptible;  // kText, kPlay: overrides the session's
  std::string lang;            // kText
  std::string source;          // kPlay
  int loop = 1;                // kPlay
  std::string digits;          // kSendDigits
  std::string tts_language, transcription_language;  // kLanguage
  std::string handoff_data;    // kEnd: as the app wrote it (a JSON string)
  int error_code = 0;          // kInvalid: stream::kErrMalformedMessage or kErrInvalidMessage
  std::string error;           // kInvalid
};

AppMessage parse_app_message(std::string_view text);

}  // namespace dialtone::core::relay
