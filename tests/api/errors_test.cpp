#include "api/errors.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

using ErrorsTest = ApiTest;

TEST_F(ErrorsTest, UnknownCallIs404WithTheRequestedPath) {
  const std::string path = kCalls + "/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json";
  for (const char* method : {"GET", "POST"}) {
    const Response r = send(method, path + "?x=1", "Status=completed");
    EXPECT_EQ(r.status, 404);
    const auto body = parse_json(r.body);
    const auto& expected = observed_error("unknown Call SID");
    EXPECT_EQ(keys_of(body), keys_of(expected));
    EXPECT_TRUE(body == expected) << r.body;
    EXPECT_EQ(r.call_sid, "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  }
  EXPECT_EQ(send("DELETE", path).status, 404);
}

TEST_F(ErrorsTest, UnknownPathIs404AfterAuth) {
  Response r = send("GET", "/2010-04-01/Accounts/" + kAc + "/Messages.json");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"code\": 20404, \"message\": \"The requested resource /2010-04-01/"
                    "Accounts/" + kAc + "/Messages.json was not found\", \"more_info\": "
                    "\"https://www.twilio.com/docs/errors/20404\", \"status\": 404}");
  r = send("GET", "/2010-04-01/Nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_EQ(r.body,
            "<?xml version='1.0' encoding='UTF-8'?>\n<TwilioResponse><RestException><Code>20404"
            "</Code><Message>The requested resource /2010-04-01/Nope was not found</Message>"
            "<MoreInfo>https://www.twilio.com/docs/errors/20404</MoreInfo><Status>404</Status>"
            "</RestException></TwilioResponse>");
  EXPECT_EQ(send("GET", "/2010-04-01/Nope", {}, "").status, 401);
}

TEST_F(ErrorsTest, WrongMethodIs405WithAllow) {
  Response r = send("PUT", kCalls + ".json");
  EXPECT_EQ(r.status, 405);
  ASSERT_NE(header(r, "Allow"), nullptr);
  EXPECT_EQ(*header(r, "Allow"), "GET, POST");
  const auto body = parse_json(r.body);
  EXPECT_EQ(body["code"].GetInt(), 20004);
  EXPECT_STREQ(body["message"].GetString(), "Method not allowed");
  r = send("DELETE", kCalls + "/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Events.json");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(*header(r, "Allow"), "GET");
}

TEST_F(ErrorsTest, MalformedBodyIs400) {
  Response r = send("POST", kCalls + ".json", "To=%ZZ");
  EXPECT_EQ(r.status, 400);
  r = send("GET", kCalls + ".json?To=%FF");
  EXPECT_EQ(r.status, 400);
}

TEST(ErrorRenderTest, CodeZeroLeavesOutCodeAndMoreInfo) {
  const core::TwilioError e{500, 0, "Internal <error> & more", {}};
  EXPECT_EQ(error_json(e), "{\"message\": \"Internal <error> & more\", \"status\": 500}");
  EXPECT_EQ(error_xml(e),
            "<?xml version='1.0' encoding='UTF-8'?>\n<TwilioResponse><RestException>"
            "<Message>Internal &lt;error&gt; &amp; more</Message><Status>500</Status>"
            "</RestException></TwilioResponse>");
}

}  // namespace
}  // namespace dialtone::api::testing
