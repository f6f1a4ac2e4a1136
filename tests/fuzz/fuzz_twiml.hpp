// fuzz_twiml: core::twiml::parse, then the document run to its end in a real Engine.
// Input: one byte N (control length, at most 64), N control bytes, then the TwiML document.
// The control bytes choose how the call starts (inline Twiml, Url, inbound), what the app
// answers to each fetch (the document again, a 500, a transport failure; which Content-Type),
// and a program of callee actions, digits, speech, API updates and clock moves. The world
// answers every webhook and runs the clock through all due timers (bounded). After every step
// World::check() asserts the call invariants; at the end, with every timer fired and every
// webhook answered, no call may still be live.
#pragma once

#include <string>

#include "core/engine.hpp"
#include "core/twiml/document.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/fuzz/fuzz_world.hpp"

namespace dialtone::fuzz {

namespace detail {

inline size_t twiml_depth(const core::twiml::Node& n) {
  size_t d = 0;
  for (const auto& c : n.children) d = std::max(d, twiml_depth(c));
  return d + 1;
}

}  // namespace detail

inline void run_twiml(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  const size_t ctl_len = std::min<size_t>(in.byte(), 64);
  std::string ctl_bytes;
  for (size_t i = 0; i < ctl_len && !in.empty(); ++i) ctl_bytes.push_back(static_cast<char>(in.byte()));
  const std::string doc(in.rest());
  Bytes ctl(ctl_bytes);

  // 1. The parser alone.
  const auto parsed = core::twiml::parse(doc);
  if (parsed) {
    const auto& root = parsed.value()->root;
    FUZZ_CHECK(root.name == "Response");
    FUZZ_CHECK(detail::twiml_depth(root) <= 18);
  } else {
    FUZZ_CHECK(parsed.error().code == 12100 || parsed.error().code == 12102);
  }

  // 2. The document run in a world.
  const uint8_t setup = ctl.byte();
  const uint8_t replies = ctl.byte();   // bit n%8: the n-th fetch gets a 500
  const uint8_t content = ctl.byte();   // Content-Type of the replies, transport failures
  const uint8_t behavior = ctl.byte();  // the callee
  core::EngineConfig config;
  config.ring_seconds = behavior & 3;
  World w(config);

  core::Behavior b;
  b.answer_after_s = behavior & 3;
  if (behavior & 4) b.gather_inputs = {"1234#", "speech:hello there", "9"};
  if (behavior & 8) b.hangup_after_s = (behavior >> 4) * 7;
  if ((behavior & 0xC0) == 0xC0) b.outcome = core::Outcome::kBusy;
  b.record_seconds = 1 + (behavior & 7);
  w.engine().behaviors(kWorldAccount).add("+14155550100", b);
  w.engine().behaviors(kWorldAccount).add("+14155550199", b);  // <Dial><Number> in the seeds

  static constexpr const char* kTypes[] = {"text/xml", "application/xml; charset=utf-8",
                                           "audio/mpeg", "text/plain", ""};
  w.reply = [&doc, replies, content](uint64_t n, const core::WebhookRequest&) {
    AppReply r;
    if (content & 0x80 && n % 3 == 2) {
      r.error_code = 11205;
      return r;
    }
    if ((replies >> (n % 8)) & 1) {
      r.status = 500;
      r.content_type = "text/html";
      r.body = "<h1>500</h1>";
      return r;
    }
    r.content_type = (content & 0x40) ? kTypes[(content + n) % 5] : kTypes[content % 5];
    r.body = doc;
    return r;
  };

  core::Effects effects;
  std::string sid;
  const int start = setup % 3;  // 0 inline Twiml, 1 Url, 2 inbound
  if (start == 2) {
    auto r = w.engine().start_inbound(
        kWorldAccount, "+14155550100", "+15005550006", {"https://app.test/voice", core::HttpMethod::kPost},
        (setup & 8) ? core::Webhook{"https://app.test/fallback", core::HttpMethod::kPost} : core::Webhook{},
        (setup & 16) ? core::Webhook{"https://app.test/status", core::HttpMethod::kPost} : core::Webhook{},
        effects);
    if (r) sid = (*r)->sid;
    if (r && (*r)->status == core::CallStatus::kRinging) {  // the same ten minutes, by update
      core::UpdateCall u;
      u.time_limit_s = 600;
      (void)w.engine().update_call(kWorldAccount, sid, u, effects);
    }
  } else {
    core::CreateCall c;
    c.account_sid = kWorldAccount;
    c.to = c.to_formatted = "+14155550100";
    c.from = c.from_formatted = "+15005550006";
    if (start == 0 && parsed) {
      c.twiml = doc;
    } else {
      c.url = {"https://app.test/voice", (setup & 4) ? core::HttpMethod::kGet : core::HttpMethod::kPost};
    }
    if (setup & 8) c.fallback = {"https://app.test/fallback", core::HttpMethod::kPost};
    if (setup & 16) {
      c.status_callback = {"https://app.test/status", core::HttpMethod::kPost};
      c.status_callback_events = core::kEventInitiated | core::kEventRinging |
                                 core::kEventAnswered | core::kEventCompleted;
    }
    // Ten minutes unless the input picks a shorter limit: a document that loops legitimately
    // (a <Dial action> that dials again) then ends after ~100 steps, not Twilio's 4 hours.
    c.time_limit_s = (setup & 32) ? 1 + (setup >> 6) * 30 : 600;
    if (setup & 64) c.timeout_s = 1 + (setup & 7);
    auto r = w.engine().create_call(c, effects);
    FUZZ_CHECK(r.ok());
    if (r) sid = (*r)->sid;
  }
  w.pump(effects);
  w.check();
  if (sid.empty()) return;

  // 3. The program.
  for (int op = 0; op < 64 && !ctl.empty(); ++op) {
    const uint8_t code = ctl.byte();
    // Most commands act on the main call; some on one of the <Dial> legs.
    std::string target = sid;
    if (code & 0x80) {
      const auto calls = w.calls();
      if (!calls.empty()) target = calls[ctl.pick(calls.size())]->sid;
    }
    core::Effects fx;
    switch (code % 11) {
      case 0:
        w.step();
        break;
      case 1:
        w.advance(core::Millis{int64_t{ctl.byte()} * 250});
        break;
      case 2: {
        static constexpr char kKeys[] = "0123456789*#w";
        std::string digits;
        for (size_t n = ctl.pick(8); n > 0; --n) digits += kKeys[ctl.pick(13)];
        (void)w.engine().callee_digits(target, digits, fx);
        break;
      }
      case 3:
        (void)w.engine().callee_speech(target, (code & 0x40) ? "" : "yes please", fx);
        break;
      case 4:
        (void)w.engine().callee_action(target, static_cast<core::CalleeAction>(ctl.pick(5)), fx);
        break;
      case 5: {  // redirect to the document, inline
        core::UpdateCall u;
        u.twiml = doc;
        (void)w.engine().update_call(kWorldAccount, target, u, fx);
        break;
      }
      case 6: {  // redirect to a Url (which answers with the document)
        core::UpdateCall u;
        u.url = core::Webhook{"https://app.test/redirect", core::HttpMethod::kPost};
        if (code & 0x40) u.fallback = core::Webhook{"https://app.test/fb2", core::HttpMethod::kGet};
        (void)w.engine().update_call(kWorldAccount, target, u, fx);
        break;
      }
      case 7: {
        core::UpdateCall u;
        u.status = (code & 0x40) ? core::CallStatus::kCanceled : core::CallStatus::kCompleted;
        (void)w.engine().update_call(kWorldAccount, target, u, fx);
        break;
      }
      case 8: {
        core::UpdateCall u;
        u.time_limit_s = ctl.byte();
        (void)w.engine().update_call(kWorldAccount, target, u, fx);
        break;
      }
      case 9:
        if (code & 0x40) {
          (void)w.engine().delete_call(kWorldAccount, target);
        } else {
          (void)w.engine().notifications(kWorldAccount, target);
        }
        break;
      case 10: {  // a second, inbound call (to meet the first in a <Queue>)
        core::Effects fx2;
        auto r = w.engine().start_inbound(kWorldAccount, "+14155550199", "+15005550006",
                                          {"https://app.test/inbound", core::HttpMethod::kPost},
                                          {}, {}, fx2);
        if (r && (*r)->status == core::CallStatus::kRinging) {
          core::UpdateCall u;
          u.time_limit_s = 600;
          (void)w.engine().update_call(kWorldAccount, (*r)->sid, u, fx2);
        }
        w.pump(fx2);
        break;
      }
    }
    w.pump(fx);
    w.check();
  }

  // 4. Run to the end: every timer fired, every webhook answered. Nothing may stay live.
  w.drain();
  if (!w.engine().next_due() && w.engine().webhooks_in_flight() == 0) {
    for (const core::Call* c : w.calls()) FUZZ_CHECK(!core::is_live(c->status));
  }
}

}  // namespace dialtone::fuzz
