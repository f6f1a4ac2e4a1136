#include <gtest/gtest.h>

#include "api_test_util.hpp"
#include "api/params.hpp"

namespace dialtone::api::testing {
namespace {

using CreateTest = ApiTest;

std::vector<std::string> spec_call_properties() {
  return keys_of(spec()["components"]["schemas"]["api.v2010.account.call"]["properties"]);
}

void expect_error(const Response& r, int status, int code, const std::string& message) {
  EXPECT_EQ(r.status, status) << r.body;
  const auto body = parse_json(r.body);
  EXPECT_EQ(body["code"].GetInt(), code) << r.body;
  if (!message.empty()) {
    EXPECT_EQ(body["message"].GetString(), message) << r.body;
  }
}

TEST_F(CreateTest, CreatedCallHasEverySpecFieldInSpecOrder) {
  clock_.set(core::TimePoint{std::chrono::milliseconds{1282336402000}});  // 2010-08-20 20:33:22Z
  const Response r = send("POST", kCalls + ".json",
                          "Url=http://example.com/twiml&To=%2B1801-664-0964&From=%2B1801-663-7825");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  const auto body = parse_json(r.body);
  EXPECT_EQ(keys_of(body), spec_call_properties());
  EXPECT_EQ(r.call_sid, body["sid"].GetString());

  // Types as the spec says: every field a string or null, subresource_uris an object.
  for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
    const std::string key = it->name.GetString();
    if (key == "subresource_uris") {
      EXPECT_TRUE(it->value.IsObject());
    } else {
      EXPECT_TRUE(it->value.IsString() || it->value.IsNull()) << key;
    }
  }
  // Values of a fresh call, as the 2014 capture shows them (dates populated: reference §15.4).
  const auto& seen = observed()["call_create_201_observed"]["body"];
  for (const char* key : {"parent_call_sid", "to", "to_formatted", "from", "from_formatted",
                          "status", "start_time", "end_time", "duration", "price",
                          "price_unit", "direction", "answered_by", "api_version",
                          "forwarded_from", "group_sid", "caller_name"}) {
    EXPECT_TRUE(body[key] == seen[key]) << key;
  }
  EXPECT_STREQ(body["date_created"].GetString(), "Fri, 20 Aug 2010 20:33:22 +0000");
  EXPECT_TRUE(body["queue_time"].IsString() || body["queue_time"].IsNull());
  EXPECT_TRUE(body["trunk_sid"].IsNull());
  EXPECT_STREQ(body["account_sid"].GetString(), kAc.c_str());

  const std::string sid = body["sid"].GetString();
  EXPECT_TRUE(sid.size() == 34 && sid.substr(0, 2) == "CA");
  const std::string base = kCalls + "/" + sid;
  EXPECT_EQ(body["uri"].GetString(), base + ".json");
  // subresource_uris: the spec example's 9 keys in its order.
  const auto& example = spec()["paths"]["/2010-04-01/Accounts/{AccountSid}/Calls.json"]["get"]
                              ["responses"]["200"]["content"]["application/json"]["examples"]
                              ["readFullPage1"]["value"]["calls"][0]["subresource_uris"];
  EXPECT_EQ(keys_of(body["subresource_uris"]), keys_of(example));
  EXPECT_EQ(body["subresource_uris"]["notifications"].GetString(),
            base + "/Notifications.json");
  EXPECT_EQ(body["subresource_uris"]["user_defined_messages"].GetString(),
            base + "/UserDefinedMessages.json");
}

TEST_F(CreateTest, XmlRepresentation) {
  const Response r = send("POST", kCalls,
                          "Url=http://example.com/twiml&To=%2B14155550100&From=%2B14155550199");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.content_type, "application/xml");
  const std::string base = kCalls + "/" + r.call_sid;
  EXPECT_EQ(r.body.rfind("<?xml version='1.0' encoding='UTF-8'?>\n<TwilioResponse><Call><Sid>" +
                             r.call_sid + "</Sid><DateCreated>",
                         0),
            0u)
      << r.body;
  EXPECT_NE(r.body.find("<ParentCallSid/><AccountSid>" + kAc + "</AccountSid>"
                        "<To>+14155550100</To><ToFormatted>(415) 555-0100</ToFormatted>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<Status>queued</Status><StartTime/><EndTime/><Duration/><Price/>"
                        "<PriceUnit>USD</PriceUnit><Direction>outbound-api</Direction>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<Uri>" + base + "</Uri><SubresourceUris><Notifications>" + base +
                        "/Notifications</Notifications>"),
            std::string::npos);
  EXPECT_EQ(r.body.find(".json"), std::string::npos);
  EXPECT_NE(r.body.find("</SubresourceUris></Call></TwilioResponse>"), std::string::npos);
}

TEST_F(CreateTest, ObservedValidationErrors) {
  auto check = [&](const std::string& form, std::string_view observed_case) {
    const Response r = send("POST", kCalls + ".json", form);
    EXPECT_EQ(r.status, 400) << form;
    const auto body = parse_json(r.body);
    const auto& expected = observed_error(observed_case);
    EXPECT_EQ(keys_of(body), keys_of(expected));
    EXPECT_TRUE(body == expected) << r.body;
  };
  check("From=%2B14155550199&Url=https://a.test/", "To missing");
  check("To=&From=%2B14155550199&Url=https://a.test/", "To missing");
  check("To=%2B14155550100&From=%2B14155550199", "none of Url");
  check("To=%2B14155550100&From=%2B0800918468&Url=https://a.test/", "From not a valid");
  check("To=%2B14155550100&From=%2B14155550199&Url=https:///mr/ivr/c/...", "Url not a valid");
}

TEST_F(CreateTest, EndpointErrors) {
  const std::string url = "&Url=https://a.test/";
  expect_error(send("POST", kCalls + ".json", "To=%2B14155550100" + url), 400, 21213,
               "No 'From' number is specified");
  expect_error(send("POST", kCalls + ".json", "To=banana&From=%2B14155550199" + url), 400, 21211,
               "The 'To' number banana is not a valid phone number.");
  expect_error(send("POST", kCalls + ".json", "To=%2B14155550100&From=client:alice" + url), 400,
               21212, "From is not a valid phone number: client:alice");
  // A client or SIP callee may have any caller.
  EXPECT_EQ(send("POST", kCalls + ".json", "To=client:bob&From=client:alice" + url).status, 201);
  EXPECT_EQ(send("POST", kCalls + ".json", "To=sip:bob@x.test&From=alice" + url).status, 400);
  EXPECT_EQ(send("POST", kCalls + ".json", "To=sip:bob@x.test&From=client:alice" + url).status,
            201);
}

TEST_F(CreateTest, InstructionSources) {
  const std::string to_from = "To=%2B14155550100&From=%2B14155550199";
  // Url wins over Twiml.
  Response r = send("POST", kCalls + ".json",
                    to_from + "&Url=https://a.test/x&Twiml=%3CResponse%2F%3E&Method=get");
  ASSERT_EQ(r.status, 201) << r.body;
  const core::Call* c = engine_.find_call(kAc, r.call_sid);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->url.url, "https://a.test/x");
  EXPECT_EQ(c->url.method, core::HttpMethod::kGet);
  EXPECT_TRUE(c->twiml.empty());

  r = send("POST", kCalls + ".json",
           to_from + "&Twiml=%3CResponse%3E%3CSay%3Ehi%3C%2FSay%3E%3C%2FResponse%3E");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(engine_.find_call(kAc, r.call_sid)->twiml, "<Response><Say>hi</Say></Response>");

  const std::string long_twiml = "<Response><Say>" + std::string(4000, 'a') + "</Say></Response>";
  expect_error(send("POST", kCalls + ".json", to_from + "&Twiml=" + long_twiml), 400, 21205, "");

  expect_error(send("POST", kCalls + ".json", to_from + "&ApplicationSid=APnope"), 400, 21218,
               "Invalid ApplicationSid");
}

TEST_F(CreateTest, MethodsUrlsAndCallbacks) {
  const std::string base = "To=%2B14155550100&From=%2B14155550199&Url=https://a.test/x";
  expect_error(send("POST", kCalls + ".json", base + "&Method=PUT"), 400, 21209,
               "Invalid Method: Method must be GET or POST, not 'PUT'");
  expect_error(send("POST", kCalls + ".json", base + "&FallbackMethod=HEAD"), 400, 21209, "");
  expect_error(send("POST", kCalls + ".json", base + "&StatusCallbackMethod=x"), 400, 21209, "");
  expect_error(send("POST", kCalls + ".json", base + "&FallbackUrl=ftp://a.test/"), 400, 21205,
               "FallbackUrl is not a valid URL: ftp://a.test/");
  expect_error(send("POST", kCalls + ".json", base + "&StatusCallback=http://bad_host.test/"),
               400, 21609, "");
  expect_error(send("POST", kCalls + ".json", base + "&StatusCallbackEvent=ringing+bogus"), 400,
               21626, "Invalid 'StatusCallbackEvent': bogus");

  const Response r = send("POST", kCalls + ".json",
                          base + "&StatusCallback=http://127.0.0.1:8080/cb&StatusCallbackMethod="
                                 "GET&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing"
                                 "+answered&FallbackUrl=http://localhost/f");
  ASSERT_EQ(r.status, 201) << r.body;
  const core::Call* c = engine_.find_call(kAc, r.call_sid);
  EXPECT_EQ(c->status_callback.url, "http://127.0.0.1:8080/cb");
  EXPECT_EQ(c->status_callback.method, core::HttpMethod::kGet);
  EXPECT_EQ(c->status_callback_events,
            core::kEventInitiated | core::kEventRinging | core::kEventAnswered);
  EXPECT_EQ(c->fallback.url, "http://localhost/f");

  const Response d = send("POST", kCalls + ".json", base);
  EXPECT_EQ(engine_.find_call(kAc, d.call_sid)->status_callback_events, core::kEventCompleted);
}

TEST_F(CreateTest, NumbersAndFlags) {
  const std::string base = "To=%2B14155550100&From=%2B14155550199&Url=https://a.test/x";
  expect_error(send("POST", kCalls + ".json", base + "&Timeout=abc"), 400, 21208, "");
  expect_error(send("POST", kCalls + ".json", base + "&Timeout=0"), 400, 21208, "");
  expect_error(send("POST", kCalls + ".json", base + "&Timeout=601"), 400, 21208, "");
  expect_error(send("POST", kCalls + ".json", base + "&TimeLimit=-5"), 400, 20001, "");
  expect_error(send("POST", kCalls + ".json", base + "&Record=maybe"), 400, 20001, "");
  expect_error(send("POST", kCalls + ".json", base + "&SendDigits=12x"), 400, 20001, "");

  const Response r = send("POST", kCalls + ".json",
                          base + "&Timeout=600&TimeLimit=30&Record=True&SendDigits=1234w%23"
                                 "&MachineDetection=enable&Unknown=1&Trim=do-not-trim");
  ASSERT_EQ(r.status, 201) << r.body;
  const core::Call* c = engine_.find_call(kAc, r.call_sid);
  EXPECT_EQ(c->timeout_s, 600);  // Twilio's documented maximum is accepted
  EXPECT_EQ(c->time_limit_s, 30);
  EXPECT_TRUE(c->record);
  EXPECT_EQ(c->send_digits, "1234w#");
  EXPECT_EQ(c->machine_detection, "");  // ignored with SendDigits, per the spec
}

TEST(WebhookUrlTest, Validation) {
  for (const char* ok : {"http://a.test", "https://a.test/x?y=1#z", "HTTP://A.TEST:8080/",
                         "http://user:pw@a.test/", "http://127.0.0.1:1/", "http://[::1]:9000/x",
                         "http://localhost/x", "https://example.com./"}) {
    EXPECT_TRUE(is_valid_webhook_url(ok)) << ok;
  }
  for (const char* bad : {"", "a.test", "ftp://a.test/", "http://", "https:///x", "http://a_b.test/",
                          "http://a.test:0/", "http://a.test:99999/", "http://a.test:/",
                          "http://a b.test/", "http://-a.test/", "http://1.2.3.999/",
                          "http://[zz]/", "http://a..test/"}) {
    EXPECT_FALSE(is_valid_webhook_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace dialtone::api::testing
