// The Queue and Member resources through the handlers: status codes, bodies that follow the
// spec's schemas (fields in the spec's order, integers as integers, RFC 2822 dates), paging,
// XML, and the errors docs/queues.md chooses where Twilio is silent.
#include "api/twilio/queues.hpp"

#include <gtest/gtest.h>

#include "api/twilio/members.hpp"
#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

const std::string kQueues = "/2010-04-01/Accounts/" + kAc + "/Queues";

class QueuesApiTest : public ApiTest {
 protected:
  std::string create_queue(const std::string& body) {
    const Response r = send("POST", kQueues + ".json", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return parse_json(r.body)["sid"].GetString();
  }
  // An answered call of the main account waiting in `queue` (inline TwiML, silent hold),
  // enqueued 2 s after it was created (dialled, then answered a second later).
  std::string waiting_caller(const std::string& queue) {
    const Response r =
        send("POST", kCalls + ".json",
             "To=%2B14155550100&From=%2B14155550199&Twiml=%3CResponse%3E%3CEnqueue%3E" + queue +
                 "%3C%2FEnqueue%3E%3C%2FResponse%3E");
    EXPECT_EQ(r.status, 201) << r.body;
    settle(2);
    return parse_json(r.body)["sid"].GetString();
  }
  // A second at a time, firing what is due at each (a ring outcome is armed a second ahead).
  void settle(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      clock_.advance(core::Millis{1000});
      engine_.fire_due(effects_);
    }
  }
};

TEST_F(QueuesApiTest, CreateAnswers201WithTheSpecsFields) {
  const Response r = send("POST", kQueues + ".json", "FriendlyName=support&MaxSize=50");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto body = parse_json(r.body);
  expect_valid(body, "api.v2010.account.queue");
  EXPECT_EQ(body["current_size"].GetInt(), 0);
  EXPECT_EQ(body["average_wait_time"].GetInt(), 0);
  EXPECT_EQ(body["max_size"].GetInt(), 50);
  EXPECT_EQ(body["uri"].GetString(), kQueues + "/" + body["sid"].GetString() + ".json");
  EXPECT_EQ(keys_of(body), resource::json_keys(kQueueDescription));
}

TEST_F(QueuesApiTest, CreateRejectsBadInputWithTwilioErrors) {
  EXPECT_EQ(send("POST", kQueues + ".json", "").status, 400);
  EXPECT_EQ(send("POST", kQueues + ".json", "FriendlyName=a&MaxSize=abc").status, 400);
  EXPECT_EQ(send("POST", kQueues + ".json", "FriendlyName=a&MaxSize=0").status, 400);
  EXPECT_EQ(send("POST", kQueues + ".json", "FriendlyName=a&MaxSize=99999999999999999999").status,
            400);
  EXPECT_EQ(send("POST", kQueues + ".json", "FriendlyName=" + std::string(65, 'x')).status, 400);
  create_queue("FriendlyName=a");
  const Response dup = send("POST", kQueues + ".json", "FriendlyName=a");
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(parse_json(dup.body)["code"].GetInt(), 20001);
}

TEST_F(QueuesApiTest, ListPagesInCreationOrder) {
  const std::string a = create_queue("FriendlyName=a");
  const std::string b = create_queue("FriendlyName=b");
  const std::string c = create_queue("FriendlyName=c");
  const Response r = send("GET", kQueues + ".json?PageSize=2");
  ASSERT_EQ(r.status, 200);
  const auto page = parse_json(r.body);
  ASSERT_EQ(page["queues"].Size(), 2u);
  EXPECT_EQ(page["queues"][0]["sid"].GetString(), a);
  EXPECT_EQ(page["queues"][1]["sid"].GetString(), b);
  for (const auto& q : page["queues"].GetArray()) expect_valid(q, "api.v2010.account.queue");
  ASSERT_TRUE(page["next_page_uri"].IsString());
  const Response next = send("GET", page["next_page_uri"].GetString());
  ASSERT_EQ(next.status, 200) << next.body;
  const auto second = parse_json(next.body);
  ASSERT_EQ(second["queues"].Size(), 1u);
  EXPECT_EQ(second["queues"][0]["sid"].GetString(), c);
  EXPECT_TRUE(second["next_page_uri"].IsNull());
  EXPECT_EQ(send("GET", kQueues + ".json?PageToken=PAxyz").status, 400);
}

TEST_F(QueuesApiTest, OtherAccountsQueuesAreNotFound) {
  const std::string sid = create_queue("FriendlyName=mine");
  const std::string other = "/2010-04-01/Accounts/" + kOther + "/Queues/" + sid + ".json";
  EXPECT_EQ(send("GET", other, {}, basic(kOther, "othertoken")).status, 404);
  const Response list = send("GET", "/2010-04-01/Accounts/" + kOther + "/Queues.json", {},
                             basic(kOther, "othertoken"));
  EXPECT_EQ(parse_json(list.body)["queues"].Size(), 0u);
}

TEST_F(QueuesApiTest, FetchUpdateDelete) {
  const std::string sid = create_queue("FriendlyName=a");
  const std::string path = kQueues + "/" + sid;
  EXPECT_EQ(send("GET", path + ".json").status, 200);
  const Response updated = send("POST", path + ".json", "FriendlyName=b&MaxSize=3");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_STREQ(parse_json(updated.body)["friendly_name"].GetString(), "b");
  EXPECT_EQ(send("POST", path + ".json", "MaxSize=5001").status, 400);
  EXPECT_EQ(send("POST", path + ".json", "FriendlyName=").status, 400);
  const Response deleted = send("DELETE", path + ".json");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  const Response gone = send("GET", path + ".json");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(parse_json(gone.body)["code"].GetInt(), 20404);
  EXPECT_EQ(send("DELETE", path + ".json").status, 404);
  EXPECT_EQ(send("PUT", path + ".json").status, 405);
}

TEST_F(QueuesApiTest, XmlRendersTheSameDescription) {
  const std::string sid = create_queue("FriendlyName=a%26b");
  const Response r = send("GET", kQueues + "/" + sid);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<TwilioResponse><Queue><DateUpdated>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<FriendlyName>a&amp;b</FriendlyName>"), std::string::npos);
  EXPECT_NE(r.body.find("<Uri>" + kQueues + "/" + sid + "</Uri>"), std::string::npos);
  EXPECT_NE(r.body.find("<MaxSize>1000</MaxSize></Queue>"), std::string::npos);
  const Response list = send("GET", kQueues + ".xml");
  EXPECT_NE(list.body.find("<Queues page=\"0\""), std::string::npos) << list.body;
}

TEST_F(QueuesApiTest, MembersFollowTheQueueAndTheClock) {
  const std::string qsid = create_queue("FriendlyName=support");
  const std::string first = waiting_caller("support");
  const std::string second = waiting_caller("support");
  settle(10);
  const std::string members = kQueues + "/" + qsid + "/Members";
  const Response list = send("GET", members + ".json");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto page = parse_json(list.body);
  ASSERT_EQ(page["queue_members"].Size(), 2u);
  for (const auto& m : page["queue_members"].GetArray()) {
    expect_valid(m, "api.v2010.account.queue.member");
  }
  EXPECT_EQ(page["queue_members"][0]["call_sid"].GetString(), first);
  EXPECT_EQ(page["queue_members"][0]["position"].GetInt(), 1);
  EXPECT_EQ(page["queue_members"][0]["wait_time"].GetInt(), 12);
  EXPECT_EQ(page["queue_members"][1]["position"].GetInt(), 2);

  const auto queue = parse_json(send("GET", kQueues + "/" + qsid + ".json").body);
  EXPECT_EQ(queue["current_size"].GetInt(), 2);
  EXPECT_EQ(queue["average_wait_time"].GetInt(), 11) << "(12 + 10) / 2";

  const auto front = parse_json(send("GET", members + "/Front.json").body);
  EXPECT_EQ(front["call_sid"].GetString(), first);
  EXPECT_EQ(front["uri"].GetString(), members + "/" + first + ".json") << "by Call sid";
  EXPECT_EQ(send("GET", members + "/" + second + ".json").status, 200);

  // Dequeue: Url is required and must be a URL; the answer is the member as it was.
  EXPECT_EQ(send("POST", members + "/Front.json", "").status, 400);
  EXPECT_EQ(send("POST", members + "/Front.json", "Url=not-a-url").status, 400);
  EXPECT_EQ(send("POST", members + "/Front.json", "Url=https://a.test/x&Method=PUT").status, 400);
  const Response dq = send("POST", members + "/Front.json", "Url=https://a.test/next&Method=GET");
  ASSERT_EQ(dq.status, 200) << dq.body;
  EXPECT_EQ(parse_json(dq.body)["call_sid"].GetString(), first);
  ASSERT_EQ(effects_.webhooks.size(), 1u);
  EXPECT_EQ(effects_.webhooks[0].target.url, "https://a.test/next");
  EXPECT_EQ(effects_.webhooks[0].target.method, core::HttpMethod::kGet);

  EXPECT_EQ(send("POST", members + "/" + first + ".json", "Url=https://a.test/x").status, 400);
  EXPECT_EQ(send("GET", members + "/" + first + ".json").status, 404);
  EXPECT_EQ(send("GET", members + "/CA" + std::string(32, '0') + ".json").status, 404);
  EXPECT_EQ(parse_json(send("GET", members + "/Front.json").body)["call_sid"].GetString(), second);
  const Response xml = send("GET", members + "/Front.xml");
  EXPECT_NE(xml.body.find("<QueueMember><CallSid>" + second + "</CallSid>"), std::string::npos)
      << xml.body;
}

TEST_F(QueuesApiTest, RoutesNameQueuesAndMembersOnly) {
  const std::string sid = create_queue("FriendlyName=a");
  EXPECT_EQ(send("GET", kQueues + "/" + sid + "/Members/Back.json").status, 404);
  EXPECT_EQ(send("GET", kQueues + "/QUnotasid.json").status, 404);
  EXPECT_EQ(send("DELETE", kQueues + "/" + sid + "/Members/Front.json").status, 405);
  EXPECT_EQ(send("POST", kQueues + "/" + sid + "/Members.json").status, 405);
}

}  // namespace
}  // namespace dialtone::api::testing
