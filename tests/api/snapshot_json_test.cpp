// The JSON of an account's snapshot (api/control/snapshot.hpp): written in one fixed order,
// read back to the same bytes, the source account's sid turned into the target's everywhere,
// and a document that does not read refused with the member named.
#include <gtest/gtest.h>

#include "api/control/snapshot.hpp"
#include "core/twiml/document.hpp"

namespace dialtone::api {
namespace {

const std::string kA = "AC" + std::string(32, 'a');
const std::string kB = "AC" + std::string(32, 'b');
const std::string kCall = "CA" + std::string(32, '1');
const std::string kChild = "CA" + std::string(32, '2');

core::TimePoint at(int64_t ms) { return core::TimePoint{core::Millis{ms}}; }

core::AccountSnapshot sample() {
  core::AccountSnapshot s;
  s.account_sid = kA;
  s.clock = {"manual", 1.0, at(1767225630000)};
  s.seed = 18446744073709551615ull;  // beyond a JavaScript number: written as a string
  s.sids_made = 7;
  s.calls_per_second = 2;
  s.next_dial_slot = at(1767225600500);
  core::Behavior busy;
  busy.outcome = core::Outcome::kBusy;
  busy.gather_inputs = {"1", "speech:yes"};
  busy.hangup_after_s = 30;
  s.behaviors.add("^\\+1415", busy);
  core::PhoneNumber n;
  n.sid = "PN" + std::string(32, '3');
  n.account_sid = kA;
  n.phone_number = "+14155550700";
  n.voice_url = {"https://app.example.com/" + kA + "/voice", core::HttpMethod::kGet};
  s.numbers.push_back(n);
  core::QueueEntry sales;
  sales.name = "sales";
  sales.sid = "QU" + std::string(32, '4');
  sales.max_size = 20;
  sales.date_created = sales.date_updated = core::TimePoint{core::Millis{1'700'000'000'000}};
  s.queues.push_back(sales);
  // A conference waiting with its participant, and an ended one of the same name.
  core::conference::Conference room;
  room.sid = "CF" + std::string(32, '6');
  room.account_sid = kA;
  room.friendly_name = "room";
  room.status = core::conference::Status::kInit;
  room.date_created = room.date_updated = at(1767225603000);
  room.callback.url = {"https://app.example.com/conf-events", core::HttpMethod::kPost};
  room.callback.events = core::conference::kKeywordJoin | core::conference::kKeywordEnd;
  room.sequence = 3;
  room.max_participants = 10;
  room.record = "record-from-start";
  room.recording.callback = {"https://app.example.com/conf-rec", core::HttpMethod::kGet};
  room.recording.events = core::recording::kEventInProgress | core::recording::kEventCompleted;
  room.recording.trim = false;
  core::conference::Participant p;
  p.call_sid = kChild;
  p.label = "customer";
  p.muted = p.hold = p.joined = true;
  p.date_created = p.date_updated = at(1767225604000);
  room.participants.push_back(p);
  core::conference::Conference before = room;
  before.sid = "CF" + std::string(32, '7');
  before.status = core::conference::Status::kCompleted;
  before.reason_ended = "last-participant-left";
  before.call_sid_ending = kCall;
  before.callback = {};
  before.participants.clear();
  s.conferences = {before, room};
  core::Call c;
  c.sid = kCall;
  c.account_sid = kA;
  c.to = c.to_formatted = "+14155550100";
  c.from = c.from_formatted = "+15005550006";
  c.status = core::CallStatus::kCompleted;
  c.date_created = c.date_updated = at(1767225600000);
  c.start_time = at(1767225601000);
  c.end_time = at(1767225611000);
  c.duration_s = 10;
  c.queue_time_ms = 0;
  c.price = "-0.01400";
  c.url = {"https://app.example.com/voice", core::HttpMethod::kPost};
  c.time_limit_s = 60;
  c.callbacks_sent = 15;
  c.child_sids = {kChild};
  s.calls.push_back(c);
  core::Call leg = c;
  leg.sid = kChild;
  leg.parent_call_sid = kCall;
  leg.direction = core::Direction::kOutboundDial;
  leg.child_sids.clear();
  leg.status = core::CallStatus::kRinging;
  leg.end_time.reset();
  s.calls.push_back(leg);
  // The leg rings: its parent waits in a <Dial>.
  s.calls[0].status = core::CallStatus::kInProgress;
  core::LiveCall parent;
  parent.call_sid = kCall;
  parent.phase = core::Phase::kDial;
  parent.answered = true;
  auto doc = core::twiml::parse(
      "<Response><Say voice=\"alice\">Hi</Say><Dial timeout=\"10\"><Number>+14155550199"
      "</Number></Dial></Response>");
  parent.program = {doc.value(), "https://app.example.com/voice", 1, 0};
  parent.dial.emplace();
  parent.dial->legs = {kChild};
  parent.dial->last_sid = kChild;
  parent.dial->started_at = at(1767225605000);
  parent.gather.emplace();
  parent.gather->digits = "1";
  s.live_calls.push_back(parent);
  core::LiveCall ringing;
  ringing.call_sid = kChild;
  ringing.behavior = busy;
  ringing.dialed_by = kCall;
  ringing.ring_outcome = core::CallEvent::kBusy;
  ringing.queue.emplace();
  ringing.queue->name = "sales";
  ringing.queue->wait_url = {"https://app.example.com/hold", core::HttpMethod::kGet};
  ringing.conference.emplace();
  ringing.conference->sid = room.sid;
  ringing.conference->via_api = true;
  ringing.conference->default_music = false;
  ringing.conference->hold_url = {"https://app.example.com/hold-music", core::HttpMethod::kGet};
  ringing.conference->music = {doc.value(), "https://app.example.com/hold-music", 1, 0};
  s.live_calls.push_back(ringing);
  s.timers.push_back({kChild, core::TimerSlot::kLifecycle, core::TimerKind::kRingOutcome,
                      at(1767225606000)});
  s.timers.push_back({kCall, core::TimerSlot::kVerb, core::TimerKind::kDialTimeout,
                      at(1767225615000)});
  core::Notification note;
  note.sid = "NO" + std::string(32, '5');
  note.account_sid = kA;
  note.call_sid = kCall;
  note.error_code = 11200;
  note.date_created = at(1767225602000);
  note.request_variables = "AccountSid=" + kA + "&CallSid=" + kCall;
  s.notifications.push_back(note);
  core::JournalEvent e;
  e.account_sid = kA;
  e.call_sid = kCall;
  e.type = "webhook.request";
  e.at = at(1767225601000);
  e.wall = at(1767225601234);
  e.fields = core::Fields{{"url", "https://app.example.com/voice"},
                          {"params", "AccountSid=" + kA + "&CallSid=" + kCall}};
  s.journal.push_back(e);
  core::JournalEvent account_level;
  account_level.account_sid = kA;
  account_level.type = "api.request";
  account_level.at = account_level.wall = at(1767225600000);
  s.journal.push_back(account_level);
  core::JournalEvent of_conference;  // a conference's own event names its CF sid
  of_conference.account_sid = kA;
  of_conference.call_sid = "CF" + std::string(32, '6');
  of_conference.type = "conference";
  of_conference.at = of_conference.wall = at(1767225604000);
  of_conference.fields = core::Fields{{"event", "conference-start"}};
  s.journal.push_back(of_conference);
  return s;
}

// The document with one member's value replaced (the text of a member that appears once).
std::string with(std::string doc, const std::string& from, const std::string& to) {
  const size_t at = doc.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) doc.replace(at, from.size(), to);
  return doc;
}

std::string refusal(const std::string& doc) {
  auto r = parse_snapshot(doc, kA);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().http_status, 400);
  return r.error().message;
}

TEST(SnapshotJson, ReadsBackToTheSameBytes) {
  const std::string doc = snapshot_json(sample());
  auto read = parse_snapshot(doc, kA);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(snapshot_json(*read), doc);
}

TEST(SnapshotJson, IsPrettyPrintedInAFixedOrder) {
  const std::string doc = snapshot_json(sample());
  EXPECT_EQ(doc.rfind("{\n  \"dialtone_snapshot\": 1,\n  \"account_sid\": \"" + kA + "\",\n", 0),
            0u)
      << doc.substr(0, 200);
  const std::vector<std::string> order = {
      "\"clock\"", "\"sids\"",      "\"limits\"", "\"behaviors\"",     "\"numbers\"",
      "\"queues\"", "\"conferences\"", "\"calls\"", "\"live_calls\"", "\"timers\"", "\"notifications\"",
      "\"journal\""};
  size_t last = 0;
  for (const auto& key : order) {
    const size_t pos = doc.find("\n  " + key + ": ");
    ASSERT_NE(pos, std::string::npos) << key;
    EXPECT_GT(pos, last) << key;
    last = pos;
  }
  EXPECT_NE(doc.find("\"seed\": \"18446744073709551615\""), std::string::npos);
  EXPECT_EQ(doc.back(), '\n');
}

TEST(SnapshotJson, TheSourceAccountBecomesTheTargetEverywhere) {
  auto read = parse_snapshot(snapshot_json(sample()), kB);
  ASSERT_TRUE(read.ok()) << read.error().message;
  const core::AccountSnapshot& s = *read;
  EXPECT_EQ(s.account_sid, kA) << "the document still names its source";
  EXPECT_EQ(s.calls[0].account_sid, kB);
  EXPECT_EQ(s.calls[0].sid, kCall) << "call sids are kept";
  EXPECT_EQ(s.numbers[0].account_sid, kB);
  EXPECT_EQ(s.numbers[0].voice_url.url, "https://app.example.com/" + kB + "/voice");
  EXPECT_EQ(s.notifications[0].request_variables, "AccountSid=" + kB + "&CallSid=" + kCall);
  EXPECT_EQ(s.journal[0].field("params").value_or(""), "AccountSid=" + kB + "&CallSid=" + kCall);
  // Written again for B, it is A's document with only the account sid changed.
  core::AccountSnapshot as_b = s;
  as_b.account_sid = kB;
  std::string expected = snapshot_json(sample());
  for (size_t p; (p = expected.find(kA)) != std::string::npos;) expected.replace(p, kA.size(), kB);
  EXPECT_EQ(snapshot_json(as_b), expected);
  EXPECT_EQ(restored_json(kB, s),
            "{\"restored\": \"" + kB + "\", \"from\": \"" + kA +
                "\", \"calls\": 2, \"live_calls\": 2, \"notifications\": 1, "
                "\"events\": 3, \"numbers\": 1}");
}

TEST(SnapshotJson, WhatIsNotASnapshotIsRefused) {
  EXPECT_NE(refusal("{").find("not JSON"), std::string::npos);
  EXPECT_NE(refusal("[]").find("JSON object"), std::string::npos);
  EXPECT_NE(refusal("{\"calls\": []}").find("dialtone_snapshot is missing"), std::string::npos);
  const std::string doc = snapshot_json(sample());
  EXPECT_NE(refusal(with(doc, "\"dialtone_snapshot\": 1", "\"dialtone_snapshot\": 2"))
                .find("reads version 1 only"),
            std::string::npos);
  EXPECT_NE(refusal(with(doc, "\"account_sid\": \"" + kA + "\",\n  \"clock\"",
                         "\"account_sid\": \"nope\",\n  \"clock\""))
                .find("account_sid must be"),
            std::string::npos);
}

TEST(SnapshotJson, DeepNestingIsRefusedNotACrash) {
  EXPECT_NE(refusal(std::string(500'000, '[')).find("not JSON"), std::string::npos);
  // Nested documents in a live call's program stop at a depth no TwiML document reaches.
  std::string deep = "{\"name\": \"Response\"";
  for (int i = 0; i < 40; ++i) deep += ", \"children\": [{\"name\": \"Say\"";
  for (int i = 0; i < 40; ++i) deep += "}]";
  deep += "}";
  std::string doc = snapshot_json(sample());
  const std::string program = "\"document\": {";
  const size_t at = doc.find(program);
  ASSERT_NE(at, std::string::npos);
  doc.insert(at + program.size() - 1, deep + ", \"unused\": ");
  EXPECT_NE(refusal(doc).find("nested too deep"), std::string::npos) << refusal(doc);
}

TEST(SnapshotJson, AMemberThatDoesNotReadIsNamed) {
  const std::string doc = snapshot_json(sample());
  const std::pair<std::pair<std::string, std::string>, std::string> cases[] = {
      {{"\"status\": \"in-progress\"", "\"status\": \"done\""}, "calls[0].status 'done'"},
      {{"\"direction\": \"outbound-api\"", "\"direction\": 3"}, "calls[0].direction must be"},
      {{"\"price\": \"-0.01400\"", "\"prize\": \"-0.01400\""}, "calls[0].prize is not a member"},
      {{"\"mode\": \"manual\"", "\"mode\": \"slow\""}, "clock.mode must be manual or real"},
      {{"\"speed\": 1.0", "\"speed\": 0"}, "clock.speed must be"},
      {{"\"seed\": \"18446744073709551615\"", "\"seed\": 5"}, "sids.seed must be"},
      {{"\"made\": 7", "\"made\": -1"}, "sids.made must be from 0"},
      {{"\"calls_per_second\": 2", "\"calls_per_second\": 5000"}, "limits.calls_per_second"},
      {{"\"pattern\": \"^\\\\+1415\"", "\"pattern\": \"^(\""},
       "behaviors.rules[0].pattern '^(' is not a valid regular expression"},
      {{"\"outcome\": \"busy\"", "\"outcome\": \"maybe\""}, "behaviors.rules[0].behavior.outcome"},
      {{"\"type\": \"webhook.request\"", "\"type\": \"Bad Type\""}, "journal[0].type must be"},
      {{"\"url\": \"https://app.example.com/voice\",\n        \"params\"",
        "\"url\": 7,\n        \"params\""},
       "journal[0].fields url must be a string"},
      {{"\"sid\": \"PN", "\"sid\": \"XX"}, "numbers[0].sid 'XX"},
      {{"\"sid\": \"NO", "\"sid\": \"CA"}, "notifications[0].sid"},
      {{"\"name\": \"sales\"", "\"name\": \"sales\", \"extra\": 1"}, "queues[0].extra"},
      {{"\"phase\": \"dial\"", "\"phase\": \"sleeping\""}, "live_calls[0].phase 'sleeping'"},
      {{"\"index\": 1", "\"index\": 3"}, "live_calls[0].program.index must be from 0 to 2"},
      {{"\"kind\": \"dial-timeout\"", "\"kind\": \"alarm\""}, "timers[1].kind 'alarm'"},
      {{"\"name\": \"Number\"", "\"nam\": \"Number\""},
       "live_calls[0].program.document.children[1].children[0].name is missing"},
      {{"\"voice\": \"alice\"", "\"voice\": 1"},
       "live_calls[0].program.document.children[0].attrs voice must be a string"},
      {{"\"status\": \"init\"", "\"status\": \"open\""}, "conferences[1].status 'open'"},
      {{"\"status_callback_event\": \"end join\"", "\"status_callback_event\": \"end talk\""},
       "conferences[1].status_callback_event 'end talk'"},
      {{"\"label\": \"customer\"", "\"label\": \"a/b\""},
       "conferences[1].participants[0].label 'a/b'"},
      {{"\"max_participants\": 10", "\"max_participants\": 251"},
       "conferences[0].max_participants"},
      {{"\"via_api\": true", "\"via_api\": 1"}, "live_calls[1].conference.via_api must be"},
      {{"\"sid\": \"CF", "\"sid\": \"CA"}, "conferences[0].sid"},
  };
  for (const auto& [edit, words] : cases) {
    const std::string message = refusal(with(doc, edit.first, edit.second));
    EXPECT_NE(message.find(words), std::string::npos) << "want '" << words << "' in: " << message;
    EXPECT_EQ(message.rfind("Invalid snapshot: ", 0), 0u) << message;
  }
  // A record of another account in the document.
  const std::string other = "AC" + std::string(32, 'e');
  std::string mixed = with(doc, "\"account_sid\": \"" + kA + "\",\n      \"parent_call_sid\"",
                           "\"account_sid\": \"" + other + "\",\n      \"parent_call_sid\"");
  EXPECT_NE(refusal(mixed).find("calls[0].account_sid '" + other + "' is not the document's"),
            std::string::npos)
      << refusal(mixed);
  // Several problems: the first is named, the others counted.
  std::string two = with(with(doc, "\"mode\": \"manual\"", "\"mode\": \"slow\""), "\"made\": 7",
                         "\"made\": \"7\"");
  EXPECT_NE(refusal(two).find("and 1 more problem"), std::string::npos) << refusal(two);
}

}  // namespace
}  // namespace dialtone::api
