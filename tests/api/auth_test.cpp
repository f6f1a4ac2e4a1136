#include "api/auth.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

using AuthTest = ApiTest;

TEST_F(AuthTest, NoCredentialsMatchesObservedBody) {
  const Response r = send("GET", kCalls + ".json", {}, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  ASSERT_NE(header(r, "WWW-Authenticate"), nullptr);
  EXPECT_EQ(*header(r, "WWW-Authenticate"), "Basic realm=\"Twilio API\"");
  const auto body = parse_json(r.body);
  const auto& expected = observed_error("no credentials");
  EXPECT_EQ(keys_of(body), keys_of(expected));
  EXPECT_TRUE(body == expected) << r.body;
}

TEST_F(AuthTest, BadCredentialsMatchObservedBodies) {
  Response r = send("GET", kCalls + ".json", {}, basic(kAc, "wrong"));
  EXPECT_EQ(r.status, 401);
  const auto body = parse_json(r.body);
  const auto& expected = observed_error("bad credentials");
  EXPECT_EQ(keys_of(body), keys_of(expected));
  EXPECT_TRUE(body == expected) << r.body;
  EXPECT_EQ(r.body,
            "{\"code\": 20003, \"detail\": \"\", \"message\": \"Authenticate\", \"more_info\": "
            "\"https://www.twilio.com/docs/errors/20003\", \"status\": 401}");

  // XML, byte for byte.
  r = send("GET", kCalls, {}, basic(kAc, "wrong"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_EQ(r.body, observed()["xml_errors"][0]["body"].GetString());
  ASSERT_NE(header(r, "WWW-Authenticate"), nullptr);
}

TEST_F(AuthTest, MalformedHeadersAreBadCredentials) {
  for (const std::string& h :
       {std::string("Bearer abc"), std::string("Basic !!!"), "Basic " + base64("nocolon"),
        basic("SK00000000000000000000000000000000", "x"), basic("someone", "x"),
        basic(kAc, ""), basic(kAc, kToken + "x")}) {
    const Response r = send("GET", kCalls + ".json", {}, h);
    EXPECT_EQ(r.status, 401) << h;
    EXPECT_EQ(parse_json(r.body)["message"].GetString(), std::string("Authenticate")) << h;
  }
  // "Basic " + base64(":") carries no credentials at all.
  const Response r = send("GET", kCalls + ".json", {}, basic("", ""));
  EXPECT_EQ(parse_json(r.body)["message"].GetString(),
            std::string("Authentication Error - No credentials provided"));
}

TEST_F(AuthTest, ApiKeyAndSubaccounts) {
  EXPECT_EQ(send("GET", kCalls + ".json", {}, basic(kKey, kKeySecret)).status, 200);
  EXPECT_EQ(send("GET", kCalls + ".json", {}, basic(kKey, "nope")).status, 401);
  // The main account may use its subaccount's path; not the other way round, nor a stranger.
  const std::string sub_calls = "/2010-04-01/Accounts/" + kSub + "/Calls.json";
  EXPECT_EQ(send("GET", sub_calls).status, 200);
  EXPECT_EQ(send("GET", sub_calls, {}, basic(kSub, "subtoken")).status, 200);
  EXPECT_EQ(send("GET", kCalls + ".json", {}, basic(kSub, "subtoken")).status, 401);
  EXPECT_EQ(send("GET", kCalls + ".json", {}, basic(kOther, "othertoken")).status, 401);
  EXPECT_EQ(send("GET", sub_calls, {}, basic(kOther, "othertoken")).status, 401);
}

TEST(AuthHelpersTest, ConstantTimeEqualAndBase64) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal("", ""));
  std::string out;
  EXPECT_TRUE(base64_decode(base64("user:pass"), out));
  EXPECT_EQ(out, "user:pass");
  EXPECT_TRUE(base64_decode("YQ", out));  // padding optional
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(base64_decode("Y", out));
  EXPECT_FALSE(base64_decode("a b", out));
}

}  // namespace
}  // namespace dialtone::api::testing
