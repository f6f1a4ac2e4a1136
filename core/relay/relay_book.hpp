// The ConversationRelay sessions of one world: each <Connect><ConversationRelay>'s settings,
// its place in the protocol and the agent utterance being assembled from the app's `text`
// tokens. Their sockets are the server's WebSocket client's, known by an id from the same
// sequence as Media Streams' (Engine::on_stream_event tells them apart by the book that knows
// the id). docs/conversations.md.
// Thread-safety: none (owned by the Engine, through the World).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/call.hpp"
#include "core/relay/messages.hpp"
#include "core/time.hpp"
#include "core/string_hash.hpp"

namespace dialtone::core::relay {

inline constexpr size_t kMaxEndedSessions = 1000;  // per world

struct Spec {
  std::string url;                  // ws:// or wss://
  std::string welcome_greeting;
  bool welcome_interruptible = true;
  bool interruptible = true;        // the agent's speech stops when the callee speaks
  bool dtmf_detection = false;      // the callee's keys are sent as `dtmf`
  bool partial_prompts = false;     // `prompt` messages with last:false as words come
  std::string language = "en-US";   // of the prompts (transcriptionLanguage, else language)
  Parameters parameters;            // <Parameter> children: setup.customParameters
  std::vector<std::string> languages;  // <Language code=...> children, for the journal
};

enum class State : uint8_t { kConnecting, kOpen, kEnded };

struct Session {
  uint64_t id = 0;                  // the server's handle on the socket
  std::string sid;                  // VX...: setup.sessionId
  std::string account_sid, call_sid;
  Spec spec;
  State state = State::kConnecting;
  TimePoint created{};
  TimePoint opened{};
  // The agent utterance being spoken: its text so far, when it started, whether the callee may
  // cut it, and whether the callee did (its later tokens are dropped until `last`).
  std::string utterance;
  TimePoint utterance_start{};
  bool utterance_interruptible = true;
  bool utterance_cut = false;
  size_t tokens = 0;                // tokens received in all
  std::string handoff_data;
  std::vector<int> reported;        // error codes reported once each
  bool first_report(int code);
};

class RelayBook {
 public:
  Session& add(std::unique_ptr<Session> s);
  Session* by_id(uint64_t id);
  Session* live_on_call(std::string_view call_sid);  // at most one: <Connect> blocks
  void ended(Session& s);
  std::vector<uint64_t> clear();  // ids of the live ones: the server closes their sockets
  std::vector<uint64_t> erase_account(const std::string& account_sid);
  size_t size() const { return by_id_.size(); }

 private:
  std::unordered_map<uint64_t, std::unique_ptr<Session>> by_id_;
  core::StringMap<Session*> live_by_call_;
  std::vector<uint64_t> ended_;  // oldest first
};

}  // namespace dialtone::core::relay
