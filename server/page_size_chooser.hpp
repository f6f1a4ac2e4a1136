// Which page size dt-prefault faults the heap in with (server/tcmalloc_huge_pages.hpp): the one
// that has cost it less CPU per 2 MiB lately, trying the other now and then.
//
// Why measure rather than choose once: what new memory costs depends on the machine, and the
// two VMs dialtone has been measured on disagree. On one (twelfth session, bench/RESULTS.md) a
// 4 KiB fault cost 10-13 us and a 2 MiB page 0.2-0.5 us per 4 KiB; on another (fourteenth) a
// 4 KiB fault cost ~2 us and a fresh 2 MiB page 8-10 us per 4 KiB, and in-memory creates went
// from 28-43k/s at p99 5.6-6.8 ms with huge pages always to 40-53k/s at 2.7-3.3 ms with this
// choice. bench/first_touch prints what this machine does.
//
// The estimate per size is a moving average (weight 1/4 for each new measurement) of the CPU
// time one 2 MiB chunk took to populate. Each size is tried once first; after that every
// kExploreEvery-th chunk goes to the size not preferred, so that a change (the host backing
// memory, or no longer) is noticed within a few chunks.
// Thread-safety: none; dt-prefault alone uses it.
#pragma once

#include <cstdint>

namespace dialtone::server {

class PageSizeChooser {
 public:
  static constexpr uint32_t kExploreEvery = 16;

  // True: fault the next chunk in as one huge page; false: as 4 KiB pages.
  bool next_huge() {
    ++chunks_;
    if (cost_[0] < 0) return false;
    if (cost_[1] < 0) return true;
    const bool huge_cheaper = cost_[1] < cost_[0];
    return chunks_ % kExploreEvery == 0 ? !huge_cheaper : huge_cheaper;
  }

  // What populating one chunk of that size took (microseconds of the thread's CPU).
  void record(bool huge, double us) {
    double& c = cost_[huge ? 1 : 0];
    c = c < 0 ? us : c + (us - c) / 4;
  }

  // Microseconds per chunk; negative until measured.
  double cost(bool huge) const { return cost_[huge ? 1 : 0]; }

 private:
  double cost_[2] = {-1, -1};  // 4 KiB pages, huge pages
  uint32_t chunks_ = 0;
};

}  // namespace dialtone::server
