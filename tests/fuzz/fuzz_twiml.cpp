// libFuzzer entry point; the harness itself is run_twiml() in fuzz_twiml.hpp.
#include "tests/fuzz/fuzz_twiml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_twiml(data, size);
  return 0;
}
