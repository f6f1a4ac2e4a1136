#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

using UpdateTest = ApiTest;

TEST_F(UpdateTest, CancelQueuedThenUpdateEndedIs21220) {
  const std::string sid = create();
  const std::string path = kCalls + "/" + sid + ".json";
  Response r = send("POST", path, "Status=canceled");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.call_sid, sid);
  EXPECT_STREQ(parse_json(r.body)["status"].GetString(), "canceled");

  r = send("POST", path, "Url=https://a.test/next");
  EXPECT_EQ(r.status, 400);
  const auto body = parse_json(r.body);
  const auto& expected = observed_error("no longer live");
  EXPECT_EQ(keys_of(body), keys_of(expected));
  EXPECT_TRUE(body == expected) << r.body;
  EXPECT_EQ(send("POST", path, "Status=completed").status, 400);
}

TEST_F(UpdateTest, RedirectQueuedCallReplacesItsInstructions) {
  const std::string sid = create();
  const Response r = send("POST", kCalls + "/" + sid + ".json", "Url=https://a.test/new&Method=GET");
  ASSERT_EQ(r.status, 200) << r.body;
  const core::Call* c = engine_.find_call(kAc, sid);
  EXPECT_EQ(c->url.url, "https://a.test/new");
  EXPECT_EQ(c->url.method, core::HttpMethod::kGet);
  EXPECT_STREQ(parse_json(r.body)["status"].GetString(), "queued");
}

TEST_F(UpdateTest, InvalidParameters) {
  const std::string path = kCalls + "/" + create() + ".json";
  auto check = [&](const std::string& form, int code) {
    const Response r = send("POST", path, form);
    EXPECT_EQ(r.status, 400) << form;
    EXPECT_EQ(parse_json(r.body)["code"].GetInt(), code) << form << r.body;
  };
  check("Status=busy", 20001);
  check("Status=nonsense", 20001);
  check("Url=https://a.test/&Twiml=%3CResponse%2F%3E", 20001);
  check("Url=notaurl", 21205);
  check("Url=https://a.test/&Method=PATCH", 21209);
  check("StatusCallback=nope", 21609);
  check("FallbackUrl=nope", 21205);
  check("TimeLimit=0", 20001);
  check("Twiml=" + std::string(4001, 'x'), 21205);
  // No parameters: nothing changes, 200.
  EXPECT_EQ(send("POST", path, "").status, 200);
}

TEST_F(UpdateTest, DeleteLiveThenEnded) {
  const std::string sid = create();
  const std::string path = kCalls + "/" + sid + ".json";
  Response r = send("DELETE", path);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(parse_json(r.body)["code"].GetInt(), 20009);
  ASSERT_EQ(send("POST", path, "Status=canceled").status, 200);
  r = send("DELETE", path);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(r.content_type.empty());
  EXPECT_EQ(send("GET", path).status, 404);
}

TEST_F(UpdateTest, FetchJsonAndXml) {
  const std::string sid = create();
  Response r = send("GET", kCalls + "/" + sid + ".json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse_json(r.body)["sid"].GetString(), sid);
  r = send("GET", kCalls + "/" + sid + ".xml");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Sid>" + sid + "</Sid>"), std::string::npos);
  // Another account's path does not see the call.
  engine_.accounts().put(core::Account{kSub, "subtoken", kAc, "sub", {}});
  EXPECT_EQ(send("GET", "/2010-04-01/Accounts/" + kSub + "/Calls/" + sid + ".json").status, 404);
}

TEST_F(UpdateTest, NotificationsAndEventsEnvelopes) {
  const std::string sid = create();
  const std::string base = kCalls + "/" + sid;
  Response r = send("GET", base + "/Notifications.json");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse_json(r.body);
  EXPECT_EQ(keys_of(body), (std::vector<std::string>{"notifications", "end", "first_page_uri",
                                                     "next_page_uri", "page", "page_size",
                                                     "previous_page_uri", "start", "uri"}));
  EXPECT_EQ(body["uri"].GetString(), base + "/Notifications.json?PageSize=50&Page=0");

  r = send("GET", base + "/Events.json?PageSize=10");
  ASSERT_EQ(r.status, 200) << r.body;
  body = parse_json(r.body);
  EXPECT_EQ(keys_of(body)[0], "events");
  EXPECT_EQ(body["page_size"].GetInt(), 10);

  EXPECT_EQ(send("GET", base + "/Notifications/NOaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json").status,
            404);
  EXPECT_EQ(send("GET", kCalls + "/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Events.json").status, 404);
  EXPECT_EQ(send("GET", base + "/Events.json?PageToken=PAxyz").status, 400);
}

}  // namespace
}  // namespace dialtone::api::testing

namespace dialtone::api::testing {
namespace {

TEST_F(ApiTest, EventsComeFromJournaledWebhooks) {
  const std::string sid = create();
  // Let the call ring and answer until the engine asks for its TwiML.
  std::vector<core::WebhookRequest> sent;
  for (int i = 0; i < 20 && sent.empty(); ++i) {
    clock_.advance(core::Millis{500});
    core::Effects fx;
    engine_.fire_due(fx);
    for (auto& w : fx.webhooks) sent.push_back(std::move(w));
  }
  ASSERT_FALSE(sent.empty());
  core::WebhookResult result;
  result.id = sent[0].id;
  result.http_status = 200;
  result.content_type = "text/xml";
  result.body = "<Response><Hangup/></Response>";
  result.latency = core::Millis{42};
  core::Effects fx;
  engine_.on_webhook_result(result, fx);

  const Response r = send("GET", kCalls + "/" + sid + "/Events.json");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = parse_json(r.body);
  ASSERT_GE(body["events"].Size(), 1u) << r.body;
  const auto& e = body["events"][0];
  EXPECT_EQ(keys_of(e), (std::vector<std::string>{"request", "response"}));
  EXPECT_STREQ(e["request"]["url"].GetString(), "https://app.test/v");
  EXPECT_STREQ(e["request"]["method"].GetString(), "POST");
  EXPECT_STREQ(e["request"]["parameters"]["CallSid"].GetString(), sid.c_str());
  EXPECT_EQ(e["response"]["response_code"].GetInt(), 200);
  EXPECT_EQ(e["response"]["request_duration"].GetInt(), 42);
  EXPECT_STREQ(e["response"]["response_body"].GetString(), "<Response><Hangup/></Response>");
}

}  // namespace
}  // namespace dialtone::api::testing
