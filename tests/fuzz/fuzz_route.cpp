// libFuzzer entry point; the harness itself is run_route() in fuzz_route.hpp.
#include "tests/fuzz/fuzz_route.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_route(data, size);
  return 0;
}
