// Findings of fuzz_twiml (tests/fuzz), replayed through the same harness code in the plain
// build, and every seed of its corpus as a smoke test.
#include <string>

#include "tests/fuzz/fuzz_twiml.hpp"
#include "tests/fuzz/regression_support.hpp"

namespace dialtone::fuzz {
namespace {

class TwimlFuzzRegressionTest : public FuzzRegressionTest {};

TEST_F(TwimlFuzzRegressionTest, TwimlCorpus) { replay_corpus(run_twiml, "twiml"); }

}  // namespace
}  // namespace dialtone::fuzz
