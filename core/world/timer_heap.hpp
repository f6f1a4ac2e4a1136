// The timers of one account's world, fired by due time, then by the order they were armed.
// Each world has its own, read against its own clock, so advancing one account's clock fires
// that account's timers and no other's.
// Thread-safety: none (owned by the Engine).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>

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

// The world's timers in firing order: a min-heap, and in front of it a lane of timers that
// came in already in order and due no later than anything in the heap.
// Why the lane: every create arms its dial due now, the earliest timer of the world, and fires
// it in the same hold. In the heap that meant sifting it up to the root and back down to a
// leaf: ~20 levels each way at a million timers (every ringing call holds one), each level a
// cache miss at the bottom of the heap. The lane takes it and gives it back in O(1).
// A timer goes to the lane when it is due no later than the heap's first and no earlier than
// the lane's last (ties by arming order, as everywhere): the lane stays sorted, and next() is
// the earlier of the two fronts.
class TimerHeap {
 public:
  void push(const Timer& t) {
    const bool after_lane = lane_.empty() || !(lane_.back() > t);
    const bool before_heap = heap_.empty() || !(t > heap_.front());
    if (after_lane && before_heap) {
      lane_.push_back(t);
      return;
    }
    heap_.push_back(t);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }

  bool empty() const { return lane_.empty() && heap_.empty(); }
  size_t size() const { return lane_.size() + heap_.size(); }

  // The timer that fires first; there must be one.
  const Timer& next() const { return from_lane() ? lane_.front() : heap_.front(); }

  // Removes and returns next().
  Timer pop() {
    if (from_lane()) {
      const Timer t = lane_.front();
      lane_.pop_front();
      return t;
    }
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    const Timer t = heap_.back();
    heap_.pop_back();
    return t;
  }

  void clear() {
    heap_.clear();
    lane_.clear();
  }

  // Every timer, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Timer& t : lane_) f(t);
    for (const Timer& t : heap_) f(t);
  }

  // Removes the timers pred is true for.
  template <class Pred>
  void erase_if(Pred pred) {
    std::erase_if(lane_, pred);  // the rest keep their order
    heap_.erase_if(pred);
    std::make_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }

  size_t live = 0;  // entries that will fire; the rest are stale

 private:
  bool from_lane() const {
    if (lane_.empty()) return false;
    return heap_.empty() || heap_.front() > lane_.front();
  }

  // 4 KiB segments: a world costs one once it has a timer, and a suite may make thousands of
  // accounts; the heap of a busy world still grows one small segment at a time.
  SegmentedVector<Timer, 4096> heap_;  // std::push_heap/pop_heap with std::greater
  // Sorted. A deque, not a vector: a lane of a million timers (TimeLimits armed in order)
  // never moves them to grow, and gives back memory as they fire.
  std::deque<Timer> lane_;
};

}  // namespace dialtone::core
