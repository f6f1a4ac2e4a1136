// Findings of the libFuzzer harnesses (tests/fuzz), replayed through the same harness code in
// the plain build, and every seed of their corpora as a smoke test.
#include <string>

#include "api/form.hpp"
#include "tests/fuzz/fuzz_auth.hpp"
#include "tests/fuzz/fuzz_clip.hpp"
#include "tests/fuzz/fuzz_form.hpp"
#include "tests/fuzz/fuzz_route.hpp"
#include "tests/fuzz/fuzz_stream.hpp"
#include "tests/fuzz/fuzz_twilio_api.hpp"
#include "tests/fuzz/regression_support.hpp"

namespace dialtone::fuzz {
namespace {

using namespace std::string_literals;

class ApiFuzzRegressionTest : public FuzzRegressionTest {};

// fuzz_twilio_api: a form value with a C0 control (%01) is echoed in an XML error message;
// XmlWriter copied it raw, giving a body no XML parser accepts.
TEST_F(ApiFuzzRegressionTest, ControlCharacterInFormValueKeepsXmlWellFormed) {
  replay(run_twilio_api,
         "POST /2010-04-01/Accounts/{AC}/Calls.xml\n"
         "To=%2B14155550100&From=%2B15005550006&Url=https://a.test/&StatusCallback=https://a.test/%01\n");
}

// fuzz_twilio_api (minimized from the original crash): a NUL in the request path, echoed by
// the 404's XML body.
TEST_F(ApiFuzzRegressionTest, NulInUnknownPathKeepsXmlWellFormed) {
  replay(run_twilio_api, "GET /2010-04-01/Accounts/{AC}/Calls.json\0\n\n"s);
}

// fuzz_route (seventeenth session, a fresh clone's run): a recording with two media suffixes,
// ".mp3.wav", was matched with both stripped (media "mp3"); Twilio names no such path.
TEST_F(ApiFuzzRegressionTest, RecordingWithTwoMediaSuffixesIsNoRoute) {
  replay(run_route,
         "GET /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Recordings/"
         "REcccccccccccccccccccccccccccccccc.mp3.wav");
}

TEST_F(ApiFuzzRegressionTest, FormCorpus) { replay_corpus(run_form, "form"); }
TEST_F(ApiFuzzRegressionTest, RouteCorpus) { replay_corpus(run_route, "route"); }
TEST_F(ApiFuzzRegressionTest, AuthCorpus) { replay_corpus(run_auth, "auth"); }
TEST_F(ApiFuzzRegressionTest, TwilioApiCorpus) { replay_corpus(run_twilio_api, "twilio_api"); }
TEST_F(ApiFuzzRegressionTest, StreamCorpus) { replay_corpus(run_stream, "stream"); }
TEST_F(ApiFuzzRegressionTest, ClipCorpus) { replay_corpus(run_clip, "clip"); }

}  // namespace
}  // namespace dialtone::fuzz
