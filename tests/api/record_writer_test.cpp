// The records (store rows, snapshots) are written by RecordWriter, which replaced RapidJSON's
// Writer for speed: rows written before must read the same, and a store or snapshot written
// now must be what it was. These tests hold it to RapidJSON's bytes.
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "api/records_json.hpp"

namespace dialtone::api {
namespace {

// Writes the same document through both writers; `write` takes either (strings go in as
// std::string, which both accept).
template <class Write>
void expect_same_bytes(Write write) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> reference(buf);
  write(reference);
  std::string ours;
  RecordWriter w(ours);
  write(w);
  EXPECT_EQ(ours, std::string(buf.GetString(), buf.GetSize()));
}

TEST(RecordWriter, WritesRapidJsonsBytesForEveryKindOfValue) {
  expect_same_bytes([](auto& w) {
    w.StartObject();
    w.Key("s");
    w.String(std::string("plain"));
    w.Key("escapes");
    const std::string_view nasty("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f", 14);
    w.String(std::string(nasty));
    w.Key("utf8");
    w.String(std::string("caf\xc3\xa9 \xe2\x98\x8e"));
    w.Key("empty");
    w.String(std::string());
    w.Key("ints");
    w.StartArray();
    w.Int64(0);
    w.Int64(-1);
    w.Int64(std::numeric_limits<int64_t>::min());
    w.Int64(std::numeric_limits<int64_t>::max());
    w.Int(-42);
    w.Uint64(std::numeric_limits<uint64_t>::max());
    w.EndArray();
    w.Key("doubles");
    w.StartArray();
    for (double d : {0.0, 1.0, -1.5, 0.1, 0.5, 1e21, 1e-7, 123456.789, 2.5e-300}) w.Double(d);
    w.EndArray();
    w.Key("flags");
    w.StartArray();
    w.Bool(true);
    w.Bool(false);
    w.Null();
    w.EndArray();
    w.Key("nested");
    w.StartArray();
    w.StartObject();
    w.EndObject();
    w.StartArray();
    w.EndArray();
    w.StartObject();
    w.Key("a");
    w.StartArray();
    w.String(std::string("x"));
    w.String(std::string("y"));
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.EndObject();
  });
}

// A whole record, as the store writes it: compact, and read back the same.
TEST(RecordWriter, ACallRecordIsCompactAndReadsBack) {
  core::Call c;
  c.sid = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  c.account_sid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  c.to = "client:a\"b\\c\n";
  c.twiml = "<Response><Say>h\xc3\xa9llo</Say></Response>";
  c.child_sids = {"CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"};
  const std::string body = record_json(c, &write_call);
  EXPECT_EQ(body.rfind("{\"sid\":\"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"account_sid\":", 0), 0u);
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  ASSERT_FALSE(doc.HasParseError());
  JsonIssues issues;
  ObjectReader r(doc, "call", issues);
  const core::Call back = read_call(r);
  EXPECT_FALSE(issues.any()) << issues.first();
  EXPECT_EQ(back.to, c.to);
  EXPECT_EQ(back.twiml, c.twiml);
  EXPECT_EQ(back.child_sids, c.child_sids);
}

// Reads a record back and writes it again with every member: two records that read the same
// give the same bytes, member by member.
template <class Record>
std::string read_back_whole(const std::string& body, Record (*read)(ObjectReader&),
                            void (*write)(RecordWriter&, const Record&)) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  EXPECT_FALSE(doc.HasParseError()) << body;
  JsonIssues issues;
  ObjectReader r(doc, "record", issues);
  const Record back = read(r);
  EXPECT_FALSE(issues.any()) << issues.first();
  return record_json(back, write);
}

// The store's rows hold only the members that are set (RecordWriter::Members::kSet); read
// back, they are the record that was written, whatever it holds.
TEST(RecordWriter, RowsOfSetMembersReadBackAsTheWholeRecord) {
  core::Call fresh;  // what a create leaves empty stays out of the row
  fresh.sid = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  fresh.account_sid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  fresh.to = "+14155550100";
  fresh.twiml = "<Response/>";
  core::Call full = fresh;  // every member set, false, zero or empty in none
  full.parent_call_sid = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  full.to_formatted = "(415) 555-0100";
  full.from = "client:c";
  full.from_formatted = "c";
  full.phone_number_sid = "PN1";
  full.status = core::CallStatus::kBusy;
  full.direction = core::Direction::kOutboundDial;
  full.date_created = core::TimePoint{core::Millis{1}};
  full.date_updated = core::TimePoint{core::Millis{2}};
  full.start_time = core::TimePoint{core::Millis{3}};
  full.end_time = core::TimePoint{core::Millis{4}};
  full.duration_s = 5;
  full.queue_time_ms = 0;  // an optional that is set to 0 is set
  full.answered_by = "human";
  full.forwarded_from = "+1";
  full.caller_name = "n";
  full.price = "-0.01";
  full.url = {"http://a/", core::HttpMethod::kGet};
  full.fallback = {"", core::HttpMethod::kGet};  // no URL, but not the default method
  full.status_callback = {"http://b/", core::HttpMethod::kPost};
  full.status_callback_events = 15;
  full.timeout_s = 7;
  full.time_limit_s = 8;
  full.send_digits = "1";
  full.record = true;
  full.machine_detection = "Enable";
  full.caller_id = "+2";
  full.callbacks_sent = 3;
  full.callback_sequence = 4;
  full.child_sids = {"CAcccccccccccccccccccccccccccccccc"};
  full.deleted = true;
  for (const core::Call* c : {&fresh, &full}) {
    const std::string every = record_json(*c, &write_call);
    const std::string set = record_json(*c, &write_call, RecordWriter::Members::kSet);
    EXPECT_EQ(read_back_whole(set, &read_call, &write_call), every);
    EXPECT_EQ(read_back_whole(every, &read_call, &write_call), every);
  }
  const std::string fresh_row = record_json(fresh, &write_call, RecordWriter::Members::kSet);
  EXPECT_EQ(fresh_row.find("parent_call_sid"), std::string::npos) << fresh_row;
  EXPECT_EQ(fresh_row.find("\"url\""), std::string::npos) << fresh_row;
  EXPECT_EQ(fresh_row.find("deleted"), std::string::npos) << fresh_row;
  EXPECT_LT(fresh_row.size() + 250, record_json(fresh, &write_call).size());
  // A webhook with no URL is kept for a method that is not the default.
  const std::string full_row = record_json(full, &write_call, RecordWriter::Members::kSet);
  EXPECT_NE(full_row.find("\"fallback\":{\"method\":\"GET\"}"), std::string::npos) << full_row;
  EXPECT_NE(full_row.find("\"deleted\":true"), std::string::npos) << full_row;

  core::Notification n;
  n.sid = "NOaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  n.error_code = 11200;
  n.request_url = "http://a/";
  const std::string set = record_json(n, &write_notification, RecordWriter::Members::kSet);
  EXPECT_EQ(set.find("response_body"), std::string::npos) << set;
  EXPECT_EQ(read_back_whole(set, &read_notification, &write_notification),
            record_json(n, &write_notification));
}

}  // namespace
}  // namespace dialtone::api
