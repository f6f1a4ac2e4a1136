// The interpreter tests' fixture: serves a document, runs a call to it and measures time from
// its answer. Shared by interpreter_test.cpp and the queue tests (queue_engine_test.cpp).
#pragma once

#include <chrono>
#include <string>

#include "tests/core/engine_fixture.hpp"

namespace dialtone::core::testing {

inline const std::string kNext = kApp + "/next";
inline const std::string kFallback = kApp + "/fallback";
inline const std::string kAgent = "+14155550777";  // the number a <Dial> calls
inline const std::string kAgentApp = kApp + "/agent";

inline std::string doc(const std::string& verbs) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>" + verbs + "</Response>";
}

class Interpreter : public EngineTest {
 protected:
  // Serves `verbs` at /voice, creates a call to it and lets it be answered (1 s later).
  std::string run(const std::string& verbs, CreateCall request = {}) {
    on_twiml(kVoice, doc(verbs));
    if (request.account_sid.empty()) request = call_request(kVoice);
    const std::string sid = create(request);
    advance(1);
    answered_at_ = call(sid).start_time.value_or(TimePoint{});
    EXPECT_TRUE(call(sid).start_time) << "the call was not answered";
    return sid;
  }
  // Seconds since the call was answered.
  double since_answer() const {
    return std::chrono::duration<double>(now() - answered_at_).count();
  }
  // Runs until just before `seconds` after answer, checks the call is still up, then steps
  // onto it and checks it ended: the verbs took exactly that long.
  void expect_ends_after(const std::string& sid, double after_s) {
    advance(after_s - since_answer() - 0.001);
    EXPECT_EQ(status(sid), CallStatus::kInProgress) << "ended before " << after_s << " s";
    advance(0.001);
    EXPECT_EQ(status(sid), CallStatus::kCompleted) << "still up at " << after_s << " s";
  }
  std::string child_of(const std::string& parent) {
    const Call& p = call(parent);
    if (p.child_sids.empty()) {
      ADD_FAILURE() << "no <Dial> leg";
      return {};
    }
    return p.child_sids.back();
  }

  TimePoint answered_at_{};
};

}  // namespace dialtone::core::testing
