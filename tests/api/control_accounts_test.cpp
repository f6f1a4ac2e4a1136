// POST/GET /_dialtone/accounts, and that a created (sub)account works with Twilio's auth.
#include "api/control_accounts.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

class ControlAccountsTest : public ApiTest {};

TEST_F(ControlAccountsTest, CreatesAnIsolatedAccountWithTokenAndKey) {
  Response r = create_account(engine_, fields({{"FriendlyName", "test 1"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto a = parse_json(r.body);
  const std::string sid = a["sid"].GetString();
  EXPECT_TRUE(core::is_sid(sid, "AC"));
  EXPECT_EQ(a["owner_account_sid"].GetString(), sid);
  EXPECT_STREQ(a["friendly_name"].GetString(), "test 1");
  EXPECT_EQ(std::string(a["auth_token"].GetString()).size(), 32u);
  EXPECT_TRUE(core::is_sid(a["api_key_sid"].GetString(), "SK"));

  // It works with its token and with its key, and sees none of the main account's calls.
  create();
  const std::string calls = "/2010-04-01/Accounts/" + sid + "/Calls.json";
  Response list = send("GET", calls, {}, basic(sid, a["auth_token"].GetString()));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parse_json(list.body)["calls"].Size(), 0u);
  EXPECT_EQ(send("GET", calls, {}, basic(a["api_key_sid"].GetString(),
                                         a["api_key_secret"].GetString())).status, 200);
  // The main account's credentials do not open it.
  EXPECT_EQ(send("GET", calls).status, 401);
}

TEST_F(ControlAccountsTest, SubaccountIsOpenedByItsOwner) {
  Response r = create_account(engine_, fields({{"OwnerAccountSid", kAc}}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto a = parse_json(r.body);
  const std::string sid = a["sid"].GetString();
  EXPECT_EQ(a["owner_account_sid"].GetString(), kAc);
  const std::string calls = "/2010-04-01/Accounts/" + sid + "/Calls.json";
  EXPECT_EQ(send("GET", calls).status, 200);  // the owner's credentials
  // The subaccount's credentials do not open its owner.
  EXPECT_EQ(send("GET", kCalls + ".json", {}, basic(sid, a["auth_token"].GetString())).status,
            401);
}

TEST_F(ControlAccountsTest, BadInputs) {
  EXPECT_EQ(create_account(engine_, fields({{"OwnerAccountSid", "AC" + std::string(32, 'e')}}))
                .status, 404);
  EXPECT_EQ(create_account(engine_, fields({{"OwnerAccountSid", kSub}})).status, 400);
  EXPECT_EQ(create_account(engine_, fields({{"FriendlyName", std::string(65, 'x')}})).status,
            400);
}

TEST_F(ControlAccountsTest, Lists) {
  create_account(engine_, {});
  auto list = parse_json(list_accounts(engine_).body);
  EXPECT_EQ(list["accounts"].Size(), 4u);
}

}  // namespace
}  // namespace dialtone::api::testing
