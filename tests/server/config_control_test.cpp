// The control API's configuration: behaviors, numbers and limits in the config file.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace dialtone::config {
namespace {

std::string load_json(const std::string& json, Config& c) {
  if (auto err = apply_json(json, "test.json", c); !err.empty()) return err;
  return validate(c);
}

TEST(ConfigControl, BehaviorsAndNumbers) {
  Config c;
  ASSERT_EQ(load_json(R"({
    "behaviors": [
      {"number": "+14155550100", "outcome": "busy", "answer_after": 3, "gather": ["1", "speech:hi"],
       "hangup_after": 20, "record_seconds": 7, "answered_by": "machine_start"},
      {"number": "^\\+44", "outcome": "no-answer"},
      {"default": true, "outcome": "answer", "answer_after": 2}],
    "numbers": [{"phone_number": "+14155550700", "voice_url": "https://app.test/voice",
                 "voice_method": "GET", "status_callback": "https://app.test/status"}],
    "limits": {"calls_per_second": 5, "max_concurrent_api_requests": 10}})", c), "");
  ASSERT_EQ(c.behaviors.size(), 3u);
  EXPECT_EQ(c.behaviors[0].outcome, "busy");
  EXPECT_EQ(c.behaviors[0].gather.size(), 2u);
  EXPECT_EQ(*c.behaviors[0].hangup_after_s, 20);
  EXPECT_EQ(c.behaviors[0].record_seconds, 7);
  EXPECT_TRUE(c.behaviors[2].is_default);
  ASSERT_EQ(c.numbers.size(), 1u);
  EXPECT_EQ(c.numbers[0].voice_method, "GET");
  EXPECT_EQ(c.limits.calls_per_second, 5);
  EXPECT_EQ(c.limits.max_concurrent_api_requests, 10);
}

TEST(ConfigControl, BadBehaviorsAndNumbersNameTheProblem) {
  struct Case {
    const char* json;
    const char* needle;
  };
  for (const Case& t : {
           Case{R"({"behaviors": {}})", "behaviors must be an array"},
           Case{R"({"behaviors": [1]})", "behaviors[0] must be an object"},
           Case{R"({"behaviors": [{"number": "+1", "color": "red"}]})", "unknown key 'color'"},
           Case{R"({"behaviors": [{"number": "^(+1"}]})", "invalid regex"},
           Case{R"({"behaviors": [{"number": "+1415", "outcome": "explode"}]})", "outcome"},
           Case{R"({"behaviors": [{"outcome": "busy"}]})", "either"},
           Case{R"({"behaviors": [{"number": "1415"}]})", "neither E.164"},
           Case{R"({"behaviors": [{"number": "+1415", "answer_after": -1}]})", "answer_after"},
           Case{R"({"behaviors": [{"number": "+1415", "gather": [1]}]})", "gather"},
           Case{R"({"numbers": [{}]})", "phone_number is required"},
           Case{R"({"numbers": [{"phone_number": "1415"}]})", "not E.164"},
           Case{R"({"numbers": [{"phone_number": "+1415", "voice_url": "ftp://x"}]})",
                "not an http(s) URL"},
           Case{R"({"numbers": [{"phone_number": "+1415", "voice_method": "PUT"}]})",
                "GET or POST"},
           Case{R"({"numbers": [{"phone_number": "+1415", "account_sid": "AC00"}]})",
                "no such account"},
           Case{R"({"limits": {"calls_per_second": -1}})", "calls_per_second"},
       }) {
    Config c;
    const std::string err = load_json(t.json, c);
    EXPECT_NE(err.find(t.needle), std::string::npos) << t.json << " -> " << err;
  }
}

TEST(ConfigControl, LimitsFromEnvAndFlags) {
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "DIALTONE_LIMITS_CALLS_PER_SECOND") return "3";
    return std::nullopt;
  };
  auto r = load({"--limits-max-concurrent-api-requests", "7"}, env);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.limits.calls_per_second, 3);
  EXPECT_EQ(r.config.limits.max_concurrent_api_requests, 7);
}

}  // namespace
}  // namespace dialtone::config
