// Runs a callee's conversation script against the clock: which turn is due, when the callee
// starts and stops speaking, each word as it is said, the keys it presses, its hang-up. It is
// told when the agent speaks (a <Say>, a ConversationRelay utterance) so that `wait` and
// `interrupt` turns can follow the agent. Sans-I/O: the engine advances it to `now` and
// carries out the actions (core/callee/engine_callee.cpp); docs/conversations.md.
// Thread-safety: none (owned by the Engine, through the World's ConversationBook).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/callee/script.hpp"
#include "core/time.hpp"

namespace dialtone::core::callee {

// How long after the agent stops the callee starts its next turn (a `wait` ends, or an
// `interrupt` whose moment never came speaks up): a human's pause before answering, and what
// lets back-to-back <Say> verbs count as one utterance.
inline constexpr Millis kResponseGap{500};

struct Action {
  enum class Kind : uint8_t {
    kSpeechStart,  // the callee starts an utterance: `text` in full, `length`, `confidence`
    kWord,         // one more word said: `text` is the utterance so far (partial results)
    kSpeechEnd,    // the utterance is over: `text` in full
    kPress,        // `text`: the keys
    kHangup,
  };
  Kind kind = Kind::kSpeechStart;
  TimePoint at{};
  std::string text;
  Millis length{0};
  double confidence = kDefaultConfidence;
  bool interrupting = false;  // kSpeechStart of an `interrupt` turn that caught the agent
  bool live = false;          // from the control API rather than the script
  std::string audio;          // kSpeechStart: the uploaded clip it says (empty: a tone)
};

// The length of the uploaded clip of that name, nullopt when there is none (then the turn is
// said as a tone for its text's speaking time; the engine reports the missing clip).
using ClipLengths = std::function<std::optional<Millis>(const std::string& name)>;

class ScriptRunner {
 public:
  // The script is shared with the behaviour it came from (calls of one behaviour share it).
  explicit ScriptRunner(std::shared_ptr<const std::vector<Turn>> script);

  // The agent speaks from `at` until `until`. Called again as an utterance grows; an
  // utterance that starts when the last one has ended is a new one.
  void agent_speaking(TimePoint at, TimePoint until);
  // The agent's utterance stopped short at `at` (barged in on, redirected).
  void agent_stopped(TimePoint at);
  // A turn from the control API: runs as soon as the callee is not speaking, before the
  // script's next turn; a `wait` or `silence` in progress goes on around it.
  void live(Turn t);
  // Whether kWord actions are wanted (partial results): a timer per word otherwise saved.
  void set_partials(bool on) { partials_ = on; }
  // Where a turn's `audio` gets its length (a turn saying a clip lasts as long as the clip).
  void set_clip_lengths(ClipLengths f) { clip_lengths_ = std::move(f); }

  // Everything due at or before `now`, in order.
  void advance(TimePoint now, std::vector<Action>& out);
  // When advance() has something to do next; nullopt: nothing until the agent speaks or a
  // live turn comes (or ever: the script is done).
  std::optional<TimePoint> next_due() const;

  bool speaking() const { return speech_.has_value(); }
  bool hung_up() const { return activity_ == Activity::kHungUp; }
  bool agent_speaking_at(TimePoint t) const { return agent_from_ <= t && t < agent_until_; }
  size_t turns_taken() const { return next_; }

 private:
  enum class Activity : uint8_t { kIdle, kSpeaking, kSilence, kWait, kInterrupt, kHungUp };
  struct Speech {
    std::string text;
    TimePoint start;
    Millis length;
    size_t words = 1;
    size_t words_said = 0;  // kWord actions given so far
    TimePoint end() const { return start + length; }
    TimePoint word_end(size_t i) const;  // the end of word i (1-based)
  };

  void begin(const Turn& t, TimePoint now, bool live, std::vector<Action>& out);
  void start_speech(const Turn& t, TimePoint at, bool interrupting, bool live,
                    std::vector<Action>& out);
  // The moment the pending `interrupt` speaks, and whether it catches the agent speaking.
  std::optional<std::pair<TimePoint, bool>> interrupt_moment() const;
  std::optional<TimePoint> wait_over() const;

  std::shared_ptr<const std::vector<Turn>> script_;
  size_t next_ = 0;
  std::deque<Turn> live_;
  Activity activity_ = Activity::kIdle;
  std::optional<Speech> speech_;
  TimePoint since_{};                 // kWait, kInterrupt: when the turn began
  std::optional<TimePoint> until_;    // kSilence: its end; kWait: its limit
  Turn pending_;                      // kInterrupt: the turn
  TimePoint agent_from_{};
  TimePoint agent_until_{};
  bool partials_ = false;
  ClipLengths clip_lengths_;
};

}  // namespace dialtone::core::callee
