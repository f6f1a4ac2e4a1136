// server/metrics: every Twilio API route gets its own label, control routes theirs, unknown
// paths "other".
#include "server/metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace dialtone::server {
namespace {

const std::string kAccountPath = "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kCallSid = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kConfSid = "CFcccccccccccccccccccccccccccccccc";
const std::string kRecSid = "REdddddddddddddddddddddddddddddddd";

std::string label(const std::string& path) { return route_template(route_id(path)); }

TEST(MetricsRoutes, EachApiRouteKindHasItsOwnTemplate) {
  const std::string t = "/2010-04-01/Accounts/{AccountSid}";
  EXPECT_EQ(label(kAccountPath + "/Calls.json"), t + "/Calls.json");
  EXPECT_EQ(label(kAccountPath + "/Calls/" + kCallSid + ".xml"), t + "/Calls/{Sid}.xml");
  EXPECT_EQ(label(kAccountPath + "/Queues/QUeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/Members/Front.json"),
            t + "/Queues/{QueueSid}/Members/{CallSid}.json");
  // Kinds added after the first thirteen were counted as control routes before.
  EXPECT_EQ(label(kAccountPath + "/Calls/" + kCallSid + "/Streams.json"), t + "/Calls/{CallSid}/Streams.json");
  EXPECT_EQ(label(kAccountPath + "/Calls/" + kCallSid + "/Recordings/" + kRecSid + ".json"),
            t + "/Calls/{CallSid}/Recordings/{Sid}.json");
  EXPECT_EQ(label(kAccountPath + "/Recordings/" + kRecSid + ".wav"), t + "/Recordings/{Sid}");
  EXPECT_EQ(label(kAccountPath + "/Conferences/" + kConfSid + "/Recordings.json"),
            t + "/Conferences/{ConferenceSid}/Recordings.json");
  EXPECT_EQ(label(kAccountPath + "/Conferences/" + kConfSid + "/Recordings/Twilio.CURRENT.json"),
            t + "/Conferences/{ConferenceSid}/Recordings/{Sid}.json");
  EXPECT_EQ(label("/_dialtone/calls/" + kCallSid + "/say"), "/_dialtone/calls/{CallSid}/say");
  EXPECT_EQ(label("/_dialtone/metrics"), "/_dialtone/metrics");
  EXPECT_EQ(label("/nothing/here"), "other");
}

TEST(MetricsStore, CommitsAndSyncsAreHistogramsInSeconds) {
  Metrics m;
  m.observe_store_commit(std::chrono::microseconds(300));
  m.observe_store_sync(std::chrono::microseconds(700));
  m.observe_store_sync(std::chrono::microseconds(60'000));
  const std::string page = m.render({}, "manual", 1.0);
  EXPECT_NE(page.find("# TYPE dialtone_store_commit_seconds histogram"), std::string::npos);
  EXPECT_NE(page.find("dialtone_store_commit_seconds_bucket{le=\"0.00025\"} 0\n"), std::string::npos);
  EXPECT_NE(page.find("dialtone_store_commit_seconds_bucket{le=\"0.0005\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("dialtone_store_sync_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("dialtone_store_sync_seconds_bucket{le=\"0.05\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("dialtone_store_sync_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos);
  EXPECT_NE(page.find("dialtone_store_sync_seconds_count 2\n"), std::string::npos) << page;
}

}  // namespace
}  // namespace dialtone::server
