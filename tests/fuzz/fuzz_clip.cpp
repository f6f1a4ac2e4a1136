// libFuzzer entry point; the harness itself is run_clip() in fuzz_clip.hpp.
#include "tests/fuzz/fuzz_clip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_clip(data, size);
  return 0;
}
