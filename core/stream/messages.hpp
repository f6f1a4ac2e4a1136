// The Media Streams wire protocol (reference: twilio-call-subresources.md §3.4) as pure
// functions: the JSON text frames dialtone sends to the app, and the parse of what the app
// sends back. No sockets here (server/websocket/ carries the bytes).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dialtone::core::stream {

using Parameters = std::vector<std::pair<std::string, std::string>>;

// Twilio's error codes for stream failures (Notifications, StreamError).
inline constexpr int kErrConnectTimeout = 31901;
inline constexpr int kErrConnectRefused = 31902;
inline constexpr int kErrHandshake = 31920;
inline constexpr int kErrClose = 31921;         // socket dropped without a close handshake
inline constexpr int kErrMalformedUrl = 31923;
inline constexpr int kErrProtocol = 31924;      // an event the app may not send here
inline constexpr int kErrInvalidTrack = 31941;
inline constexpr int kErrMalformedMessage = 31950;  // not JSON, or a binary frame
inline constexpr int kErrInvalidMessage = 31951;    // JSON, but not a message we can take

// Twilio -> app.
std::string connected_message();
std::string start_message(uint64_t seq, std::string_view account_sid,
                          std::string_view stream_sid, std::string_view call_sid,
                          const std::vector<std::string_view>& tracks,
                          const Parameters& custom_parameters);
std::string media_message(uint64_t seq, std::string_view stream_sid, std::string_view track,
                          uint64_t chunk, int64_t timestamp_ms, std::string_view mulaw);
std::string dtmf_message(uint64_t seq, std::string_view stream_sid, char digit);
std::string mark_message(uint64_t seq, std::string_view stream_sid, std::string_view name);
std::string stop_message(uint64_t seq, std::string_view stream_sid, std::string_view account_sid,
                         std::string_view call_sid);

// App -> Twilio. A message that cannot be taken carries the error code and why.
struct AppMessage {
  enum class Kind : uint8_t { kMedia, kMark, kClear, kInvalid };
  Kind kind = Kind::kInvalid;
  std::string audio;  // kMedia: the decoded μ-law bytes
  std::string name;   // kMark
  int error_code = 0; // kInvalid
  std::string error;  // kInvalid
};

// Bounds what one message may carry: `max_text` bytes of JSON (before decoding).
inline constexpr size_t kMaxAppMessageBytes = 1 << 20;  // 1 MiB: ~65 s of base64 audio
inline constexpr size_t kMaxMarkName = 256;

AppMessage parse_app_message(std::string_view text);

}  // namespace dialtone::core::stream
