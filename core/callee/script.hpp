// A conversation script for the emulated callee: the turns it takes, one after the other, in the
// call's simulated time (docs/conversations.md). Written as short strings, the same in the
// configuration file and the control API:
//   say:TEXT                      speak TEXT for its speaking time (kWordsPerMinute)
//   say(2.5s, confidence=0.8):TEXT  ...for a given time, heard with that recognition confidence
//   say(audio=NAME):TEXT          ...saying the uploaded audio clip NAME, for its length
//                                 (core/media/clip.hpp); TEXT is what a recogniser hears
//   press:DIGITS                  press keys (0-9, *, #, w)
//   silence:3s                    stay silent (a bare number is seconds; "ms" also works)
//   wait  |  wait:10s             until the agent has finished its next utterance (or 10 s)
//   interrupt(800ms):TEXT         once the agent has spoken for 800 ms, speak TEXT over it
//   hangup                        hang up
// Thread-safety: plain data and pure functions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace dialtone::core::callee {

// How fast the emulated callee (and a ConversationRelay agent's text-to-speech) speaks: 150
// words a minute, a common conversational rate, so 400 ms a word.
inline constexpr int kWordsPerMinute = 150;
inline constexpr Millis kPerWord{60000 / kWordsPerMinute};
inline constexpr double kDefaultConfidence = 0.9;
// Bounds on what one behaviour may hold (docs/conversations.md).
inline constexpr size_t kMaxTurns = 1000;
inline constexpr size_t kMaxTurnText = 4000;

struct Turn {
  enum class Kind : uint8_t { kSay, kPress, kSilence, kWait, kInterrupt, kHangup };
  Kind kind = Kind::kSay;
  std::string text;                 // kSay, kInterrupt: the words; kPress: the digits
  std::optional<Millis> duration;   // kSay/kInterrupt: speaking time given; kSilence: its
                                    // length; kWait: the longest wait (none: no limit)
  Millis after{0};                  // kInterrupt: the agent's speech heard before speaking up
  double confidence = kDefaultConfidence;
  std::string audio;                // kSay/kInterrupt: the name of an uploaded clip to say
  bool operator==(const Turn&) const = default;
};

// The number of words in `text` (runs of non-blank characters).
size_t word_count(std::string_view text);
// How long `text` takes to say at kWordsPerMinute; at least one word's time.
Millis speaking_time(std::string_view text);
// The speaking time of a say or interrupt turn: given, or derived from its text.
Millis speaking_time(const Turn& t);

// One turn, as written above. The error says what is wrong with it (a control 400).
Result<Turn> parse_turn(std::string_view text);
// Each turn in order; the first bad one is the error (its index named).
Result<std::vector<Turn>> parse_script(const std::vector<std::string>& turns);
// The turn written back in the form parse_turn reads (the behaviours list shows it).
std::string format_turn(const Turn& t);
std::vector<std::string> format_script(const std::vector<Turn>& turns);
// A behaviour's script from its written turns: null when there are none.
Result<std::shared_ptr<const std::vector<Turn>>> make_script(const std::vector<std::string>& turns);

}  // namespace dialtone::core::callee
