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

}  // namespace
}  // namespace dialtone::api
