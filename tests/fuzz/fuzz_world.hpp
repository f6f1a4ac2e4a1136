// A whole emulated world for the engine harnesses: a ManualClock, an Engine with one account
// (plus a subaccount, a stranger and an API key), and a fake app that answers every webhook the
// engine asks for. Time moves only through step()/drain(), bounded so that no input can make a
// run unbounded. After every command, check() asserts what must hold for every call.
// Thread-safety: single-threaded, like the Engine.
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/call_status.hpp"
#include "core/engine.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

inline const std::string kWorldAccount = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
inline const std::string kWorldToken = "0123456789abcdef0123456789abcdef";
inline const std::string kWorldSub = "AC11111111111111111111111111111111";
inline const std::string kWorldOther = "AC22222222222222222222222222222222";
inline const std::string kWorldKey = "SK33333333333333333333333333333333";
inline const std::string kWorldSecret = "keysecretkeysecretkeysecret";

// What the fake app answers to a TwiML fetch.
struct AppReply {
  int status = 200;
  std::string content_type = "text/xml";
  std::string body;
  int error_code = 0;  // transport failure (11205, ...) instead of a response
};

class World {
 public:
  explicit World(core::EngineConfig config = {}) : engine_(clock_, wall_, std::move(config), 7) {
    engine_.accounts().put(
        core::Account{kWorldAccount, kWorldToken, kWorldAccount, "main", {{kWorldKey, kWorldSecret}}});
    engine_.accounts().put(core::Account{kWorldSub, "subtoken", kWorldAccount, "sub", {}});
    engine_.accounts().put(core::Account{kWorldOther, "othertoken", kWorldOther, "other", {}});
  }

  core::Engine& engine() { return engine_; }
  core::ManualClock& clock() { return clock_; }

  // The app's answer to the n-th TwiML fetch (status callbacks always get an empty 200).
  std::function<AppReply(uint64_t n, const core::WebhookRequest&)> reply;

  // Answers every webhook in `effects` and those the answers cause, at the current time.
  void pump(core::Effects& effects) {
    std::deque<core::WebhookRequest> queue(effects.webhooks.begin(), effects.webhooks.end());
    effects.webhooks.clear();
    while (!queue.empty() && webhooks_ < kMaxWebhooks) {
      core::WebhookRequest req = std::move(queue.front());
      queue.pop_front();
      ++webhooks_;
      FUZZ_CHECK(req.id != 0);
      core::WebhookResult res;
      res.id = req.id;
      if (req.purpose == core::WebhookPurpose::kTwiml ||
          req.purpose == core::WebhookPurpose::kFallback) {
        AppReply r = reply ? reply(fetches_++, req) : AppReply{404, "text/html", "no", 0};
        res.http_status = r.error_code ? 0 : r.status;
        res.error_code = r.error_code;
        res.error_message = r.error_code ? "fuzz transport failure" : "";
        res.content_type = r.content_type;
        res.body = std::move(r.body);
      } else {
        res.http_status = 200;
        res.content_type = "text/plain";
      }
      core::Effects more;
      engine_.on_webhook_result(res, more);
      for (auto& w : more.webhooks) queue.push_back(std::move(w));
      check();
    }
  }

  // Fires the next due timer (moving the clock to it), answering what it causes. False when
  // no timer is armed.
  bool step() {
    // One budget for the whole input: a legitimately endless flow (a <Dial action> that dials
    // again every second until the 4-hour TimeLimit) must not turn into a libFuzzer timeout.
    if (steps_left_ <= 0) return false;
    --steps_left_;
    const auto due = engine_.next_due();
    if (!due) return false;
    clock_.set(std::max(*due, clock_.now()));
    core::Effects effects;
    engine_.fire_due(effects);
    pump(effects);
    check();
    return true;
  }

  // Moves time forward by `d`, firing what falls due on the way.
  void advance(core::Millis d) {
    const core::TimePoint target = clock_.now() + d;
    for (int i = 0; i < kMaxSteps; ++i) {
      const auto due = engine_.next_due();
      if (!due || *due > target) break;
      step();
    }
    if (clock_.now() < target) clock_.set(target);
    check();
  }

  // Runs every timer until none is left (or the step bound is hit).
  void drain() {
    for (int i = 0; i < kMaxSteps && step(); ++i) {
    }
  }

  // Every call the engine knows, across the accounts.
  std::vector<const core::Call*> calls() const {
    std::vector<const core::Call*> out;
    for (const std::string& ac : {kWorldAccount, kWorldSub, kWorldOther}) {
      auto page = engine_.list_calls(ac, {}, 1'000'000, 0, "", "");
      out.insert(out.end(), page.calls.begin(), page.calls.end());
    }
    return out;
  }

  // What must hold for every call at every instant.
  void check() {
    for (const core::Call* c : calls()) {
      const int s = static_cast<int>(c->status);
      FUZZ_CHECK(s >= 0 && s < core::kCallStatusCount);
      auto& seen = ended_[c->sid];
      if (seen) FUZZ_CHECK(!core::is_live(c->status));  // an ended call never comes back
      if (!core::is_live(c->status)) seen = true;
      if (c->start_time && c->end_time) {
        FUZZ_CHECK(*c->end_time >= *c->start_time);
      }
      if (c->duration_s) {
        FUZZ_CHECK(!core::is_live(c->status));
        FUZZ_CHECK(*c->duration_s >= 0);
        if (c->start_time && c->end_time) {
          const auto whole = std::chrono::duration_cast<std::chrono::seconds>(*c->end_time -
                                                                               *c->start_time);
          FUZZ_CHECK(*c->duration_s == whole.count());
        }
      }
      if (c->end_time) FUZZ_CHECK(!core::is_live(c->status));
      if (c->status == core::CallStatus::kInProgress) FUZZ_CHECK(c->start_time.has_value());
      FUZZ_CHECK(c->date_updated >= c->date_created);
    }
    // Whoever waits in a queue is a live call of the queue's account, there once, and the
    // positions count 1, 2, ... from the front.
    for (const core::queue::Queue* q : engine_.list_queues(kWorldAccount)) {
      FUZZ_CHECK(q->max_size >= 1 && q->max_size <= core::queue::kMaxEnqueueSize);
      size_t position = 0;
      for (const core::queue::Member& m : q->members) {
        const core::Call* c = engine_.find_call(kWorldAccount, m.call_sid);
        FUZZ_CHECK(c != nullptr && core::is_live(c->status));
        FUZZ_CHECK(q->position(m.call_sid, m.ticket) == ++position);
      }
    }
    // A conference's participants are live calls of its account, each there once; a
    // completed conference has none and says why it ended.
    for (const core::conference::Conference* c : engine_.list_conferences(kWorldAccount)) {
      FUZZ_CHECK(c->participants.size() <= static_cast<size_t>(c->max_participants));
      FUZZ_CHECK(c->active() == c->reason_ended.empty());
      if (!c->active()) FUZZ_CHECK(c->participants.empty());
      for (const core::conference::Participant& p : c->participants) {
        const core::Call* call = engine_.find_call(kWorldAccount, p.call_sid);
        FUZZ_CHECK(call != nullptr && core::is_live(call->status));
        FUZZ_CHECK(c->find(p.call_sid) == &p);
      }
    }
  }

  static constexpr int kMaxSteps = 10'000;
  int steps_left_ = 2'000;  // about 3 ms a step under ASan: well inside libFuzzer's timeout
  static constexpr uint64_t kMaxWebhooks = 20'000;

 private:
  core::ManualClock clock_;
  core::ManualClock wall_;
  core::Engine engine_;
  uint64_t fetches_ = 0;
  uint64_t webhooks_ = 0;
  std::map<std::string, bool> ended_;
};

}  // namespace dialtone::fuzz
