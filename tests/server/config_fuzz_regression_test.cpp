// Findings of fuzz_config (tests/fuzz), replayed through the same harness code in the plain
// build, and every seed of its corpus. Here rather than in tests/api or tests/core because
// this is the test binary that links dialtone_config.
#include <string>

#include "config/config.hpp"
#include "tests/fuzz/fuzz_config.hpp"
#include "tests/fuzz/regression_support.hpp"

namespace dialtone::fuzz {
namespace {

using namespace std::string_literals;

class ConfigFuzzRegressionTest : public FuzzRegressionTest {};

// fuzz_config: DIALTONE_CLOCK_SPEED=nan was accepted (strtod parses "nan", and NaN compares
// false to both bounds), leaving a NaN speed factor for the clock.
TEST_F(ConfigFuzzRegressionTest, NanClockSpeedFromEnvironmentIsRejected) {
  replay(run_config, "\x03" "DIALTONE_CLOCK_SPEED=nan"s);
  const auto r = config::load({}, [](const std::string& name) -> std::optional<std::string> {
    if (name == "DIALTONE_CLOCK_SPEED") return "nan";
    return std::nullopt;
  });
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("clock_speed"), std::string::npos) << r.error;
}

TEST_F(ConfigFuzzRegressionTest, NanClockSpeedFlagIsRejected) {
  replay(run_config, "\x02--clock-speed=-nan"s);
  const auto r = config::load({"--clock-speed", "nan"},
                              [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_FALSE(r.ok());
}

TEST_F(ConfigFuzzRegressionTest, ConfigCorpus) { replay_corpus(run_config, "config"); }

}  // namespace
}  // namespace dialtone::fuzz
