// libFuzzer entry point; the harness itself is run_stream() in fuzz_stream.hpp.
#include "tests/fuzz/fuzz_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_stream(data, size);
  return 0;
}
