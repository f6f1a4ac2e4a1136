#include <set>

#include <gtest/gtest.h>

#include "api_test_util.hpp"

namespace dialtone::api::testing {
namespace {

using ListTest = ApiTest;

const std::vector<std::string> kEnvelopeKeys = {
    "calls", "end", "first_page_uri", "next_page_uri", "page", "page_size",
    "previous_page_uri", "start", "uri"};

TEST_F(ListTest, EmptyList) {
  const Response r = send("GET", kCalls + ".json");
  ASSERT_EQ(r.status, 200);
  const auto body = parse_json(r.body);
  EXPECT_EQ(keys_of(body), kEnvelopeKeys);
  EXPECT_EQ(body["calls"].Size(), 0u);
  EXPECT_EQ(body["start"].GetInt(), 0);
  EXPECT_EQ(body["end"].GetInt(), 0);
  EXPECT_EQ(body["page_size"].GetInt(), 50);
  EXPECT_TRUE(body["next_page_uri"].IsNull());
  EXPECT_TRUE(body["previous_page_uri"].IsNull());
  EXPECT_EQ(body["uri"].GetString(), kCalls + ".json?PageSize=50&Page=0");
  EXPECT_EQ(body["first_page_uri"].GetString(), kCalls + ".json?PageSize=50&Page=0");
}

TEST_F(ListTest, PagingWalkForwardAndBack) {
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) {
    created.push_back(create());
    clock_.advance(core::Millis{1000});
  }
  std::vector<std::string> seen;
  std::vector<std::string> uris;
  std::string target = kCalls + ".json?PageSize=2";
  int pages = 0;
  while (!target.empty()) {
    const Response r = send("GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = parse_json(r.body);
    EXPECT_EQ(keys_of(body), kEnvelopeKeys);
    EXPECT_EQ(body["page"].GetInt(), pages);
    EXPECT_EQ(body["page_size"].GetInt(), 2);
    EXPECT_EQ(body["start"].GetInt(), pages * 2);
    EXPECT_EQ(body["end"].GetInt(), pages * 2 + static_cast<int>(body["calls"].Size()) - 1);
    EXPECT_EQ(body["previous_page_uri"].IsNull(), pages == 0);
    for (const auto& c : body["calls"].GetArray()) seen.emplace_back(c["sid"].GetString());
    uris.emplace_back(body["uri"].GetString());
    target = body["next_page_uri"].IsNull() ? "" : body["next_page_uri"].GetString();
    ++pages;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  // Newest first, each call exactly once.
  EXPECT_EQ(seen, std::vector<std::string>(created.rbegin(), created.rend()));
  EXPECT_EQ(uris[1], kCalls + ".json?PageSize=2&Page=1&PageToken=PA" + seen[1]);

  // Back from the last page with previous_page_uri.
  const auto last = parse_json(send("GET", uris[2]).body);
  const std::string prev = last["previous_page_uri"].GetString();
  EXPECT_EQ(prev, kCalls + ".json?PageSize=2&Page=1&PageToken=PB" + seen[4]);
  const auto back = parse_json(send("GET", prev).body);
  ASSERT_EQ(back["calls"].Size(), 2u);
  EXPECT_EQ(back["calls"][0]["sid"].GetString(), seen[2]);
  EXPECT_EQ(back["calls"][1]["sid"].GetString(), seen[3]);
  EXPECT_EQ(back["page"].GetInt(), 1);

  // Page without a token skips Page*PageSize.
  const auto p1 = parse_json(send("GET", kCalls + ".json?PageSize=2&Page=1").body);
  ASSERT_EQ(p1["calls"].Size(), 2u);
  EXPECT_EQ(p1["calls"][0]["sid"].GetString(), seen[2]);
}

TEST_F(ListTest, FiltersAreEchoedInPageUris) {
  const std::string a = create("%2B14155550100");
  create("%2B14155550111");
  const std::string c = create("%2B1%20415-555-0100");
  const Response r = send("GET", kCalls + ".json?To=%2B14155550100&Status=queued&PageSize=1");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = parse_json(r.body);
  ASSERT_EQ(body["calls"].Size(), 1u);
  EXPECT_EQ(body["calls"][0]["sid"].GetString(), c);
  EXPECT_EQ(body["next_page_uri"].GetString(),
            kCalls + ".json?To=%2B14155550100&Status=queued&PageSize=1&Page=1&PageToken=PA" + c);
  const auto next = parse_json(send("GET", body["next_page_uri"].GetString()).body);
  ASSERT_EQ(next["calls"].Size(), 1u);
  EXPECT_EQ(next["calls"][0]["sid"].GetString(), a);
  EXPECT_TRUE(next["next_page_uri"].IsNull());

  EXPECT_EQ(parse_json(send("GET", kCalls + ".json?Status=completed").body)["calls"].Size(), 0u);
  // Queued calls have no start time, so a StartTime filter excludes them.
  EXPECT_EQ(parse_json(send("GET", kCalls + ".json?StartTime%3E=2020-01-01").body)["calls"].Size(),
            0u);
  const auto echoed = parse_json(send("GET", kCalls + ".json?StartTime%3E=2020-01-01").body);
  EXPECT_EQ(echoed["uri"].GetString(), kCalls + ".json?StartTime%3E=2020-01-01&PageSize=50&Page=0");
}

TEST_F(ListTest, InvalidParameters) {
  auto code = [&](const std::string& query) {
    const Response r = send("GET", kCalls + ".json?" + query);
    EXPECT_EQ(r.status, 400) << query;
    return parse_json(r.body)["code"].GetInt();
  };
  EXPECT_EQ(code("PageToken=bogus"), 21481);
  EXPECT_EQ(code("PageToken=PAnotasid"), 21481);
  EXPECT_EQ(code("PageToken=PX" + std::string("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")), 21481);
  EXPECT_EQ(code("PageSize=0"), 20001);
  EXPECT_EQ(code("PageSize=1001"), 20001);
  EXPECT_EQ(code("PageSize=ten"), 20001);
  EXPECT_EQ(code("Page=-1"), 20001);
  EXPECT_EQ(code("Status=ringing-ish"), 20001);
  EXPECT_EQ(code("StartTime=yesterday"), 20001);
  EXPECT_EQ(code("ParentCallSid=CA1"), 20001);
  EXPECT_EQ(send("GET", kCalls + ".json?PageSize=1000&Foo=bar").status, 200);
}

TEST_F(ListTest, XmlList) {
  const std::string sid = create();
  const Response r = send("GET", kCalls + "?PageSize=5");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_EQ(r.body.rfind("<?xml version='1.0' encoding='UTF-8'?>\n<TwilioResponse><Calls page=\"0\" "
                         "pagesize=\"5\" uri=\"" + kCalls + "?PageSize=5&amp;Page=0\" firstpageuri=\"" +
                             kCalls + "?PageSize=5&amp;Page=0\" previouspageuri=\"\" nextpageuri=\"\" "
                             "start=\"0\" end=\"0\"><Call><Sid>" + sid + "</Sid>",
                         0),
            0u)
      << r.body;
  EXPECT_NE(r.body.find("</Call></Calls></TwilioResponse>"), std::string::npos);
}

}  // namespace
}  // namespace dialtone::api::testing
