// libFuzzer entry point; the harness itself is run_auth() in fuzz_auth.hpp.
#include "tests/fuzz/fuzz_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_auth(data, size);
  return 0;
}
