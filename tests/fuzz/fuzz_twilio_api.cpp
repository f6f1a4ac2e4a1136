// libFuzzer entry point; the harness itself is run_twilio_api() in fuzz_twilio_api.hpp.
#include "tests/fuzz/fuzz_twilio_api.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dialtone::fuzz::run_twilio_api(data, size);
  return 0;
}
