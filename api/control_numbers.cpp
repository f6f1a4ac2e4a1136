#include "api/control_numbers.hpp"

#include "api/control_request.hpp"
#include "api/json_writer.hpp"
#include "api/render_json.hpp"
#include "core/endpoint.hpp"
#include "core/sid.hpp"
#include "core/url.hpp"

namespace dialtone::api {

namespace {

std::string number_json(const core::PhoneNumber& n) {
  std::string buf;
  JsonWriter w(buf);
  w.StartObject();
  w.member("sid", n.sid);
  w.member("account_sid", n.account_sid);
  w.member("phone_number", n.phone_number);
  w.member_or_null("voice_url", n.voice_url.url);
  w.member("voice_method", core::to_wire(n.voice_url.method));
  w.member_or_null("voice_fallback_url", n.voice_fallback.url);
  w.member("voice_fallback_method", core::to_wire(n.voice_fallback.method));
  w.member_or_null("status_callback", n.status_callback.url);
  w.member("status_callback_method", core::to_wire(n.status_callback.method));
  w.EndObject();
  return buf;
}

// Reads `url_key` and `method_key` into `out`. "" or an error message.
std::string read_webhook(const FormFields& p, std::string_view url_key,
                         std::string_view method_key, core::Webhook& out) {
  if (const std::string* u = p.get(url_key)) {
    if (!u->empty() && u->rfind("http://", 0) != 0 && u->rfind("https://", 0) != 0) {
      return std::string(url_key) + " '" + *u + "' is not an http(s) URL";
    }
    out.url = *u;
  }
  if (const std::string* m = p.get(method_key)) {
    if (*m == "GET") {
      out.method = core::HttpMethod::kGet;
    } else if (*m == "POST") {
      out.method = core::HttpMethod::kPost;
    } else {
      return std::string(method_key) + " must be GET or POST, got '" + *m + "'";
    }
  }
  return "";
}

}  // namespace

Response add_number(core::Engine& engine, const FormFields& p,
                    const std::string& default_account) {
  const std::string* phone = p.get("PhoneNumber");
  if (!phone) return control_error(400, "PhoneNumber is required");
  auto endpoint = core::parse_endpoint(*phone);
  if (!endpoint || endpoint->kind != core::EndpointKind::kPhone) {
    return control_error(400, "PhoneNumber '" + *phone + "' is not an E.164 phone number");
  }
  core::PhoneNumber n;
  n.account_sid = p.get("AccountSid") ? *p.get("AccountSid") : default_account;
  if (!engine.accounts().find(n.account_sid)) {
    return control_error(404, "No account " + n.account_sid);
  }
  n.phone_number = endpoint->value;
  for (auto err : {read_webhook(p, "VoiceUrl", "VoiceMethod", n.voice_url),
                   read_webhook(p, "VoiceFallbackUrl", "VoiceFallbackMethod", n.voice_fallback),
                   read_webhook(p, "StatusCallback", "StatusCallbackMethod", n.status_callback)}) {
    if (!err.empty()) return control_error(400, err);
  }
  core::NumberStore& numbers = engine.numbers(n.account_sid);
  const core::PhoneNumber* existing = numbers.find(n.phone_number);
  if (existing && existing->account_sid != n.account_sid) {
    return control_error(409, "Phone number " + n.phone_number + " belongs to account " +
                                  existing->account_sid + " of the same world");
  }
  if (existing) {
    n.sid = existing->sid;  // re-adding a number updates it and keeps its sid
  } else {
    n.sid = engine.world(n.account_sid).sids.next("PN");  // reproducible with the world's seed
  }
  numbers.put(n);
  return control_json(existing ? 200 : 201, number_json(n));
}

Response list_numbers(core::Engine& engine, const FormFields& p) {
  const std::string* only = p.get("AccountSid");
  std::string body = "{\"numbers\": [";
  bool first = true;
  for (const auto& [sid, account] : engine.accounts().all()) {
    if (only && sid != *only) continue;
    const core::World* world = engine.find_world(sid);
    if (!world) continue;
    for (const core::PhoneNumber* n : world->numbers.of_account(sid)) {
      if (!first) body += ", ";
      first = false;
      body += number_json(*n);
    }
  }
  body += "]}";
  return control_json(200, std::move(body));
}

Response start_inbound_call(core::Engine& engine, const FormFields& p, core::Effects& out) {
  const std::string* from = p.get("From");
  const std::string* to = p.get("To");
  if (!from || !to) return control_error(400, "From and To are required");
  auto from_ep = core::parse_endpoint(*from);
  if (!from_ep) return control_error(400, "From '" + *from + "' is not a valid endpoint");
  auto to_ep = core::parse_endpoint(*to);
  if (!to_ep || to_ep->kind != core::EndpointKind::kPhone) {
    return control_error(400, "To '" + *to + "' is not an E.164 phone number");
  }
  const std::string* account = p.get("AccountSid");
  const core::PhoneNumber* number = engine.find_number(to_ep->value, account);
  if (!number) {
    return control_error(404, "No phone number " + to_ep->value +
                                  (account ? " in account " + *account : std::string()) +
                                  "; add it with POST /_dialtone/numbers",
                         21217);
  }
  if (number->voice_url.empty()) {
    return control_error(400, "Phone number " + number->phone_number + " has no VoiceUrl");
  }
  auto call = engine.start_inbound(number->account_sid, from_ep->value, to_ep->value,
                                   number->voice_url, number->voice_fallback,
                                   number->status_callback, out);
  if (!call) return control_error(call.error());
  Response r = control_json(201, call_json(**call));
  r.call_sid = (*call)->sid;
  return r;
}

}  // namespace dialtone::api
