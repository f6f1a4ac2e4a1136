// The Call subresources dialtone keeps but does not emulate the effect of: Siprec, real-time
// Transcriptions, Payments, UserDefinedMessages and UserDefinedMessageSubscriptions. Each is a
// record with Twilio's resource shape (sid, name, status, dates); creating one tells the call's
// Notifications that nothing else happens (docs/streams.md, "Other Call subresources").
// Thread-safety: owned by the Engine, through the World that holds it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.hpp"
#include "core/string_hash.hpp"

namespace dialtone::core::call_resources {

enum class Kind : uint8_t {
  kSiprec,
  kTranscription,
  kPayment,
  kUserDefinedMessage,
  kUserDefinedMessageSubscription,
};

inline constexpr size_t kMaxPerCallAndKind = 100;

struct CallResource {
  Kind kind = Kind::kSiprec;
  std::string sid;
  std::string account_sid;
  std::string call_sid;
  std::string name;
  bool stopped = false;  // Siprec, Transcriptions: Status=stopped
  TimePoint date_created{};
  TimePoint date_updated{};
};

// The sid prefix of each kind ("SR", "GT", "PK", "KX", "ZY").
std::string_view sid_prefix(Kind k);

class CallResourceBook {
 public:
  CallResource& add(CallResource r);
  // A resource of this kind of the call by sid, or (Siprec, Transcriptions) by name: a live one
  // first, else the newest stopped one.
  CallResource* find(std::string_view call_sid, Kind kind, std::string_view sid_or_name);
  size_t count(std::string_view call_sid, Kind kind) const;
  bool erase(std::string_view call_sid, Kind kind, std::string_view sid);
  void erase_account(const std::string& account_sid);
  void clear() { by_call_.clear(); }

 private:
  core::StringMap<std::vector<std::unique_ptr<CallResource>>> by_call_;
};

}  // namespace dialtone::core::call_resources
