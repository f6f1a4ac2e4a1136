// The timers of one account's world: a min-heap by due time, then by the order they were armed.
// Each world has its own, read against its own clock, so advancing one account's clock fires
// that account's timers and no other's.
// Thread-safety: none (owned by the Engine).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/segmented_vector.hpp"
#include "core/time.hpp"

namespace dialtone::core {

struct CallRecord;

// Independent timers a call can have at once; arming one replaces the previous timer in the
// same slot (stale entries are skipped by generation).
enum class TimerSlot : uint8_t {
  kLifecycle, kVerb, kTimeLimit, kCalleeHangup, kStream, kScript, kCount
};

enum class TimerKind : uint8_t {
  kDial,           // queued -> ringing
  kRingOutcome,    // the callee answers / is busy / fails / does not answer
  kVerbDone,       // Say, Play, Pause finished
  kGatherInput,    // the scripted callee presses its digits or speaks
  kGatherTimeout,  // Gather waited long enough
  kDialTimeout,    // nobody answered the <Dial> in time
  kDialTimeLimit,  // <Dial timeLimit> reached
  kRecordDone,     // <Record> finished
  kTimeLimit,      // the call's TimeLimit
  kCalleeHangup,   // the scripted callee hangs up
  kStreamTick,     // the call's Media Streams owe their next 20 ms frame
  kScriptTurn,     // the scripted callee's next turn (core/callee/)
};

// 32 bytes and no heap: a million calls each leave a 4-hour TimeLimit timer behind. `rec` stays
// valid while the timer is in a heap: a removed record waits in Impl::graveyard until no timer
// points at it any more.
struct Timer {
  TimePoint due;
  uint64_t seq;  // ties fire in the order they were armed
  CallRecord* rec;
  uint32_t gen;
  TimerSlot slot;
  TimerKind kind;
  bool operator>(const Timer& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

struct TimerHeap {
  // 4 KiB segments: a world costs one once it has a timer, and a suite may make thousands of
  // accounts; the heap of a busy world still grows one small segment at a time.
  SegmentedVector<Timer, 4096> heap;  // std::push_heap/pop_heap with std::greater
  size_t live = 0;                    // entries that will fire; the rest are stale
};

}  // namespace dialtone::core
