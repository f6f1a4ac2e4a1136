// libFuzzer entry point; the harness itself is run_config() in fuzz_config.hpp.
#include "tests/fuzz/fuzz_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_config(data, size);
  return 0;
}
