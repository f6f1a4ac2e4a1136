#include "server/tcmalloc_huge_pages.hpp"

#include <gperftools/malloc_extension.h>
#include <sys/mman.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <thread>

#include "server/background_thread.hpp"
#include "server/page_size_chooser.hpp"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace dialtone::server {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
constexpr uintptr_t kRegion = uintptr_t{64} << 20;
constexpr uintptr_t kAhead = uintptr_t{8} << 20;  // populated ahead of what tcmalloc has

// Hands tcmalloc its memory from 64 MiB regions and has a thread of its own fault in the next
// kAhead bytes before tcmalloc touches them, 2 MiB at a time, each chunk in the page size that
// has cost that thread less lately (PageSizeChooser). tcmalloc calls Alloc under its own lock;
// Alloc allocates nothing and takes no lock: it publishes the range it wants and bumps a
// counter the thread waits on: a lock the thread could be preempted holding would stall every
// allocation of the I/O threads behind it.
class HugePageRegions final : public SysAllocator {
 public:
  explicit HugePageRegions(SysAllocator* fallback) : fallback_(fallback) {
    populater_ = std::thread([this] { populate(); });
  }

  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    if (size > kRegion / 4 || alignment > kHugePage) {
      return fallback_->Alloc(size, actual_size, alignment);
    }
    uintptr_t start = (next_ + alignment - 1) & ~(uintptr_t{alignment} - 1);
    if (next_ == 0 || start + size > end_) {
      if (!map_region()) return fallback_->Alloc(size, actual_size, alignment);
      start = next_;
    }
    next_ = start + size;
    if (actual_size != nullptr) *actual_size = size;
    wanted_from_.store(next_, std::memory_order_relaxed);
    wanted_to_.store(next_ + kAhead < end_ ? next_ + kAhead : end_, std::memory_order_relaxed);
    wanted_.fetch_add(1, std::memory_order_release);
    wanted_.notify_one();
    return reinterpret_cast<void*>(start);
  }

 private:
  bool map_region() {
    void* p = ::mmap(nullptr, kRegion + kHugePage, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
    const auto raw = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (raw + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > raw) ::munmap(p, aligned - raw);
    const uintptr_t tail = raw + kRegion + kHugePage - (aligned + kRegion);
    if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + kRegion), tail);
    next_ = aligned;
    end_ = aligned + kRegion;
    return true;
  }

  // Faults in [wanted_from_, wanted_to_) rounded out to whole 2 MiB chunks (regions are
  // 2 MiB-aligned), advising each chunk for huge pages or against them first; pages already
  // there cost a page-table walk. MADV_POPULATE_WRITE never writes to the memory, and advice
  // only changes how later faults are served, so the pages tcmalloc has already handed out
  // are safe. A chunk tcmalloc touches before this thread gets to it has no advice: 4 KiB
  // faults (or the system's THP "always"), never a 2 MiB stall on an I/O thread. On a kernel
  // without MADV_POPULATE_WRITE (before 5.14) the thread stops, and the I/O threads take their
  // faults as before.
  //
  // The two ends are read apart from each other: a read between Alloc's two stores may pair a
  // new region's start with the old one's end, which populates nothing, and the bump that
  // follows the stores brings the thread back to read both again.
  void populate() {
    mark_background_thread("dt-prefault");
    uintptr_t done_from = 0, done_to = 0;
    for (;;) {
      const uint32_t seen = wanted_.load(std::memory_order_acquire);
      const uintptr_t wanted_from = wanted_from_.load(std::memory_order_relaxed);
      const uintptr_t wanted_to = wanted_to_.load(std::memory_order_relaxed);
      if (wanted_to <= done_to && wanted_from >= done_from) {
        wanted_.wait(seen, std::memory_order_acquire);
        continue;
      }
      uintptr_t from = wanted_from & ~(kHugePage - 1);
      const uintptr_t to = (wanted_to + kHugePage - 1) & ~(kHugePage - 1);
      if (from >= done_from && from < done_to) from = done_to;  // the same region, further on
      done_from = wanted_from;
      done_to = to;
      for (uintptr_t at = from; at < to; at += kHugePage) {
        auto* chunk = reinterpret_cast<void*>(at);
        const bool huge = chooser_.next_huge();
        ::madvise(chunk, kHugePage, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
        const double start = thread_cpu_us();
        while (::madvise(chunk, kHugePage, MADV_POPULATE_WRITE) != 0) {
          if (errno != EINTR) return;
        }
        chooser_.record(huge, thread_cpu_us() - start);
      }
    }
  }

  // Preemption does not count: only what the faults cost this thread.
  static double thread_cpu_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
  }

  SysAllocator* const fallback_;
  uintptr_t next_ = 0;  // guarded by tcmalloc's lock
  uintptr_t end_ = 0;   // guarded by tcmalloc's lock
  // What tcmalloc has asked for so far: written by Alloc, read by the thread.
  std::atomic<uintptr_t> wanted_from_{0}, wanted_to_{0};
  std::atomic<uint32_t> wanted_{0};  // bumped after each new range; the thread waits on it
  PageSizeChooser chooser_;          // dt-prefault's alone
  std::thread populater_;                      // runs as long as the process
};

}  // namespace

bool use_huge_pages_for_heap() {
  MallocExtension* ext = MallocExtension::instance();
  SysAllocator* current = ext->GetSystemAllocator();
  if (current == nullptr) return false;
  // Never destroyed: the heap outlives every static.
  static auto* regions = new HugePageRegions(current);
  ext->SetSystemAllocator(regions);
  return true;
}

}  // namespace dialtone::server
