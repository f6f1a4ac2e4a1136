// The SQLite store: every field of a call, notification, journal event and setting comes back
// as it was written; resets and deletes remove rows; calls keep their creation order.
#include "server/store.hpp"

#include <gmock/gmock.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <ostream>

#include "api/records_json.hpp"
#include "server/event_groups.hpp"
#include "tests/core/engine_fixture.hpp"
#include "tests/server/sqlite_helpers.hpp"

namespace dialtone::server {
namespace {

using core::testing::kAc;
namespace fs = std::filesystem;

class StoreTest : public core::testing::EngineTest {
 protected:
  StoreTest() {
    rebuild(tracking_config());
    store_ = Store::open(dir_.string());
  }

  void flush(bool settings = false) {
    store_->write(engine().take_changes(), settings ? &engine() : nullptr);
  }

  // Runs `sql` on the closed database (to make it what an older dialtone wrote), then reopens
  // the store on it.
  void rewrite_closed(const std::string& sql) {
    store_.reset();
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "dialtone.db").c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    store_ = Store::open(dir_.string());
  }

  // A journal an older dialtone left (`sql` writes its rows), continued by two events (seq 3
  // and 4), then read back by a fresh engine.
  std::unique_ptr<core::Engine> continue_older_journal(const std::string& sql);

  // A fresh engine (no account, nothing) loaded from a reopened database.
  std::unique_ptr<core::Engine> reload() {
    store_.reset();
    store_ = Store::open(dir_.string());
    auto e = std::make_unique<core::Engine>(clock2_, clock2_, tracking_config(), 7);
    stats_ = store_->load(*e);
    return e;
  }

  // Writes the call alone, then reload().
  std::unique_ptr<core::Engine> write_and_reload(const core::Call& call) {
    core::Changes changes;
    changes.calls.push_back(&call);
    store_->write(changes, nullptr);
    return reload();
  }

  // Before store_: the store closes before its directory goes.
  sqlite_test::ScratchDir scratch_{"dialtone_store_test_"};
  const fs::path& dir_ = scratch_.path();
  std::unique_ptr<Store> store_;
  core::ManualClock clock2_;
  StoreStats stats_;
};

core::Call every_field_set() {
  using std::chrono::seconds;
  core::Call c;
  c.sid = "CA" + std::string(32, '1');
  c.account_sid = kAc;
  c.parent_call_sid = "CA" + std::string(32, '2');
  c.to = "+14155550100";
  c.to_formatted = "(415) 555-0100";
  c.from = "client:alice";
  c.from_formatted = "alice";
  c.phone_number_sid = "PN" + std::string(32, '3');
  c.status = core::CallStatus::kNoAnswer;
  c.direction = core::Direction::kOutboundDial;
  c.date_created = core::TimePoint{core::Millis{1767225600123}};
  c.date_updated = c.date_created + seconds(5);
  c.start_time = c.date_created + seconds(1);
  c.end_time = c.date_created + seconds(4);
  c.duration_s = 3;
  c.queue_time_ms = 17;
  c.answered_by = "machine_start";
  c.forwarded_from = "+14155550111";
  c.caller_name = "Ada \"quoted\" \xc3\xa9";
  c.price = "-0.01300";
  c.url = {"https://app.example.com/voice?a=1&b=2", core::HttpMethod::kGet};
  c.twiml = "<Response><Say>hi\n\"there\"</Say></Response>";
  c.fallback = {"https://app.example.com/fallback", core::HttpMethod::kPost};
  c.status_callback = {"https://app.example.com/status", core::HttpMethod::kGet};
  c.status_callback_events = core::kEventInitiated | core::kEventCompleted;
  c.timeout_s = 33;
  c.time_limit_s = 600;
  c.send_digits = "1w2#";
  c.record = true;
  c.machine_detection = "DetectMessageEnd";
  c.caller_id = "+14155550122";
  c.callbacks_sent = core::kEventInitiated | core::kEventRinging;
  c.callback_sequence = 4;
  c.child_sids = {"CA" + std::string(32, '4'), "CA" + std::string(32, '5')};
  c.deleted = false;
  return c;
}

TEST_F(StoreTest, EveryFieldOfACallRoundTrips) {
  const core::Call in = every_field_set();
  auto e = write_and_reload(in);
  const core::Call* out = e->find_call(kAc, in.sid);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->sid, in.sid);
  EXPECT_EQ(out->account_sid, in.account_sid);
  EXPECT_EQ(out->parent_call_sid, in.parent_call_sid);
  EXPECT_EQ(out->to, in.to);
  EXPECT_EQ(out->to_formatted, in.to_formatted);
  EXPECT_EQ(out->from, in.from);
  EXPECT_EQ(out->from_formatted, in.from_formatted);
  EXPECT_EQ(out->phone_number_sid, in.phone_number_sid);
  EXPECT_EQ(out->status, in.status);
  EXPECT_EQ(out->direction, in.direction);
  EXPECT_EQ(out->date_created, in.date_created);
  EXPECT_EQ(out->date_updated, in.date_updated);
  EXPECT_EQ(out->start_time, in.start_time);
  EXPECT_EQ(out->end_time, in.end_time);
  EXPECT_EQ(out->duration_s, in.duration_s);
  EXPECT_EQ(out->queue_time_ms, in.queue_time_ms);
  EXPECT_EQ(out->answered_by, in.answered_by);
  EXPECT_EQ(out->forwarded_from, in.forwarded_from);
  EXPECT_EQ(out->caller_name, in.caller_name);
  EXPECT_EQ(out->price, in.price);
  EXPECT_EQ(out->url.url, in.url.url);
  EXPECT_EQ(out->url.method, in.url.method);
  EXPECT_EQ(out->twiml, in.twiml);
  EXPECT_EQ(out->fallback.url, in.fallback.url);
  EXPECT_EQ(out->fallback.method, in.fallback.method);
  EXPECT_EQ(out->status_callback.url, in.status_callback.url);
  EXPECT_EQ(out->status_callback.method, in.status_callback.method);
  EXPECT_EQ(out->status_callback_events, in.status_callback_events);
  EXPECT_EQ(out->timeout_s, in.timeout_s);
  EXPECT_EQ(out->time_limit_s, in.time_limit_s);
  EXPECT_EQ(out->send_digits, in.send_digits);
  EXPECT_EQ(out->record, in.record);
  EXPECT_EQ(out->machine_detection, in.machine_detection);
  EXPECT_EQ(out->caller_id, in.caller_id);
  EXPECT_EQ(out->callbacks_sent, in.callbacks_sent);
  EXPECT_EQ(out->callback_sequence, in.callback_sequence);
  EXPECT_EQ(out->child_sids, in.child_sids);
  EXPECT_EQ(out->deleted, in.deleted);
}

TEST_F(StoreTest, UnsetOptionalsStayUnset) {
  core::Call in = every_field_set();
  in.start_time.reset();
  in.end_time.reset();
  in.duration_s.reset();
  in.time_limit_s.reset();
  in.status = core::CallStatus::kCanceled;
  auto e = write_and_reload(in);
  const core::Call* out = e->find_call(kAc, in.sid);
  ASSERT_NE(out, nullptr);
  EXPECT_FALSE(out->start_time.has_value());
  EXPECT_FALSE(out->end_time.has_value());
  EXPECT_FALSE(out->duration_s.has_value());
  EXPECT_FALSE(out->time_limit_s.has_value());
}

TEST_F(StoreTest, CallsNotificationsAndJournalComeBackInOrder) {
  on(core::testing::kApp + "/voice", core::testing::http_error(500));
  std::vector<std::string> sids;
  for (int i = 0; i < 5; ++i) sids.push_back(create());
  flush();
  advance(5);  // all fail to fetch TwiML: completed, each with a notification
  flush();
  const auto& events = engine().journal().events();
  const uint64_t last_seq = engine().journal().last_seq();
  const size_t event_count = events.size();

  auto e = reload();
  EXPECT_EQ(stats_.calls, 5u);
  EXPECT_EQ(stats_.notifications, 5u);
  EXPECT_EQ(stats_.events, event_count);
  auto page = e->list_calls(kAc, {}, 50, 0, "", "");
  ASSERT_EQ(page.calls.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(page.calls[i]->sid, sids[4 - i]) << "newest first";
  for (const auto& sid : sids) {
    EXPECT_EQ(e->find_call(kAc, sid)->status, core::CallStatus::kCompleted);
    auto ns = e->notifications(kAc, sid);
    ASSERT_EQ(ns.size(), 1u);
    EXPECT_EQ(ns[0]->error_code, engine().notifications(kAc, sid)[0]->error_code);
    EXPECT_EQ(ns[0]->request_url, engine().notifications(kAc, sid)[0]->request_url);
    EXPECT_EQ(ns[0]->date_created, engine().notifications(kAc, sid)[0]->date_created);
  }
  ASSERT_EQ(e->journal().events().size(), event_count);
  EXPECT_EQ(e->journal().last_seq(), last_seq);
  for (size_t i = 0; i < event_count; ++i) {
    const auto& a = events[i];
    const auto& b = e->journal().events()[i];
    EXPECT_EQ(a.seq, b.seq);
    EXPECT_EQ(a.account_sid, b.account_sid);
    EXPECT_EQ(a.call_sid, b.call_sid);
    EXPECT_EQ(a.at, b.at);
    EXPECT_EQ(a.wall, b.wall);
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.fields, b.fields);
  }
}

TEST_F(StoreTest, UpdatesReplaceTheRowAndKeepItsPlace) {
  on_twiml(core::testing::kApp + "/voice", "<Response><Pause length=\"300\"/></Response>");
  const std::string a = create();
  const std::string b = create();
  flush();
  ASSERT_TRUE(update(a, set_status(core::CallStatus::kCompleted)).ok());
  flush();
  auto e = reload();
  EXPECT_EQ(e->find_call(kAc, a)->status, core::CallStatus::kCanceled);
  EXPECT_EQ(e->find_call(kAc, b)->status, core::CallStatus::kQueued);
  auto page = e->list_calls(kAc, {}, 50, 0, "", "");
  ASSERT_EQ(page.calls.size(), 2u);
  EXPECT_EQ(page.calls[0]->sid, b);
  EXPECT_EQ(page.calls[1]->sid, a);
}

// Rows are found by rowid from a map the store rebuilds when it opens (call_rowids.hpp): a
// call written before a restart is updated or deleted in place after it, never written twice.
TEST_F(StoreTest, ACallWrittenBeforeARestartIsUpdatedInPlaceAfterIt) {
  on_twiml(core::testing::kApp + "/voice", "<Response><Pause length=\"300\"/></Response>");
  const std::string a = create();
  const std::string b = create();
  flush();
  store_.reset();
  store_ = Store::open(dir_.string());
  ASSERT_TRUE(update(a, set_status(core::CallStatus::kCompleted)).ok());
  ASSERT_TRUE(update(b, set_status(core::CallStatus::kCompleted)).ok());
  ASSERT_TRUE(engine().delete_call(kAc, b).ok());  // only an ended call may be deleted
  flush();
  auto e = reload();
  EXPECT_EQ(stats_.calls, 1u);
  EXPECT_EQ(e->find_call(kAc, a)->status, core::CallStatus::kCanceled);
  EXPECT_EQ(e->find_call(kAc, b), nullptr);
}

// The write-ahead log is copied into the database off the commit path (wal_checkpointer.hpp)
// and still starts over, again and again, under a stream of commits: the background passes
// copy most of it, the writer the short tails, and the commit after a tail restarts the log.
// A call whose document is padded to the size wanted (its TwiML).
core::Call padded_call(const std::string& sid, const std::string& pad) {
  core::Call c;
  c.sid = sid;
  c.account_sid = kAc;
  c.twiml = pad;
  return c;
}

TEST_F(StoreTest, TheLogIsCheckpointedOffTheCommitPathAndStartsOver) {
  const std::string body(2000, 'x');  // about half a page per call
  int restarts = 0, previous = 0, most = 0;
  for (int i = 0; i < 10000 && restarts < 2; ++i) {
    StoreBatch b;
    char sid[35];
    std::snprintf(sid, sizeof sid, "CA%032d", i);
    b.calls.push_back(padded_call(sid, body));
    store_->commit({b});
    store_->sync();  // as the server's sync thread does: the commits come at a disk's pace
    const int pages = store_->checkpoint_stats().log_pages;
    if (pages < previous) ++restarts;
    previous = pages;
    most = std::max(most, pages);
  }
  const auto stats = store_->checkpoint_stats();
  EXPECT_EQ(restarts, 2);
  EXPECT_GE(stats.passes, 1u);
  EXPECT_GE(stats.tails, 1u);
  EXPECT_EQ(stats.failures, 0u);
  EXPECT_LT(most, WalCheckpointer::kHardCap);
  auto e = reload();
  EXPECT_GT(stats_.calls, 0u);
}

// The log's writes are gathered into one per commit (server/wal_write_buffer.hpp): a commit
// is in the file when COMMIT returns, for another connection (the checkpointer's) and for
// sync(); and a commit of several MiB (more than the 128 KiB SQLite's own VFS writes at
// once, and more than the buffer holds) is written whole.
TEST_F(StoreTest, ACommitIsInTheLogFileWhenItReturns) {
  int64_t bodies = 0;
  for (int i = 0; i < 3; ++i) {
    StoreBatch b;
    char sid[35];
    std::snprintf(sid, sizeof sid, "CA%032d", i);
    // The second is 3 MiB in one row; the others a few pages.
    const std::string pad(i == 1 ? (3 << 20) : 9000, 'y');
    b.calls.push_back(padded_call(sid, pad));
    bodies += static_cast<int64_t>(
        api::record_json(b.calls.back(), &api::write_call, api::RecordWriter::Members::kSet)
            .size());
    store_->commit({b});
    // Another connection, without the buffering VFS, reads what the log file holds.
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open_v2((dir_ / "dialtone.db").c_str(), &other, SQLITE_OPEN_READONLY,
                              nullptr),
              SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(other, "SELECT count(*), sum(length(body)) FROM calls", -1, &q,
                                 nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(q, 0), i + 1);
    EXPECT_EQ(sqlite3_column_int64(q, 1), bodies);
    sqlite3_finalize(q);
    sqlite3_close(other);
    store_->sync();
  }
  auto e = reload();
  EXPECT_EQ(stats_.calls, 3u);
}

// The journal on disk keeps its newest kMaxEvents events: older ones go in small range
// deletes, once 256 of them are past the bound (not one huge delete now and then).
// Events as a batch of their own, one account's.
StoreBatch event_batch(int64_t from, int64_t to, const std::string& account = kAc) {
  StoreBatch b;
  for (int64_t seq = from; seq <= to; ++seq) {
    core::JournalEvent e;
    e.seq = static_cast<uint64_t>(seq);
    e.account_sid = account;
    e.call_sid = "CA1";
    e.at = core::TimePoint{core::Millis{seq * 10}};
    e.wall = core::TimePoint{core::Millis{seq * 20}};
    e.type = "status";
    e.fields = core::EventFields{{"status", "ringing"}};
    b.events.push_back(std::move(e));
  }
  return b;
}

// The schema version the database says it has, read beside the store.
std::string schema_version(const fs::path& db) {
  sqlite3* other = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &other, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(other, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &q,
                     nullptr);
  std::string out;
  if (sqlite3_step(q) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(other);
  return out;
}

std::unique_ptr<core::Engine> StoreTest::continue_older_journal(const std::string& sql) {
  rewrite_closed(sql);
  store_->commit({event_batch(3, 4)});
  return reload();
}

// What the database holds of the journal, read beside the store: rows, events, lowest seq.
struct OnDisk {
  int64_t rows = 0, events = 0, min_seq = 0;
  friend bool operator==(const OnDisk&, const OnDisk&) = default;
};
std::ostream& operator<<(std::ostream& os, const OnDisk& d) {
  return os << "{rows " << d.rows << ", events " << d.events << ", min " << d.min_seq << "}";
}
OnDisk on_disk(const fs::path& db) {
  sqlite3* other = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &other, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(other,
                     // A row's first element is its format (2), then its events.
                     "SELECT count(*), coalesce(sum(json_array_length(events) - 1), 0), "
                     "coalesce(min(first_seq), 0) FROM event_groups",
                     -1, &q, nullptr);
  sqlite3_step(q);
  const OnDisk out{sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
                   sqlite3_column_int64(q, 2)};
  sqlite3_finalize(q);
  sqlite3_close(other);
  return out;
}

TEST_F(StoreTest, TheJournalOnDiskIsPrunedInSmallSteps) {
  const auto db = dir_ / "dialtone.db";
  const auto bound = static_cast<int64_t>(Store::kMaxEvents);
  for (int64_t seq = 1; seq <= 1000; ++seq) store_->commit({event_batch(seq, seq)});
  EXPECT_EQ(on_disk(db), (OnDisk{1000, 1000, 1}));
  store_->commit({event_batch(bound + 100, bound + 100)});  // 100 past the bound: kept for now
  EXPECT_EQ(on_disk(db), (OnDisk{1001, 1001, 1}));
  store_->commit({event_batch(bound + 600, bound + 600)});  // 600 past: the oldest 600 go
  EXPECT_EQ(on_disk(db), (OnDisk{402, 402, 601}));
}

// Pruning runs at every commit once the journal is at its bound: it must be a range of the
// primary key, not a scan of the table.
TEST_F(StoreTest, PruningTheJournalIsARangeOfThePrimaryKey) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "dialtone.db").c_str(), &raw, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, (std::string("EXPLAIN QUERY PLAN ") + kPruneEventGroups).c_str(),
                               -1, &st, nullptr),
            SQLITE_OK);
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    plan += "; ";
  }
  sqlite3_finalize(st);
  sqlite3_close(raw);
  EXPECT_THAT(plan, ::testing::HasSubstr("USING INTEGER PRIMARY KEY")) << plan;
  EXPECT_THAT(plan, ::testing::Not(::testing::HasSubstr("SCAN"))) << plan;
}

// A commit's events are one row per account, whatever the batches they came in.
TEST_F(StoreTest, ACommitWritesItsEventsAsOneRowPerAccount) {
  store_->commit({event_batch(1, 3), event_batch(4, 4, "ACother"), event_batch(5, 9)});
  EXPECT_EQ(on_disk(dir_ / "dialtone.db"), (OnDisk{2, 9, 1}));
}

// The rows of one commit overlap in seq; a restart reads the events back in journal order,
// every member as it was.
TEST_F(StoreTest, InterleavedAccountsComeBackInJournalOrder) {
  store_->commit({event_batch(1, 1), event_batch(2, 2, "ACother"), event_batch(3, 4),
                  event_batch(5, 5, "ACother")});
  store_->commit({event_batch(6, 6, "ACother"), event_batch(7, 7)});
  auto e = reload();
  EXPECT_EQ(stats_.events, 7u);
  const auto& events = e->journal().events();
  ASSERT_EQ(events.size(), 7u);
  for (size_t i = 0; i < events.size(); ++i) {
    const auto seq = static_cast<int64_t>(i + 1);
    EXPECT_EQ(events[i].seq, static_cast<uint64_t>(seq));
    EXPECT_EQ(events[i].account_sid, (seq == 2 || seq == 5 || seq == 6) ? "ACother" : kAc);
    EXPECT_EQ(events[i].call_sid, "CA1");
    EXPECT_EQ(events[i].at, core::TimePoint{core::Millis{seq * 10}});
    EXPECT_EQ(events[i].wall, core::TimePoint{core::Millis{seq * 20}});
    EXPECT_EQ(events[i].type, "status");
    EXPECT_EQ(events[i].field("status"), "ringing");
  }
  EXPECT_EQ(e->journal().last_seq(), 7u);
}

// A reset later in the same transaction drops the account's events of that transaction too,
// not only its rows on disk.
TEST_F(StoreTest, AResetInTheSameCommitDropsTheAccountsEarlierEvents) {
  StoreBatch reset;
  reset.reset_accounts.push_back(kAc);
  store_->commit({event_batch(1, 2), event_batch(3, 3, "ACother"), reset, event_batch(4, 4)});
  auto e = reload();
  ASSERT_EQ(e->journal().events().size(), 2u);
  EXPECT_EQ(e->journal().events()[0].seq, 3u);
  EXPECT_EQ(e->journal().events()[1].seq, 4u);
  StoreBatch all;
  all.reset_all = true;
  store_->commit({event_batch(5, 5), all, event_batch(6, 6, "ACother")});
  e = reload();
  ASSERT_EQ(e->journal().events().size(), 1u);
  EXPECT_EQ(e->journal().events()[0].seq, 6u);
}

// Schema 4 writes each event of a row against the one before it (server/event_groups.hpp):
// sids repeated, changed, emptied (an account's own event) and back, times that go back, a
// gap in seq; read back, every event is as it was.
TEST_F(StoreTest, EventsWrittenAgainstThePreviousComeBackWhole) {
  const std::vector<std::string> calls = {"CA1", "CA1", "", "CA2", "CA2", "CA1", ""};
  StoreBatch b;
  int64_t seq = 40;
  for (size_t i = 0; i < calls.size(); ++i) {
    core::JournalEvent e;
    seq += i == 3 ? 5 : 1;  // a read's journal line is not kept: seq has gaps
    e.seq = static_cast<uint64_t>(seq);
    e.account_sid = kAc;
    e.call_sid = calls[i];
    e.at = core::TimePoint{core::Millis{i == 4 ? 7 : 1000 + static_cast<int64_t>(i)}};
    e.wall = core::TimePoint{core::Millis{1767225600000 - static_cast<int64_t>(i)}};
    e.type = i % 2 ? "api.request" : "status";
    e.fields = core::EventFields{{"n", std::to_string(i)}};
    b.events.push_back(std::move(e));
  }
  const std::vector<core::JournalEvent> written = b.events;
  store_->commit({b});
  auto e = reload();
  const auto& events = e->journal().events();
  ASSERT_EQ(events.size(), written.size());
  for (size_t i = 0; i < written.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].seq, written[i].seq);
    EXPECT_EQ(events[i].account_sid, kAc);
    EXPECT_EQ(events[i].call_sid, written[i].call_sid);
    EXPECT_EQ(events[i].at, written[i].at);
    EXPECT_EQ(events[i].wall, written[i].wall);
    EXPECT_EQ(events[i].type, written[i].type);
    EXPECT_EQ(events[i].fields, written[i].fields);
  }
}

// A corrupt relative row whose differences overflow reads as wrapped numbers (the sanitizer
// builds would report a signed overflow).
TEST_F(StoreTest, ARelativeRowThatOverflowsWraps) {
  rewrite_closed(
      "INSERT INTO event_groups(first_seq, last_seq, account_sid, events) VALUES "
      "(1, 2, '" + kAc + "', '[2,[9223372036854775807,\"CA1\",9223372036854775807,0,"
      "\"status\",[]],[1,null,1,-1,\"status\",[]]]');");
  auto e = reload();
  ASSERT_EQ(e->journal().events().size(), 2u);
  EXPECT_EQ(e->journal().events()[0].seq,
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(e->journal().events()[1].seq, uint64_t{1} << 63);
  EXPECT_EQ(e->journal().events()[1].at.time_since_epoch().count(),
            std::numeric_limits<int64_t>::min());
}

// Rows of schema 3 hold each event whole; a schema 4 dialtone reads them beside its own.
TEST_F(StoreTest, ASchema3JournalIsReadAndContinued) {
  const std::string db = (dir_ / "dialtone.db").string();
  auto e = continue_older_journal(
      "INSERT INTO event_groups(first_seq, last_seq, account_sid, events) VALUES "
      "(1, 2, '" + kAc + "', '[[1,\"CA1\",10,20,\"status\",[[\"status\",\"queued\"]]],"
      "[2,\"CA1\",30,40,\"status\",[]]]');"
      "UPDATE meta SET value = '3' WHERE key = 'schema_version';");
  const auto& events = e->journal().events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].seq, 1u);
  EXPECT_EQ(events[0].field("status"), "queued");
  EXPECT_EQ(events[1].at, core::TimePoint{core::Millis{30}});
  EXPECT_EQ(events[1].wall, core::TimePoint{core::Millis{40}});
  EXPECT_EQ(events[2].seq, 3u);
  EXPECT_EQ(events[3].at, core::TimePoint{core::Millis{40}});
  EXPECT_EQ(schema_version(db), "5");
}

TEST_F(StoreTest, ACorruptEventRowStopsTheStartUp) {
  // An event cut short; a relative row whose first event names no call; a format to come.
  for (const char* row : {"[[1,\"CA1\"]]", "[2,[1,null,10,20,\"status\",[]]]",
                          "[3,[1,\"CA1\",10,20,\"status\",[]]]"}) {
    SCOPED_TRACE(row);
    store_.reset();
    fs::remove_all(dir_);
    store_ = Store::open(dir_.string());
    store_->commit({event_batch(1, 2)});
    rewrite_closed(std::string("UPDATE event_groups SET events = '") + row + "'");
    core::ManualClock clock;
    core::Engine e(clock, clock, tracking_config(), 7);
    EXPECT_THROW(store_->load(e), StoreError);
  }
}

// Schema 2 kept a row per event in `events`: opening such a database keeps them (read before
// every group: they are older), and the journal goes on in groups.
TEST_F(StoreTest, ASchema2JournalIsReadAndContinued) {
  const std::string db = (dir_ / "dialtone.db").string();
  auto e = continue_older_journal(
      "INSERT INTO events(seq, account_sid, call_sid, at_ms, wall_ms, type, fields) VALUES "
      "(1, '" + kAc + "', 'CA1', 10, 20, 'status', '[[\"status\",\"queued\"]]'), "
      "(2, 'ACother', '', 30, 40, 'api.request', '[]');"
      "UPDATE meta SET value = '2' WHERE key = 'schema_version';");
  const auto& events = e->journal().events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].seq, 1u);
  EXPECT_EQ(events[0].field("status"), "queued");
  EXPECT_EQ(events[1].account_sid, "ACother");
  EXPECT_EQ(events[2].seq, 3u);
  EXPECT_EQ(events[3].seq, 4u);

  // The old rows are reset and pruned like the groups.
  StoreBatch reset;
  reset.reset_accounts.push_back("ACother");
  store_->commit({reset});
  e = reload();
  ASSERT_EQ(e->journal().events().size(), 3u);
  EXPECT_EQ(schema_version(db), "5");
}

// Schema version 1 had a unique index on calls(sid); opening such a database copies the table
// without it, keeping every call and its order.
TEST_F(StoreTest, AVersion1DatabaseIsMigrated) {
  on_twiml(core::testing::kApp + "/voice", "<Response><Pause length=\"300\"/></Response>");
  const std::string a = create();
  const std::string b = create();
  flush();
  store_.reset();
  const std::string db = (dir_ / "dialtone.db").string();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  const char* to_v1 =
      "CREATE TABLE old_calls (sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, "
      "  body TEXT NOT NULL);"
      "INSERT INTO old_calls(rowid, sid, account_sid, body) "
      "  SELECT rowid, sid, account_sid, body FROM calls;"
      "DROP TABLE calls; ALTER TABLE old_calls RENAME TO calls;"
      "CREATE INDEX calls_account ON calls(account_sid);"
      "UPDATE meta SET value = '1' WHERE key = 'schema_version';";
  ASSERT_EQ(sqlite3_exec(raw, to_v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);

  store_ = Store::open(dir_.string());
  ASSERT_TRUE(update(a, set_status(core::CallStatus::kCompleted)).ok());
  flush();
  auto e = reload();
  EXPECT_EQ(stats_.calls, 2u);
  EXPECT_EQ(e->find_call(kAc, a)->status, core::CallStatus::kCanceled);
  auto page = e->list_calls(kAc, {}, 50, 0, "", "");
  ASSERT_EQ(page.calls.size(), 2u);
  EXPECT_EQ(page.calls[0]->sid, b);
  EXPECT_EQ(page.calls[1]->sid, a);
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT (SELECT value FROM meta WHERE key = 'schema_version'), "
                               "(SELECT count(*) FROM sqlite_master WHERE tbl_name = 'calls' "
                               " AND type = 'index' AND sql IS NULL)",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "5");
  EXPECT_EQ(sqlite3_column_int(st, 1), 0) << "the unique index on sid is gone";
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_F(StoreTest, DeletesAndResetsRemoveRows) {
  on(core::testing::kApp + "/voice", core::testing::http_error(500));
  const std::string gone = create();
  const std::string kept = create();
  advance(5);
  flush();
  ASSERT_TRUE(engine().delete_call(kAc, gone).ok());
  flush();
  {
    auto e = reload();
    EXPECT_EQ(e->find_call(kAc, gone), nullptr);
    EXPECT_NE(e->find_call(kAc, kept), nullptr);
    EXPECT_EQ(stats_.notifications, 1u) << "the deleted call's notification went with it";
  }
  engine().reset_account(kAc);
  flush();
  {
    auto e = reload();
    EXPECT_EQ(stats_.calls, 0u);
    EXPECT_EQ(stats_.notifications, 0u);
    EXPECT_EQ(stats_.events, 0u);
  }
  create();
  flush();
  engine().reset();
  const std::string after = create();
  flush();
  auto e = reload();
  EXPECT_EQ(stats_.calls, 1u) << "the reset dropped what came before, not what came after";
  EXPECT_NE(e->find_call(kAc, after), nullptr);
}

// A call row as the store writes it: enough to read back.
core::Call call_row(const std::string& sid, const std::string& account) {
  core::Call c;
  c.sid = sid;
  c.account_sid = account;
  c.to = "+14155550100";
  c.from = "+14155550111";
  return c;
}

// The sids in the calls table, read beside the store, in rowid order ("sid@rowid").
std::vector<std::string> call_rows(const fs::path& db) {
  sqlite3* other = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &other, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(other, "SELECT sid || '@' || rowid FROM calls ORDER BY rowid", -1, &q,
                     nullptr);
  std::vector<std::string> out;
  while (sqlite3_step(q) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  }
  sqlite3_finalize(q);
  sqlite3_close(other);
  return out;
}

int64_t count_of(const fs::path& db, const std::string& sql) {
  sqlite3* other = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &other, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(other, sql.c_str(), -1, &q, nullptr);
  const int64_t n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
  sqlite3_finalize(q);
  sqlite3_close(other);
  return n;
}

// The calls table has no index on the account (store.cpp, kSchema): the writer keeps each
// account's rows, from its own inserts and from the rows a restart read. A reset takes the
// account's calls and journal and nothing of another account's.
TEST_F(StoreTest, AResetAfterARestartTakesTheAccountsRowsAndNoOthers) {
  const auto db = dir_ / "dialtone.db";
  StoreBatch first = event_batch(1, 2);
  first.calls = {call_row("CAa1", kAc), call_row("CAb1", "ACother"), call_row("CAa2", kAc)};
  store_->commit({first, event_batch(3, 3, "ACother")});
  reload();
  StoreBatch reset;
  reset.reset_accounts.push_back(kAc);
  StoreBatch after = event_batch(4, 4);
  after.calls = {call_row("CAa3", kAc)};
  store_->commit({reset, after});
  // The largest rowid was CAa2's 3: it is CAa3's now.
  EXPECT_EQ(call_rows(db), (std::vector<std::string>{"CAb1@2", "CAa3@3"}));
  auto e = reload();
  EXPECT_EQ(stats_.calls, 2u);
  ASSERT_EQ(e->journal().events().size(), 2u);
  EXPECT_EQ(e->journal().events()[0].seq, 3u);
  EXPECT_EQ(e->journal().events()[1].seq, 4u);
  // Once more, on the rows this writer inserted itself.
  store_->commit({reset});
  EXPECT_EQ(call_rows(db), (std::vector<std::string>{"CAb1@2"}));
  e = reload();
  ASSERT_EQ(e->journal().events().size(), 1u);
  EXPECT_EQ(e->journal().events()[0].account_sid, "ACother");
}

// SQLite gives a new row the rowid after the largest: the rowid of a deleted call may come
// back as another account's call. The account's reset must leave that one alone.
TEST_F(StoreTest, AResetLeavesARowidThatNowHoldsAnotherAccountsCall) {
  const auto db = dir_ / "dialtone.db";
  StoreBatch calls;
  calls.calls = {call_row("CAa1", kAc), call_row("CAa2", kAc)};
  store_->commit({calls});
  StoreBatch gone;
  gone.deleted = {"CAa2"};
  store_->commit({gone});
  StoreBatch other;
  other.calls = {call_row("CAb1", "ACother")};
  store_->commit({other});
  ASSERT_EQ(call_rows(db), (std::vector<std::string>{"CAa1@1", "CAb1@2"}));
  StoreBatch reset;
  reset.reset_accounts.push_back(kAc);
  store_->commit({reset});
  EXPECT_EQ(call_rows(db), (std::vector<std::string>{"CAb1@2"}));
}

// An account's journal rows are not deleted at its reset but marked dead (journal_resets);
// the prune that takes the last row a mark names takes the mark. A dead row that straddles
// the prune's bound stays, and stays dead.
TEST_F(StoreTest, AResetsMarkOnTheJournalGoesWithTheLastRowItNames) {
  const auto db = dir_ / "dialtone.db";
  const auto bound = static_cast<int64_t>(Store::kMaxEvents);
  store_->commit({event_batch(1, 3)});
  store_->commit({event_batch(500, 700)});  // one row: first_seq 500, last_seq 700
  StoreBatch reset;
  reset.reset_accounts.push_back(kAc);
  store_->commit({reset, event_batch(701, 701)});
  EXPECT_EQ(count_of(db, "SELECT count(*) FROM journal_resets"), 1);
  store_->commit({event_batch(bound + 600, bound + 600)});  // prunes through 600
  EXPECT_EQ(on_disk(db).min_seq, 500) << "the row [500, 700] is not all past the bound";
  EXPECT_EQ(count_of(db, "SELECT count(*) FROM journal_resets"), 1);
  auto e = reload();
  ASSERT_EQ(e->journal().events().size(), 2u);
  EXPECT_EQ(e->journal().events()[0].seq, 701u);
  store_->commit({event_batch(bound + 900, bound + 900)});  // prunes through 900
  EXPECT_EQ(count_of(db, "SELECT count(*) FROM journal_resets"), 0);
  e = reload();
  ASSERT_EQ(e->journal().events().size(), 2u);
  EXPECT_EQ(e->journal().events()[0].seq, static_cast<uint64_t>(bound + 600));
}

// Schema 4 had an index on the account in calls and event_groups; opening it drops both.
TEST_F(StoreTest, ASchema4DatabaseLosesItsAccountIndexes) {
  const auto db = dir_ / "dialtone.db";
  StoreBatch calls = event_batch(1, 1);
  calls.calls = {call_row("CAa1", kAc)};
  store_->commit({calls});
  rewrite_closed(
      "CREATE INDEX calls_account ON calls(account_sid);"
      "CREATE INDEX event_groups_account ON event_groups(account_sid);"
      "UPDATE meta SET value = '4' WHERE key = 'schema_version';");
  EXPECT_EQ(schema_version(db), "5");
  EXPECT_EQ(count_of(db,
                     "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                     "('calls_account', 'event_groups_account')"),
            0);
  reload();
  EXPECT_EQ(stats_.calls, 1u);
  EXPECT_EQ(stats_.events, 1u);
}

TEST_F(StoreTest, SettingsRoundTrip) {
  core::Account sub{"AC" + std::string(32, 'b'), "sub-token", kAc, "sub account",
                    {{"SK" + std::string(32, 'c'), "key-secret"}}, "sub-next"};
  engine().accounts().put(sub);
  core::PhoneNumber n;
  n.sid = "PN" + std::string(32, 'd');
  n.account_sid = kAc;
  n.phone_number = "+14155550700";
  n.voice_url = {"http://app/voice", core::HttpMethod::kGet};
  n.voice_fallback = {"http://app/fallback", core::HttpMethod::kPost};
  n.status_callback = {"http://app/status", core::HttpMethod::kGet};
  engine().numbers(kAc).put(n);
  core::Behavior d;
  d.answer_after_s = 7;
  engine().behaviors(kAc).set_default(d);
  core::Behavior busy;
  busy.outcome = core::Outcome::kBusy;
  engine().behaviors(kAc).add("+14155550199", busy);
  core::Behavior scripted;
  scripted.answered_by = "human";
  scripted.gather_inputs = {"2", "speech:sales please"};
  scripted.hangup_after_s = 60;
  scripted.record_seconds = 9;
  engine().behaviors(kAc).add("^\\+1415555.*", scripted);
  // Another root account is a world of its own: its callees and limit come back as its own.
  const core::Account other{"AC" + std::string(32, 'e'), "other-token", "AC" + std::string(32, 'e'),
                            "other", {}};
  engine().accounts().put(other);
  engine().behaviors(other.sid).add("+14155550199", scripted);
  engine().set_calls_per_second(other.sid, 3);
  EXPECT_FALSE(store_->has_settings());
  flush(/*settings=*/true);
  EXPECT_TRUE(store_->has_settings());

  auto e = reload();
  ASSERT_EQ(e->accounts().all().size(), 3u);
  const core::Account* a = e->accounts().find(sub.sid);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->auth_token, "sub-token");
  EXPECT_EQ(a->secondary_auth_token, "sub-next");
  EXPECT_EQ(a->owner_account_sid, kAc);
  EXPECT_EQ(a->friendly_name, "sub account");
  ASSERT_EQ(a->api_keys.size(), 1u);
  EXPECT_EQ(a->api_keys[0].sid, sub.api_keys[0].sid);
  EXPECT_EQ(a->api_keys[0].secret, "key-secret");
  const core::PhoneNumber* pn = e->numbers(kAc).find("+14155550700");
  ASSERT_NE(pn, nullptr);
  EXPECT_EQ(pn->sid, n.sid);
  EXPECT_EQ(pn->account_sid, kAc);
  EXPECT_EQ(pn->voice_url.url, "http://app/voice");
  EXPECT_EQ(pn->voice_url.method, core::HttpMethod::kGet);
  EXPECT_EQ(pn->voice_fallback.url, "http://app/fallback");
  EXPECT_EQ(pn->status_callback.method, core::HttpMethod::kGet);
  EXPECT_EQ(e->behaviors(kAc).default_behavior().answer_after_s, 7);
  ASSERT_EQ(e->behaviors(kAc).rules().size(), 2u);
  EXPECT_EQ(e->behaviors(kAc).for_number("+14155550199").outcome, core::Outcome::kBusy);
  const core::Behavior& s = e->behaviors(kAc).for_number("+14155551234");
  EXPECT_EQ(s.answered_by, "human");
  EXPECT_THAT(s.gather_inputs, ::testing::ElementsAre("2", "speech:sales please"));
  EXPECT_EQ(s.hangup_after_s, 60);
  EXPECT_EQ(s.record_seconds, 9);
  EXPECT_EQ(e->behaviors(other.sid).for_number("+14155550199").answered_by, "human");
  EXPECT_EQ(e->behaviors(other.sid).rules().size(), 1u);
  EXPECT_EQ(e->calls_per_second(other.sid), 3);
  EXPECT_EQ(e->calls_per_second(kAc), 0);
  EXPECT_EQ(e->numbers(other.sid).find("+14155550700"), nullptr);
}

TEST_F(StoreTest, RefusesAnotherSchemaVersion) {
  store_.reset();
  {
    // Pretend a future dialtone wrote this database.
    auto s = Store::open(dir_.string());
  }
  std::string db = (dir_ / "dialtone.db").string();
  std::string cmd = "UPDATE meta SET value = '99' WHERE key = 'schema_version'";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, cmd.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_THROW(Store::open(dir_.string()), StoreError);
}

}  // namespace
}  // namespace dialtone::server
