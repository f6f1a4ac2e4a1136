// What new memory costs on this machine: the first write to each 4 KiB page of a fresh
// anonymous mapping advised for huge pages (as dialtone's heap may be), the same again at once
// (the pages the first pass freed), and a fresh mapping in 4 KiB pages.
//
// Why it matters: every byte a request leaves behind (a created call, a journal event, a queued
// callback) is new memory for the process, and what that costs differs between machines by
// more than anything dialtone's code changes. On the fourteenth session's VM: huge pages
// 8-10.7 us per 4 KiB when fresh, 0.35-0.43 when just freed, 4 KiB pages ~2 us; the guest
// gives freed memory back to the host within seconds, so a new process pays the fresh price.
// On the twelfth session's VM 4 KiB pages cost 10-13 us and huge pages 0.2-0.5. dt-prefault
// measures this itself and keeps the cheaper size (server/page_size_chooser.hpp).
//
//   first_touch [MiB]    (default 256)
// Prints: "first_touch_us_per_4k X reuse_us_per_4k Y small_pages_us_per_4k Z (N MiB)".
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr size_t kPage = 4096;

// Microseconds per 4 KiB page to write one byte in each page of a new mapping of `bytes`,
// advised for huge pages as dialtone's heap is (server/tcmalloc_huge_pages.hpp) or not.
double touch_us_per_page(size_t bytes, bool huge) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
  if (huge) ::madvise(p, bytes, MADV_HUGEPAGE);
  auto* bytes_p = static_cast<volatile char*>(p);
  const auto start = std::chrono::steady_clock::now();
  for (size_t at = 0; at < bytes; at += kPage) bytes_p[at] = 1;
  const auto took = std::chrono::steady_clock::now() - start;
  ::munmap(p, bytes);
  return std::chrono::duration<double, std::micro>(took).count() /
         static_cast<double>(bytes / kPage);
}

}  // namespace

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::atol(argv[1]) : 256;
  if (mib <= 0) {
    std::fprintf(stderr, "usage: first_touch [MiB]\n");
    return 2;
  }
  const size_t bytes = static_cast<size_t>(mib) << 20;
  const double first = touch_us_per_page(bytes, true);
  const double reuse = touch_us_per_page(bytes, true);  // the pages the first pass just freed
  const double small = touch_us_per_page(bytes, false);
  std::printf("first_touch_us_per_4k %.2f reuse_us_per_4k %.2f small_pages_us_per_4k %.2f "
              "(%ld MiB)\n", first, reuse, small, mib);
  return 0;
}
