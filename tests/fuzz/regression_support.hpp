// For the *_regression_test.cpp files: replays fuzz inputs through the harnesses in the plain
// GoogleTest build, with failed FUZZ_CHECKs reported as test failures instead of aborts.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

inline void fail_test(const char* condition, const char* file, int line) {
  ADD_FAILURE_AT(file, line) << "FUZZ_CHECK failed: " << condition;
}

// Installs fail_test for the lifetime of a test.
class FuzzRegressionTest : public ::testing::Test {
 protected:
  FuzzRegressionTest() { failure_handler = &fail_test; }
  ~FuzzRegressionTest() override { failure_handler = &abort_on_failure; }

  template <class Harness>
  static void replay(Harness harness, std::string_view input) {
    harness(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }

  // Every seed of tests/fuzz/corpus/<name>, so that the plain build runs each harness too.
  template <class Harness>
  static void replay_corpus(Harness harness, const std::string& name) {
    const auto dir = std::filesystem::path(DIALTONE_SOURCE_DIR) / "tests/fuzz/corpus" / name;
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
    ASSERT_FALSE(files.empty()) << dir;
    for (const auto& f : files) {
      SCOPED_TRACE(f.string());
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      replay(harness, ss.str());
    }
  }
};

}  // namespace dialtone::fuzz
