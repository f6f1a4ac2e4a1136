#include "api/twilio/conferences.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "api/params.hpp"
#include "api/twilio/resource_response.hpp"
#include "core/sid.hpp"

namespace dialtone::api {
namespace {

using core::conference::Status;
using resource::Field;
using resource::Value;

constexpr std::array<Subresource, 2> kConferenceSubresources{{
    {"participants", "Participants"},
    {"recordings", "Recordings"},
}};

std::string path_of(const ConferenceRecord& c) {
  return "/2010-04-01/Accounts/" + c.account_sid + "/Conferences/" + c.sid;
}

constexpr std::array<Field<ConferenceRecord>, 12> kConferenceFields{{
    {"account_sid", "AccountSid",
     [](const ConferenceRecord& c) { return Value::string(c.account_sid); }},
    {"date_created", "DateCreated",
     [](const ConferenceRecord& c) { return Value::date(c.date_created); }},
    {"date_updated", "DateUpdated",
     [](const ConferenceRecord& c) { return Value::date(c.date_updated); }},
    {"api_version", "ApiVersion",
     [](const ConferenceRecord&) { return Value::text_of("2010-04-01"); }},
    {"friendly_name", "FriendlyName",
     [](const ConferenceRecord& c) { return Value::string(c.friendly_name); }},
    // Twilio's examples show "unknown" before a conference starts (reference §3.2).
    {"region", "Region",
     [](const ConferenceRecord& c) {
       return Value::text_of(c.status == Status::kInit ? "unknown" : "us1");
     }},
    {"sid", "Sid", [](const ConferenceRecord& c) { return Value::string(c.sid); }},
    {"status", "Status",
     [](const ConferenceRecord& c) { return Value::text_of(core::conference::to_wire(c.status)); }},
    {"uri", "Uri", [](const ConferenceRecord& c) { return Value::path(path_of(c)); }},
    {"subresource_uris", "SubresourceUris",
     [](const ConferenceRecord& c) {
       return Value::subresources_of(path_of(c), kConferenceSubresources);
     }},
    {"reason_conference_ended", "ReasonConferenceEnded",
     [](const ConferenceRecord& c) { return Value::string(c.reason_ended); }},
    {"call_sid_ending_conference", "CallSidEndingConference",
     [](const ConferenceRecord& c) { return Value::string(c.call_sid_ending); }},
}};

const std::vector<std::string_view> kFilterNames = {"DateCreated",  "DateCreated<", "DateCreated>",
                                                    "DateUpdated",  "DateUpdated<", "DateUpdated>",
                                                    "FriendlyName", "Status"};

// [from, before) of a date filter: `Name` is that UTC day, `Name<` on or before it, `Name>` on
// or after it. Only YYYY-MM-DD: Twilio answers other forms with a 400 (reference §3.4).
struct DateRange {
  std::optional<core::TimePoint> from, before;
  bool contains(core::TimePoint t) const {
    return (!from || t >= *from) && (!before || t < *before);
  }
};

std::optional<core::TwilioError> date_range(const FormFields& q, const std::string& name,
                                            DateRange& range) {
  constexpr core::Millis kDay{86'400'000};
  for (const char* op : {"", "<", ">"}) {
    const std::string key = name + op;
    const std::string* v = q.get(key);
    if (!v || v->empty()) continue;
    core::TimePoint day{};
    bool date_only = false;
    if (!core::parse_date_filter(*v, day, date_only) || !date_only) {
      return core::bad_request(20001, "Invalid " + key + ": '" + *v + "' (use YYYY-MM-DD)");
    }
    if (*op != '<' && (!range.from || day > *range.from)) range.from = day;
    if (*op != '>' && (!range.before || day + kDay < *range.before)) range.before = day + kDay;
  }
  return std::nullopt;
}

}  // namespace

const resource::Description<ConferenceRecord> kConferenceDescription{
    "Conference", "conferences", "Conferences", kConferenceFields};

ConferenceRecord conference_record(const core::conference::Conference& c) {
  ConferenceRecord r;
  r.sid = c.sid;
  r.account_sid = c.account_sid;
  r.friendly_name = c.friendly_name;
  r.status = c.status;
  r.reason_ended = c.reason_ended;
  r.call_sid_ending = c.call_sid_ending;
  r.date_created = c.date_created;
  r.date_updated = c.date_updated;
  return r;
}

Response list_conferences(core::Engine& engine, const ApiRequest& req) {
  auto paging =
      parse_paging(req.query, [](std::string_view key) { return core::is_sid(key, "CF"); });
  if (!paging) return error_for(paging.error(), req);
  DateRange created, updated;
  if (auto e = date_range(req.query, "DateCreated", created)) return error_for(*e, req);
  if (auto e = date_range(req.query, "DateUpdated", updated)) return error_for(*e, req);
  std::optional<Status> status;
  if (const std::string* v = req.query.get("Status"); v && !v->empty()) {
    status = core::conference::status_from_wire(*v);
    if (!status) {
      return error_for(
          core::bad_request(20001, "Invalid Status: '" + *v + "' (init, in-progress or completed)"),
          req);
    }
  }
  const std::string* name = req.query.get("FriendlyName");
  std::vector<ConferenceRecord> records;
  for (const core::conference::Conference* c : engine.list_conferences(req.route.account_sid)) {
    if (name && !name->empty() && c->friendly_name != *name) continue;
    if (status && c->status != *status) continue;
    if (!created.contains(c->date_created) || !updated.contains(c->date_updated)) continue;
    records.push_back(conference_record(*c));
  }
  std::reverse(records.begin(), records.end());  // newest first, by date_created
  return page_response(
      req, kConferenceDescription, records, *paging,
      [](const ConferenceRecord& c) { return std::string_view(c.sid); },
      filter_entries(req.query, kFilterNames));
}

Response fetch_conference(core::Engine& engine, const ApiRequest& req) {
  const auto* c = engine.find_conference(req.route.account_sid, req.route.conference);
  if (!c) return error_for(not_found(req.path), req);
  return resource_response(200, req, kConferenceDescription, conference_record(*c));
}

Response update_conference(core::Engine& engine, const ApiRequest& req, core::Effects& out) {
  if (!engine.find_conference(req.route.account_sid, req.route.conference)) {
    return error_for(not_found(req.path), req);
  }
  core::ConferenceUpdate update;
  if (const std::string* v = req.body.get("Status"); v && !v->empty()) {
    if (*v != "completed") {
      return error_for(core::bad_request(20001, "Invalid Status: '" + *v + "' (only completed)"),
                       req);
    }
    update.complete = true;
  }
  if (const std::string* v = req.body.get("AnnounceUrl"); v && !v->empty()) {
    if (auto e = check_url(*v, "AnnounceUrl")) return error_for(*e, req);
    auto method = parse_method(req.body, "AnnounceMethod");
    if (!method) return error_for(method.error(), req);
    update.announce_url = core::Webhook{*v, *method};
  }
  auto updated = engine.update_conference(req.route.account_sid, req.route.conference, update, out);
  if (!updated) return error_for(updated.error(), req);
  return resource_response(200, req, kConferenceDescription, conference_record(**updated));
}

}  // namespace dialtone::api
