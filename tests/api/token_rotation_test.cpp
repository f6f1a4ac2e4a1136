// Token rotation: a secondary auth token accepted beside the primary, promoted to primary
// (after which the old primary is refused with 20003), through the control API's handlers and
// through Twilio's own /v1/AuthTokens endpoints.
#include <gtest/gtest.h>

#include "api/control_accounts.hpp"
#include "api/twilio/auth_tokens.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class TokenRotationTest : public ApiTest {
 protected:
  int list_status(const std::string& token) {
    return send("GET", kCalls + ".json", {}, basic(kAc, token)).status;
  }

  Response tokens(std::string method, std::string path, const std::string& auth) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(path);
    r.authorization = auth;
    changed_ = false;
    return handle_auth_tokens(engine_, r, changed_);
  }

  bool changed_ = false;
};

TEST_F(TokenRotationTest, SecondaryIsAcceptedThenPromoted) {
  EXPECT_EQ(list_status("second-token"), 401);
  Response r = set_secondary_token(engine_, kAc, fields({{"Token", "second-token"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = parse_json(r.body);
  EXPECT_EQ(body["account_sid"].GetString(), kAc);
  EXPECT_STREQ(body["secondary_auth_token"].GetString(), "second-token");
  EXPECT_FALSE(body.HasMember("auth_token"));

  EXPECT_EQ(list_status(kToken), 200);
  EXPECT_EQ(list_status("second-token"), 200);
  // Only the account's own path: the secondary token opens nothing else.
  EXPECT_EQ(send("GET", "/2010-04-01/Accounts/" + kOther + "/Calls.json", {},
                 basic(kOther, "second-token"))
                .status,
            401);

  r = promote_secondary_token(engine_, kAc);
  ASSERT_EQ(r.status, 200) << r.body;
  body = parse_json(r.body);
  EXPECT_STREQ(body["auth_token"].GetString(), "second-token");
  EXPECT_TRUE(body["secondary_auth_token"].IsNull());
  EXPECT_EQ(engine_.accounts().find(kAc)->auth_token, "second-token");

  Response old = send("GET", kCalls + ".json", {}, basic(kAc, kToken));
  EXPECT_EQ(old.status, 401);
  EXPECT_EQ(parse_json(old.body)["code"].GetInt(), 20003);
  EXPECT_EQ(list_status("second-token"), 200);
}

TEST_F(TokenRotationTest, ControlHandlersRefuseWhatCannotBe) {
  const std::string nobody = "AC99999999999999999999999999999999";
  EXPECT_EQ(set_secondary_token(engine_, nobody, fields({})).status, 404);
  EXPECT_EQ(delete_secondary_token(engine_, nobody).status, 404);
  EXPECT_EQ(promote_secondary_token(engine_, nobody).status, 404);
  EXPECT_EQ(promote_secondary_token(engine_, kAc).status, 409);  // no secondary yet
  EXPECT_EQ(set_secondary_token(engine_, kAc, fields({{"Token", ""}})).status, 400);
  EXPECT_EQ(set_secondary_token(engine_, kAc, fields({{"Token", "has space"}})).status, 400);
  EXPECT_EQ(set_secondary_token(engine_, kAc, fields({{"Token", std::string(300, 'x')}})).status,
            400);

  // Without Token=, a fresh one in Twilio's shape; DELETE takes it away.
  Response r = set_secondary_token(engine_, kAc, fields({}));
  ASSERT_EQ(r.status, 201);
  const std::string fresh = parse_json(r.body)["secondary_auth_token"].GetString();
  EXPECT_EQ(fresh.size(), 32u);
  EXPECT_EQ(list_status(fresh), 200);
  r = delete_secondary_token(engine_, kAc);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(parse_json(r.body)["secondary_auth_token"].IsNull());
  EXPECT_EQ(list_status(fresh), 401);
  EXPECT_EQ(list_status(kToken), 200);
}

TEST_F(TokenRotationTest, TwiliosAuthTokensEndpoints) {
  const std::string auth = basic(kAc, kToken);
  EXPECT_TRUE(is_auth_tokens_path("/v1/AuthTokens/Secondary"));
  EXPECT_TRUE(is_auth_tokens_path("/v1/AuthTokens"));
  EXPECT_FALSE(is_auth_tokens_path("/v1/AuthTokensX"));

  Response created = tokens("POST", "/v1/AuthTokens/Secondary", auth);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(changed_);
  auto body = parse_json(created.body);
  EXPECT_EQ(keys_of(body), (std::vector<std::string>{"account_sid", "date_created", "date_updated",
                                                     "secondary_auth_token", "url"}));
  EXPECT_EQ(body["account_sid"].GetString(), kAc);
  EXPECT_STREQ(body["url"].GetString(), "https://accounts.twilio.com/v1/AuthTokens/Secondary");
  const std::string secondary = body["secondary_auth_token"].GetString();
  EXPECT_EQ(secondary.size(), 32u);
  EXPECT_EQ(list_status(secondary), 200);

  Response wrong_method = tokens("GET", "/v1/AuthTokens/Secondary", auth);
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(tokens("POST", "/v1/AuthTokens/Nope", auth).status, 404);
  Response anonymous = tokens("POST", "/v1/AuthTokens/Promote", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_FALSE(changed_);

  // The secondary's own credentials may promote it.
  Response promoted = tokens("POST", "/v1/AuthTokens/Promote", basic(kAc, secondary));
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  body = parse_json(promoted.body);
  EXPECT_EQ(keys_of(body), (std::vector<std::string>{"account_sid", "auth_token", "date_created",
                                                     "date_updated", "url"}));
  EXPECT_EQ(body["auth_token"].GetString(), secondary);
  EXPECT_EQ(list_status(kToken), 401);

  const std::string now_auth = basic(kAc, secondary);
  Response again = tokens("POST", "/v1/AuthTokens/Promote", now_auth);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(parse_json(again.body)["code"].GetInt(), 20001);
  EXPECT_EQ(tokens("DELETE", "/v1/AuthTokens/Secondary", now_auth).status, 404);
  ASSERT_EQ(tokens("POST", "/v1/AuthTokens/Secondary", now_auth).status, 201);
  Response deleted = tokens("DELETE", "/v1/AuthTokens/Secondary", now_auth);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_TRUE(engine_.accounts().find(kAc)->secondary_auth_token.empty());
}

}  // namespace
}  // namespace dialtone::api::testing
