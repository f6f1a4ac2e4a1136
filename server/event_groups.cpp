#include "server/event_groups.hpp"

#include <algorithm>

#include "api/records_json.hpp"

namespace dialtone::server {

namespace {

bool later(const core::JournalEvent& a, const core::JournalEvent& b) { return a.seq > b.seq; }

// A relative row's arithmetic, wrapping rather than overflowing: a corrupt row must read as
// wrong numbers, not as undefined behaviour.
int64_t plus(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t minus(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

}  // namespace

void EventGroups::add(const core::JournalEvent& e) {
  const std::string_view account = e.account_sid;
  const auto seq = static_cast<int64_t>(e.seq);
  auto it = std::find_if(groups_.begin(), groups_.end(),
                         [&](const Group& g) { return g.account_sid == account; });
  if (it == groups_.end()) {
    it = groups_.emplace(groups_.end());
    it->account_sid = account;
    it->first_seq = seq;
    it->json = kRowStart;
  }
  Group& g = *it;
  g.json += ',';
  const int64_t at = e.at.time_since_epoch().count();
  const int64_t wall = e.wall.time_since_epoch().count();
  api::RecordWriter w(g.json);
  w.StartArray();
  w.Int64(minus(seq, g.last_seq));  // last_seq is 0 before a group's first event
  if (g.events > 0 && e.call_sid.view() == g.prev_call) {
    w.Null();
  } else {
    w.String(e.call_sid.view());
    g.prev_call = e.call_sid.view();
  }
  w.Int64(minus(at, g.prev_at));
  w.Int64(minus(wall, g.prev_wall));
  w.String(e.type.str());
  w.StartArray();
  for (const auto& [name, value] : e.fields) {
    w.StartArray();
    w.String(name);
    w.String(value);
    w.EndArray();
  }
  w.EndArray();
  w.EndArray();
  g.last_seq = seq;
  g.prev_at = at;
  g.prev_wall = wall;
  ++g.events;
}

void EventGroups::drop_account(std::string_view account_sid) {
  std::erase_if(groups_, [&](const Group& g) { return g.account_sid == account_sid; });
}

const std::vector<EventGroups::Group>& EventGroups::close() {
  for (auto& g : groups_) g.json += ']';
  return groups_;
}

bool EventGroupMerger::add_row(int64_t first_seq, const std::string& account_sid,
                               std::string_view json) {
  next_row_first_ = first_seq;
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsArray()) return false;
  const auto events = d.GetArray();
  // A row of schema 4 starts with its format, 2; one of schema 3 with its first event.
  const bool relative = !events.Empty() && events[0].IsInt64();
  if (relative && events[0].GetInt64() != 2) return false;
  // What an event is written against: the previous one's, in a relative row; zeros in one of
  // schema 3.
  int64_t seq = 0, at = 0, wall = 0;
  std::string_view call;
  const rapidjson::SizeType begin = relative ? 1 : 0;
  for (rapidjson::SizeType i = begin; i < events.Size(); ++i) {
    const auto& v = events[i];
    if (!v.IsArray() || v.Size() != 6 || !v[0].IsInt64() || !v[2].IsInt64() ||
        !v[3].IsInt64() || !v[4].IsString()) {
      return false;
    }
    if (v[1].IsString()) {
      call = std::string_view(v[1].GetString(), v[1].GetStringLength());
    } else if (!(relative && i > begin && v[1].IsNull())) {
      return false;  // null is the previous event's call, which the first has not
    }
    if (!relative) seq = at = wall = 0;
    seq = plus(v[0].GetInt64(), seq);
    at = plus(v[2].GetInt64(), at);
    wall = plus(v[3].GetInt64(), wall);
    core::JournalEvent e;
    e.seq = static_cast<uint64_t>(seq);
    e.account_sid = account_sid;
    e.call_sid = call;
    e.at = core::TimePoint{core::Millis{at}};
    e.wall = core::TimePoint{core::Millis{wall}};
    e.type = std::string_view(v[4].GetString(), v[4].GetStringLength());
    e.fields = event_fields_from(v[5]);
    held_.push_back(std::move(e));
    std::push_heap(held_.begin(), held_.end(), later);
  }
  return true;
}

void EventGroupMerger::drain(const std::function<void(core::JournalEvent&&)>& emit, bool all) {
  while (!held_.empty() &&
         (all || static_cast<int64_t>(held_.front().seq) < next_row_first_)) {
    std::pop_heap(held_.begin(), held_.end(), later);
    emit(std::move(held_.back()));
    held_.pop_back();
  }
}

core::Fields event_fields_from(const rapidjson::Value& a) {
  core::Fields out;
  if (!a.IsArray()) return out;
  for (const auto& pair : a.GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsString() || !pair[1].IsString()) {
      continue;
    }
    out.emplace_back(std::string(pair[0].GetString(), pair[0].GetStringLength()),
                     std::string(pair[1].GetString(), pair[1].GetStringLength()));
  }
  return out;
}

}  // namespace dialtone::server
