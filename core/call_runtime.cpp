#include "core/call_runtime.hpp"

#include <array>

namespace dialtone::core {

namespace {

constexpr std::array<std::string_view, 10> kPhases = {
    "idle", "fetching", "verb", "gather", "dial", "record", "enqueued", "bridged", "conference",
    "connect"};
constexpr std::array<std::string_view, static_cast<size_t>(TimerSlot::kCount)> kSlots = {
    "lifecycle", "verb", "time-limit", "callee-hangup", "stream", "script"};
constexpr std::array<std::string_view, 12> kKinds = {
    "dial",         "ring-outcome",    "verb-done",   "gather-input", "gather-timeout",
    "dial-timeout", "dial-time-limit", "record-done", "time-limit",   "callee-hangup",
    "stream-tick",  "script-turn"};

static_assert(kPhases.size() == static_cast<size_t>(Phase::kConnect) + 1, "a name a phase");
static_assert(kKinds.size() == static_cast<size_t>(TimerKind::kScriptTurn) + 1,
              "a name a timer kind");

// The enumerator whose name is `name`, the names being in the enumeration's order.
template <class Enum, size_t N>
std::optional<Enum> named(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Phase p) { return kPhases[static_cast<size_t>(p)]; }
std::optional<Phase> phase_from(std::string_view name) { return named<Phase>(kPhases, name); }
std::string_view to_string(TimerSlot s) { return kSlots[static_cast<size_t>(s)]; }
std::optional<TimerSlot> timer_slot_from(std::string_view name) {
  return named<TimerSlot>(kSlots, name);
}
std::string_view to_string(TimerKind k) { return kKinds[static_cast<size_t>(k)]; }
std::optional<TimerKind> timer_kind_from(std::string_view name) {
  return named<TimerKind>(kKinds, name);
}

std::optional<CallEvent> call_event_from(std::string_view name) {
  for (int i = 0; i < kCallEventCount; ++i) {
    const auto e = static_cast<CallEvent>(i);
    if (to_string(e) == name) return e;
  }
  return std::nullopt;
}

}  // namespace dialtone::core
