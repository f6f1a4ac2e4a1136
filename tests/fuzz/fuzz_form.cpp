// libFuzzer entry point; the harness itself is run_form() in fuzz_form.hpp.
#include "tests/fuzz/fuzz_form.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_form(data, size);
  return 0;
}
