// POST/GET /_dialtone/accounts, and that a created (sub)account works with Twilio's auth.
#include "api/control_accounts.hpp"
#include "api/control_behaviors.hpp"
#include "api/control_request.hpp"

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

// How the server reads a world's clock, for the unit tests' shared manual clock.
ClockView manual_view(const core::World& w) { return {"manual", 1.0, w.clock->now()}; }

class ControlAccountsTest : public ApiTest {
 protected:
  // What server/control_api.cpp does for POST /_dialtone/accounts, without the clock's mode.
  Response create_account(core::Engine& engine, const FormFields& p) {
    auto made = parse_new_account(engine, p);
    if (!made) return control_error(made.error());
    engine.accounts().put(made->account);
    const core::Account& a = made->account;
    core::World& world = a.owner_account_sid == a.sid ? engine.create_world(a.sid, made->seed)
                                                      : engine.world(a.sid);
    return account_created(a, world, manual_view);
  }
  int add_behavior_for(const std::string& account, const std::string& number,
                       const std::string& outcome) {
    return add_behavior(engine_.behaviors(account),
                        fields({{"Number", number}, {"Outcome", outcome}})).status;
  }
};

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
  auto list = parse_json(list_accounts(engine_, manual_view).body);
  EXPECT_EQ(list["accounts"].Size(), 4u);
  // Each shows the world it lives in: a subaccount its owner's.
  for (const auto& a : list["accounts"].GetArray()) {
    EXPECT_EQ(a["world_sid"].GetString(), std::string(a["owner_account_sid"].GetString()));
    EXPECT_STREQ(a["clock"]["mode"].GetString(), "manual");
  }
}

TEST_F(ControlAccountsTest, EachRootAccountIsAWorldOfItsOwn) {
  auto a = parse_json(create_account(engine_, {}).body);
  auto sub = parse_json(create_account(engine_, fields({{"OwnerAccountSid",
                                                         a["sid"].GetString()}})).body);
  const std::string sid = a["sid"].GetString();
  EXPECT_EQ(a["world_sid"].GetString(), sid);
  EXPECT_EQ(sub["world_sid"].GetString(), sid);
  // Scripted callees of one world are not another's.
  ASSERT_EQ(add_behavior_for(sid, "+14155550100", "busy"), 201);
  EXPECT_EQ(engine_.behaviors(sid).for_number("+14155550100").outcome, core::Outcome::kBusy);
  EXPECT_EQ(engine_.behaviors(sub["sid"].GetString()).for_number("+14155550100").outcome,
            core::Outcome::kBusy);
  EXPECT_EQ(engine_.behaviors(kAc).for_number("+14155550100").outcome, core::Outcome::kAnswer);
}

TEST_F(ControlAccountsTest, ASeedReproducesTheWorldsSids) {
  auto first = parse_json(create_account(engine_, fields({{"Seed", "42"}})).body);
  auto second = parse_json(create_account(engine_, fields({{"Seed", "42"}})).body);
  EXPECT_STREQ(first["seed"].GetString(), "42");
  EXPECT_EQ(engine_.world(first["sid"].GetString()).sids.next("CA"),
            engine_.world(second["sid"].GetString()).sids.next("CA"));
  // Without one, each world's seed is its own.
  auto third = parse_json(create_account(engine_, {}).body);
  auto fourth = parse_json(create_account(engine_, {}).body);
  EXPECT_STRNE(third["seed"].GetString(), fourth["seed"].GetString());
}

TEST_F(ControlAccountsTest, WorldOptionsAreChecked) {
  EXPECT_EQ(create_account(engine_, fields({{"Clock", "sideways"}})).status, 400);
  EXPECT_EQ(create_account(engine_, fields({{"Speed", "0"}})).status, 400);
  EXPECT_EQ(create_account(engine_, fields({{"Seed", "-1"}})).status, 400);
  EXPECT_EQ(create_account(engine_, fields({{"Seed", "99999999999999999999999"}})).status, 400);
  // A subaccount lives in its owner's world: it has no clock or seed of its own.
  EXPECT_EQ(create_account(engine_, fields({{"OwnerAccountSid", kAc}, {"Clock", "manual"}}))
                .status, 400);
  EXPECT_EQ(create_account(engine_, fields({{"OwnerAccountSid", kAc}, {"Seed", "1"}})).status,
            400);
  EXPECT_EQ(create_account(engine_, fields({{"Clock", "manual"}, {"Speed", "2"},
                                            {"Seed", "7"}})).status, 201);
}

}  // namespace
}  // namespace dialtone::api::testing
