// Test fixture for the engine: a ManualClock, an Engine with one account, and a fake app
// server that answers every webhook the engine asks for. Time moves only through advance(),
// which fires the due timers in order and answers the webhooks they cause in between, so a
// whole call runs in a single thread with no sleeps.
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/call.hpp"
#include "core/engine.hpp"
#include "core/journal.hpp"
#include "core/time.hpp"

namespace dialtone::core::testing {

inline const std::string kAc = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
inline const std::string kToken = "0123456789abcdef0123456789abcdef";
inline const std::string kFrom = "+15005550006";
inline const std::string kTo = "+14155550100";
inline const std::string kApp = "https://app.example.com";
inline const std::string kVoice = kApp + "/voice";  // the usual answer URL

// What the fake app answers for one URL.
struct Reply {
  int status = 200;
  std::string content_type = "text/xml";
  std::string body;
  int error_code = 0;  // transport failure instead of a response (11205, 11210, ...)
  std::string error_message;
};

inline Reply twiml(std::string body) { return Reply{200, "text/xml", std::move(body), 0, {}}; }
inline Reply http_error(int status) { return Reply{status, "text/html", "<h1>error</h1>", 0, {}}; }
inline Reply transport_error(int code, std::string message) {
  return Reply{0, "", "", code, std::move(message)};
}

// Behaviours of the emulated callee (Behavior has members without initialisers in braces, so
// designated initialisers would trip -Wmissing-field-initializers).
inline Behavior behaves(Outcome outcome, int after_s = 1) {
  Behavior b;
  b.outcome = outcome;
  b.answer_after_s = after_s;
  return b;
}
inline Behavior answers_after(int seconds) { return behaves(Outcome::kAnswer, seconds); }
inline Behavior hangs_up_after(int seconds) {
  Behavior b;
  b.hangup_after_s = seconds;
  return b;
}
inline Behavior presses(std::vector<std::string> inputs) {
  Behavior b;
  b.gather_inputs = std::move(inputs);
  return b;
}

inline std::optional<std::string> field(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields)
    if (k == name) return v;
  return std::nullopt;
}

// One webhook the engine sent, as the fake app saw it.
struct Sent {
  uint64_t id = 0;
  WebhookPurpose purpose = WebhookPurpose::kTwiml;
  std::string call_sid;
  std::string url;
  HttpMethod method = HttpMethod::kPost;
  Fields params;
  TimePoint at{};
  // The named parameter, or "<absent>" so that a missing one reads clearly in a failure.
  std::string param(std::string_view name) const {
    return field(params, name).value_or("<absent>");
  }
  bool has(std::string_view name) const { return field(params, name).has_value(); }
};

class EngineTest : public ::testing::Test {
 protected:
  static constexpr size_t kMaxRequests = 20'000;

  EngineTest() { rebuild(EngineConfig{}); }

  // A fresh engine with this configuration (the old one, its calls and requests are dropped).
  void rebuild(EngineConfig config) {
    engine_.reset();
    engine_ = std::make_unique<Engine>(clock_, wall_, std::move(config), /*seed=*/42);
    engine_->accounts().put(Account{kAc, kToken, kAc, "test", {}});
    sent_.clear();
    held_.clear();
    streams_.clear();
  }

  // An engine that keeps what take_changes() reports, as the server's does with a data_dir.
  static EngineConfig tracking_config() {
    EngineConfig c;
    c.track_changes = true;
    return c;
  }

  Engine& engine() { return *engine_; }
  TimePoint now() const { return clock_.now(); }
  TimePoint t0() const { return t0_; }
  // Sets the clock, back too (a restored snapshot's world reads the snapshot's time again).
  void set_clock(TimePoint t) { clock_.set(t); }
  // Seconds of virtual time since the test started.
  double elapsed_s() const {
    return std::chrono::duration<double>(clock_.now() - t0_).count();
  }

  // ------------------------------------------------------------------ the fake app
  void on(const std::string& url, Reply reply) { routes_[url] = std::move(reply); }
  void on_twiml(const std::string& url, std::string body) { on(url, twiml(std::move(body))); }

  // Answers every webhook in `effects`, and those the answers cause, at the current time.
  // Status callbacks get 200 with an empty body unless routed; an unrouted TwiML URL gets 404
  // (as a real app would), which a test that forgot to route it will notice.
  void pump(Effects& effects) {
    take_streams(effects);
    std::deque<WebhookRequest> queue(effects.webhooks.begin(), effects.webhooks.end());
    effects.webhooks.clear();
    while (!queue.empty()) {
      // A runaway loop of zero-time documents would otherwise hang the test binary.
      if (sent_.size() > kMaxRequests) {
        ADD_FAILURE() << "more than " << kMaxRequests << " webhooks: the engine is looping";
        return;
      }
      WebhookRequest req = std::move(queue.front());
      queue.pop_front();
      sent_.push_back(Sent{req.id, req.purpose, req.call_sid, req.target.url,
                           req.target.method, req.params.to_fields(), now()});
      EXPECT_EQ(req.account_sid, kAc);
      EXPECT_EQ(req.auth_token, kToken) << "webhooks are signed with the account's token";
      if (hold_) {
        held_.push_back(std::move(req));
        continue;
      }
      Effects more;
      engine_->on_webhook_result(result_for(req), more);
      take_streams(more);
      for (auto& w : more.webhooks) queue.push_back(std::move(w));
    }
  }

  // Media Stream commands are kept, in order, for the stream tests to read (stream_commands).
  void take_streams(Effects& effects) {
    for (auto& c : effects.streams) streams_.push_back(std::move(c));
    effects.streams.clear();
  }
  std::vector<StreamCommand>& stream_commands() { return streams_; }

  // While holding, requests are recorded but not answered until release() (to interrupt a
  // call while one of its fetches is in flight).
  void hold(bool on) { hold_ = on; }
  void release() {
    std::vector<WebhookRequest> held = std::move(held_);
    held_.clear();
    for (const auto& req : held) {
      Effects more;
      engine_->on_webhook_result(result_for(req), more);
      pump(more);
    }
  }
  size_t held_count() const { return held_.size(); }

  // ------------------------------------------------------------------ time
  // Moves virtual time forward, firing each due timer at its own instant and answering the
  // webhooks it causes before the next one fires.
  void advance(double seconds) {
    const TimePoint target =
        now() + std::chrono::duration_cast<Millis>(std::chrono::duration<double>(seconds));
    for (int guard = 0; guard < 1'000'000; ++guard) {
      const auto due = engine_->next_due();
      if (!due || *due > target) break;
      clock_.set(std::max(*due, now()));
      Effects effects;
      engine_->fire_due(effects);
      pump(effects);
    }
    clock_.set(target);
  }
  // Fires what is due right now (e.g. dialling a just-created call).
  void settle() { advance(0); }

  // ------------------------------------------------------------------ commands
  CreateCall call_request(const std::string& url = kApp + "/voice",
                          const std::string& to = kTo) const {
    CreateCall c;
    c.account_sid = kAc;
    c.to = c.to_formatted = to;
    c.from = c.from_formatted = kFrom;
    c.url = Webhook{url, HttpMethod::kPost};
    return c;
  }

  // Creates the call and returns its sid. Does not move time: the call is still queued.
  std::string create(const CreateCall& request) {
    Effects effects;
    auto r = engine_->create_call(request, effects);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return {};
    const std::string sid = (*r)->sid;
    pump(effects);
    return sid;
  }
  std::string create(const std::string& url = kApp + "/voice") {
    return create(call_request(url));
  }
  // A call created, placed and answered (default callee: answers after 1 s).
  std::string answered_call(const std::string& url = kApp + "/voice") {
    const std::string sid = create(url);
    advance(1);
    EXPECT_EQ(status(sid), CallStatus::kInProgress);
    return sid;
  }

  Result<const Call*> update(const std::string& sid, const UpdateCall& u) {
    Effects effects;
    auto r = engine_->update_call(kAc, sid, u, effects);
    pump(effects);
    return r;
  }
  static UpdateCall redirect_to(const std::string& url) {
    UpdateCall u;
    u.url = Webhook{url, HttpMethod::kPost};
    return u;
  }
  static UpdateCall set_status(CallStatus s) {
    UpdateCall u;
    u.status = s;
    return u;
  }

  Status callee(const std::string& sid, CalleeAction action) {
    Effects effects;
    auto r = engine_->callee_action(sid, action, effects);
    pump(effects);
    return r;
  }
  Status digits(const std::string& sid, const std::string& keys) {
    Effects effects;
    auto r = engine_->callee_digits(sid, keys, effects);
    pump(effects);
    return r;
  }
  Result<const Call*> inbound(const std::string& voice_url, const Webhook& status_callback = {},
                              const Webhook& fallback = {}) {
    Effects effects;
    auto r = engine_->start_inbound(kAc, kTo, kFrom, Webhook{voice_url, HttpMethod::kPost},
                                    fallback, status_callback, effects);
    pump(effects);
    return r;
  }

  // ------------------------------------------------------------------ lookups
  const Call& call(const std::string& sid) {
    const Call* c = engine_->find_call(kAc, sid);
    if (!c) {
      ADD_FAILURE() << "no call " << sid;
      static const Call kNone;
      return kNone;
    }
    return *c;
  }
  CallStatus status(const std::string& sid) { return call(sid).status; }

  const std::vector<Sent>& sent() const { return sent_; }
  std::vector<Sent> sent_to(const std::string& url) const {
    std::vector<Sent> out;
    for (const auto& s : sent_)
      if (s.url == url) out.push_back(s);
    return out;
  }
  std::vector<Sent> sent_for(const std::string& sid, WebhookPurpose purpose) const {
    std::vector<Sent> out;
    for (const auto& s : sent_)
      if (s.call_sid == sid && s.purpose == purpose) out.push_back(s);
    return out;
  }
  std::vector<Sent> callbacks(const std::string& sid) const {
    return sent_for(sid, WebhookPurpose::kStatusCallback);
  }
  // CallStatus of each status callback of the call, in order.
  std::vector<std::string> callback_statuses(const std::string& sid) const {
    std::vector<std::string> out;
    for (const auto& s : callbacks(sid)) out.push_back(s.param("CallStatus"));
    return out;
  }

  std::vector<const JournalEvent*> journal(const std::string& sid,
                                           const std::string& type = {}) const {
    std::vector<const JournalEvent*> out;
    for (const auto& e : engine_->journal().events())
      if (e.call_sid == sid && (type.empty() || e.type == type)) out.push_back(&e);
    return out;
  }
  // The verbs the call ran, in order, from the journal.
  std::vector<std::string> verbs(const std::string& sid) const {
    std::vector<std::string> out;
    for (const auto* e : journal(sid, "verb"))
      if (const auto v = e->field("verb")) out.emplace_back(*v);
    return out;
  }
  // Status values the call went through, from the journal.
  std::vector<std::string> statuses(const std::string& sid) const {
    std::vector<std::string> out;
    for (const auto* e : journal(sid, "status"))
      if (const auto v = e->field("status")) out.emplace_back(*v);
    return out;
  }
  std::vector<int> notification_codes(const std::string& sid) const {
    std::vector<int> out;
    for (const Notification* n : engine_->notifications(kAc, sid)) out.push_back(n->error_code);
    std::reverse(out.begin(), out.end());  // oldest first reads better in tests
    return out;
  }

  static TimePoint at(TimePoint base, double seconds) {
    return base + std::chrono::duration_cast<Millis>(std::chrono::duration<double>(seconds));
  }

 private:
  WebhookResult result_for(const WebhookRequest& req) const {
    WebhookResult res;
    res.id = req.id;
    auto it = routes_.find(req.target.url);
    if (it == routes_.end()) {
      if (req.purpose == WebhookPurpose::kStatusCallback ||
          req.purpose == WebhookPurpose::kActionNoTwiml ||
          req.purpose == WebhookPurpose::kConferenceEvent) {
        res.http_status = 200;
        res.content_type = "text/plain";
      } else {
        res.http_status = 404;
        res.content_type = "text/html";
        res.body = "not found";
      }
      return res;
    }
    const Reply& r = it->second;
    res.http_status = r.status;
    res.error_code = r.error_code;
    res.error_message = r.error_message;
    res.content_type = r.content_type;
    res.body = r.body;
    return res;
  }

  ManualClock clock_;
  ManualClock wall_;
  TimePoint t0_ = clock_.now();
  std::unique_ptr<Engine> engine_;
  std::map<std::string, Reply> routes_;
  std::vector<Sent> sent_;
  bool hold_ = false;
  std::vector<WebhookRequest> held_;
  std::vector<StreamCommand> streams_;
};

}  // namespace dialtone::core::testing
