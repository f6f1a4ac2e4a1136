// A call's conversation between the emulated callee and the app's agent: the callee's script
// runner and the transcript of what each side said, pressed or played, in simulated time. The
// world's ConversationBook keeps one per call whose callee has a script (or was driven live
// through the control API), and keeps it after the call ended so tests can read it
// (docs/conversations.md).
// Thread-safety: none (owned by the Engine, through the World).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/callee/script_runner.hpp"
#include "core/string_hash.hpp"
#include "core/time.hpp"

namespace dialtone::core::callee {

inline constexpr size_t kMaxEntries = 10000;            // per conversation; later ones dropped
inline constexpr size_t kMaxEndedConversations = 1000;  // per world; the oldest evicted

struct Entry {
  enum class Speaker : uint8_t { kCallee, kAgent };
  Speaker speaker = Speaker::kCallee;
  std::string type;  // "speech", "digits", "play", "hangup"
  std::string text;
  std::string via;   // where it was heard or came from: "gather", "say", "relay", ...
  TimePoint start{};
  TimePoint end{};
  bool interrupted = false;  // the agent's: cut short by the callee (or by a redirect)
  double confidence = 0;     // the callee's speech
};

// A span of time in which the callee speaks: what a recording of the inbound track holds.
struct Span {
  TimePoint start;
  TimePoint end;
};

class Conversation {
 public:
  Conversation(std::string call_sid, std::shared_ptr<const std::vector<Turn>> script,
               TimePoint started)
      : call_sid_(std::move(call_sid)), runner_(std::move(script)), started_(started) {}

  ScriptRunner& runner() { return runner_; }
  const std::string& call_sid() const { return call_sid_; }
  TimePoint started() const { return started_; }
  const std::vector<Entry>& entries() const { return entries_; }
  bool ended() const { return ended_; }
  void end() { ended_ = true; }

  // Adds an entry; returns its index (or npos once the bound is reached).
  size_t add(Entry e);
  Entry* at(size_t i) { return i < entries_.size() ? &entries_[i] : nullptr; }
  // The agent's speech or play entry still going on at `now` is cut there (interrupted).
  // True when there was one.
  bool cut_agent(TimePoint now);
  // The agent's speech entries heard `via` that go on past `at` end there (marked
  // `interrupted` as given); those that had not begun by then are dropped: never heard.
  void cut_agent_via(std::string_view via, TimePoint at, bool interrupted);
  // The agent utterance being assembled (ConversationRelay tokens), npos when none.
  size_t open_agent_entry = static_cast<size_t>(-1);
  // The stretch of a bidirectional Media Stream's audio still growing, npos when none.
  size_t open_stream_entry = static_cast<size_t>(-1);

 private:
  std::string call_sid_;
  ScriptRunner runner_;
  TimePoint started_;
  std::vector<Entry> entries_;
  bool ended_ = false;
};

// When the callee spoke, in order: its speech entries as time spans (for recordings).
std::vector<Span> callee_speech_spans(const Conversation& c);

class ConversationBook {
 public:
  Conversation& add(std::unique_ptr<Conversation> c);
  Conversation* find(std::string_view call_sid);
  // The call ended: its conversation stays readable until kMaxEndedConversations newer ones.
  void ended(Conversation& c);
  void erase(const std::string& call_sid);
  void clear();
  size_t size() const { return by_call_.size(); }

 private:
  StringMap<std::unique_ptr<Conversation>> by_call_;
  std::deque<std::string> ended_;  // oldest first
};

}  // namespace dialtone::core::callee
