// fuzz_twilio_api: whole api::handle_twilio requests against a real Engine on a ManualClock.
// Input: text, one command a line, so that seeds read like an HTTP session:
//   METHOD TARGET [AUTH]    a request; the next line is its body. AUTH: main (default), key,
//                           sub, other, none, bad, or anything else as the raw header value.
//   ~ SECONDS               move the clock, firing timers and answering webhooks on the way
//   ! CONTENT-TYPE          content type of the following requests (default: a form)
//   < STATUS BODY...        what the app answers to TwiML fetches from now on
// In targets and bodies, {AC} {SUB} {OTHER} are the accounts, {CA} / {CA0} the newest /
// first call created so far, {QU} the main account's newest queue and {CF} its newest
// conference. After the last command every timer is run (bounded).
// Properties: no crash, leak or UB; every response has a sane status, and a body that parses
// as the JSON or XML its content type says; the World's call invariants hold throughout.
#pragma once

#include <rapidjson/document.h>
#include <tinyxml2.h>

#include <string>
#include <vector>

#include "api/http_types.hpp"
#include "api/twilio_api.hpp"
#include "tests/fuzz/fuzz_auth.hpp"  // base64_encode
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/fuzz/fuzz_world.hpp"

namespace dialtone::fuzz {

namespace detail {

inline std::string auth_header(std::string_view who) {
  if (who.empty() || who == "main") return "Basic " + base64_encode(kWorldAccount + ":" + kWorldToken);
  if (who == "key") return "Basic " + base64_encode(kWorldKey + ":" + kWorldSecret);
  if (who == "sub") return "Basic " + base64_encode(kWorldSub + ":subtoken");
  if (who == "other") return "Basic " + base64_encode(kWorldOther + ":othertoken");
  if (who == "none") return "";
  if (who == "bad") return "Basic " + base64_encode(kWorldAccount + ":wrong");
  return std::string(who);
}

// Prints the exchange when `ok` is false, so that a failed check says what was sent and got.
inline bool explained(bool ok, const api::Request& req, const api::Response& r) {
  if (!ok) {
    std::fprintf(stderr, "request: %s %s\n%s\nresponse: %d %s\n%s\n", req.method.c_str(),
                 req.target.c_str(), req.body.c_str(), r.status, r.content_type.c_str(),
                 r.body.c_str());
  }
  return ok;
}

inline void check_response(const api::Request& req, const api::Response& r) {
  FUZZ_CHECK(explained(r.status >= 200 && r.status <= 599, req, r));
  // A media body (a recording's WAV or MP3): made piece by piece, it adds up to its length.
  if (r.body_source && (r.body_source->chunked || r.body_source->size <= (8u << 20))) {
    std::string piece;
    uint64_t total = 0;
    for (int i = 0; i < 200 && r.body_source->next(piece); ++i) {  // bounded: an MP3 may be long
      FUZZ_CHECK(explained(!piece.empty() || !r.body_source->chunked, req, r));
      total += piece.size();
    }
    if (!r.body_source->chunked) FUZZ_CHECK(explained(total == r.body_source->size, req, r));
  }
  if (r.status == 204) FUZZ_CHECK(explained(r.body.empty(), req, r));
  if (r.content_type.rfind("application/json", 0) == 0) {
    rapidjson::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    FUZZ_CHECK(explained(!d.HasParseError() && d.IsObject(), req, r));
  } else if (r.content_type.rfind("application/xml", 0) == 0 ||
             r.content_type.rfind("text/xml", 0) == 0) {
    tinyxml2::XMLDocument d;
    FUZZ_CHECK(explained(d.Parse(r.body.c_str(), r.body.size()) == tinyxml2::XML_SUCCESS, req, r));
    // XML 1.0 has no way to carry these, not even as character references.
    bool legal = true;
    for (char c : r.body) {
      legal = legal && (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r');
    }
    FUZZ_CHECK(explained(legal, req, r));
  }
}

}  // namespace detail

inline void run_twilio_api(const uint8_t* data, size_t size) {
  World w;
  std::string reply_status = "200";
  std::string reply_body = "<Response><Say>hi</Say><Gather timeout=\"1\"/><Hangup/></Response>";
  w.reply = [&](uint64_t, const core::WebhookRequest&) {
    AppReply r;
    r.status = std::atoi(reply_status.c_str());
    r.body = reply_body;
    return r;
  };

  std::vector<std::string> lines;
  for_each_line(std::string_view(reinterpret_cast<const char*>(data), size),
                [&](std::string_view l) { lines.emplace_back(l); });

  std::string content_type = "application/x-www-form-urlencoded";
  std::vector<std::string> created;
  auto expand = [&](std::string s) {
    replace_all(s, "{AC}", kWorldAccount);
    replace_all(s, "{SUB}", kWorldSub);
    replace_all(s, "{OTHER}", kWorldOther);
    replace_all(s, "{CA0}", created.empty() ? "CA00000000000000000000000000000000" : created.front());
    replace_all(s, "{CA}", created.empty() ? "CA00000000000000000000000000000000" : created.back());
    const auto queues = w.engine().list_queues(kWorldAccount);
    replace_all(s, "{QU}", queues.empty() ? "QU00000000000000000000000000000000" : queues.back()->sid);
    const auto conferences = w.engine().list_conferences(kWorldAccount);
    replace_all(s, "{CF}", conferences.empty() ? "CF00000000000000000000000000000000"
                                               : conferences.back()->sid);
    return s;
  };

  int requests = 0;
  for (size_t i = 0; i < lines.size() && requests < 64; ++i) {
    const std::string& line = lines[i];
    if (line.rfind("~ ", 0) == 0) {
      const long seconds = std::strtol(line.c_str() + 2, nullptr, 10);
      w.advance(core::Millis{std::clamp<long>(seconds, 0, 100'000) * 1000});
      continue;
    }
    if (line.rfind("! ", 0) == 0) {
      content_type = line.substr(2);
      continue;
    }
    if (line.rfind("< ", 0) == 0) {
      const size_t sp = line.find(' ', 2);
      reply_status = line.substr(2, sp == std::string::npos ? std::string::npos : sp - 2);
      reply_body = sp == std::string::npos ? std::string() : line.substr(sp + 1);
      continue;
    }
    const size_t sp1 = line.find(' ');
    if (sp1 == std::string::npos) continue;
    const size_t sp2 = line.find(' ', sp1 + 1);
    api::Request req;
    req.method = line.substr(0, sp1);
    req.target = expand(line.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1));
    req.authorization = detail::auth_header(sp2 == std::string::npos ? std::string_view{}
                                                                     : std::string_view(line).substr(sp2 + 1));
    req.content_type = content_type;
    if (i + 1 < lines.size()) req.body = expand(lines[++i]);
    req.request_id = "RQ00000000000000000000000000000000";
    ++requests;

    core::Effects effects;
    const api::Response r = api::handle_twilio(w.engine(), req, effects);
    detail::check_response(req, r);
    if (r.status == 201 && !r.call_sid.empty()) created.push_back(r.call_sid);
    w.pump(effects);
    w.check();
  }
  w.drain();
}

}  // namespace dialtone::fuzz
