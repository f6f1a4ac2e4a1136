#include "api/call_events.hpp"

#include <charconv>
#include <unordered_map>

#include "api/form.hpp"

namespace dialtone::api {

namespace {

int64_t to_int(const std::optional<std::string_view>& s) {
  int64_t v = 0;
  if (s) std::from_chars(s->data(), s->data() + s->size(), v);
  return v;
}

bool is_meta_field(std::string_view name) {
  return name == "id" || name == "method" || name == "url" || name == "purpose" ||
         name == "signature" || name == "kind" || name == "params";
}

}  // namespace

std::vector<CallEventRecord> collect_call_events(const core::Journal& journal,
                                                 std::string_view account_sid,
                                                 std::string_view call_sid) {
  std::vector<CallEventRecord> out;
  std::unordered_map<std::string, size_t> by_id;
  for (const core::JournalEvent& e : journal.events()) {
    if (e.call_sid != call_sid || e.account_sid != account_sid) continue;
    if (e.type == "webhook.request") {
      CallEventRecord r;
      r.seq = e.seq;
      if (const auto v = e.field("method")) r.method = *v;
      if (const auto v = e.field("url")) r.url = *v;
      // core journals the parameters it sent form-encoded in "params".
      if (const auto params = e.field("params")) {
        if (auto decoded = decode_form(*params)) r.parameters = decoded->entries();
      }
      for (const auto& [name, value] : e.fields) {
        if (!is_meta_field(name)) r.parameters.emplace_back(name, value);
      }
      r.date_created = e.at;
      if (const auto id = e.field("id")) by_id[std::string(*id)] = out.size();
      out.push_back(std::move(r));
    } else if (e.type == "webhook.response") {
      const auto id = e.field("id");
      if (!id) continue;
      auto it = by_id.find(std::string(*id));
      if (it == by_id.end()) continue;
      CallEventRecord& r = out[it->second];
      r.has_response = true;
      auto status = e.field("status");
      if (!status) status = e.field("http_status");
      r.response_code = static_cast<int>(to_int(status));
      r.request_duration_ms = to_int(e.field("latency_ms"));
      if (const auto v = e.field("content_type")) r.content_type = *v;
      if (const auto v = e.field("body")) r.response_body = *v;
      r.date_created = e.at;
    }
  }
  return out;
}

}  // namespace dialtone::api
