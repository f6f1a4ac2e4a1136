// The control API through the router: deferred answers (advances, blocking waits), the
// switchable clock, limits, reset, metrics, api.request journaling, guard settings, and the
// bad inputs of every route (405, 404, 400).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <future>
#include <thread>

#include "engine_host_fixture.hpp"
#include "server/router.hpp"

namespace dialtone::server {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPauseTwiml = "<Response><Pause length=\"30\"/></Response>";

rapidjson::Document json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

class ControlApiTest : public EngineHostFixture {
 protected:
  ControlApiTest() { config_.clock = "manual"; }
  // The io threads use router_: they stop before it goes.
  ~ControlApiTest() override { stop_io(); }
  void on_host_created() override {
    faults_ = std::make_unique<faults::FaultInjector>(io_, *host_);
    router_ = make_router(*host_, std::chrono::steady_clock::now(), *faults_);
  }

  // Sends a request and returns a future of its answer.
  std::future<api::Response> send_async(std::string method, std::string target,
                                        std::string body = {},
                                        std::string content_type = "application/json") {
    api::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.authorization = auth_;
    r.request_id = "RQ" + std::string(32, '0');
    auto promise = std::make_shared<std::promise<api::Response>>();
    auto future = promise->get_future();
    router_(std::move(r), [promise](api::Response resp) { promise->set_value(std::move(resp)); });
    return future;
  }
  api::Response send(std::string method, std::string target, std::string body = {},
                     std::string content_type = "application/json") {
    auto f = send_async(std::move(method), std::move(target), std::move(body),
                        std::move(content_type));
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }

  std::string create_call(const std::string& to = "+14155550100") {
    std::string sid;
    host_->with_engine([&](core::Engine& engine, core::Effects& out) {
      core::CreateCall c;
      c.account_sid = config_.account_sid;
      c.to = to;
      c.from = "+14155550199";
      c.twiml = kPauseTwiml;
      auto call = engine.create_call(c, out);
      ASSERT_TRUE(call.ok()) << call.error().message;
      sid = (*call)->sid;
    });
    return sid;
  }
  std::string status_of(const std::string& sid) {
    std::string s;
    host_->with_engine([&](core::Engine& e, core::Effects&) {
      s = std::string(core::to_wire(e.find_call(config_.account_sid, sid)->status));
    });
    return s;
  }
  // Holds the engine on a thread of its own until `release` is ready: a request that reaches
  // the engine then waits there, in flight. Returns once the engine is held.
  std::thread hold_engine(std::shared_future<void> release) {
    std::promise<void> holding;
    std::future<void> held = holding.get_future();
    std::thread holder([this, release, holding = std::move(holding)]() mutable {
      host_->with_engine([&](core::Engine&, core::Effects&) {
        holding.set_value();
        release.wait();
      });
    });
    held.wait();
    return holder;
  }
  std::string twilio_auth() const {
    // Basic base64(account:token) for the default config.
    return "Basic QUNkMWExNzBlMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDpkaWFsdG9uZS1hdXRoLXRva2Vu";
  }

  std::unique_ptr<faults::FaultInjector> faults_;
  Handler router_;
  std::string auth_;
};

TEST_F(ControlApiTest, WrongMethodIs405WithAllow) {
  start();
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  };
  for (const Case& c : {Case{"DELETE", "/_dialtone/clock", "GET, POST"},
                        Case{"GET", "/_dialtone/clock/advance", "POST"},
                        Case{"PUT", "/_dialtone/behaviors", "GET, POST, DELETE"},
                        Case{"DELETE", "/_dialtone/numbers", "GET, POST"},
                        Case{"GET", "/_dialtone/calls", "POST"},
                        Case{"GET", "/_dialtone/calls/CA1/answer", "POST"},
                        Case{"POST", "/_dialtone/calls/CA1/events", "GET"},
                        Case{"POST", "/_dialtone/events", "GET"},
                        Case{"GET", "/_dialtone/reset", "POST"},
                        Case{"DELETE", "/_dialtone/accounts", "GET, POST"},
                        Case{"DELETE", "/_dialtone/limits", "GET, POST"},
                        Case{"POST", "/_dialtone/metrics", "GET"},
                        Case{"PATCH", "/_dialtone/faults", "GET, POST, DELETE"},
                        Case{"GET", "/_dialtone/accounts/AC1/secondary-token", "POST, DELETE"},
                        Case{"DELETE", "/_dialtone/accounts/AC1/signature", "GET, POST"}}) {
    api::Response r = send(c.method, c.path);
    EXPECT_EQ(r.status, 405) << c.method << " " << c.path;
    ASSERT_FALSE(r.headers.empty());
    EXPECT_EQ(r.headers[0].second, c.allow);
    EXPECT_EQ(json(r.body)["status"].GetInt(), 405);
  }
}

TEST_F(ControlApiTest, UnknownRouteIs404AndBadJsonIs400OnEveryPostRoute) {
  start();
  EXPECT_EQ(send("GET", "/_dialtone/nope").status, 404);
  for (const char* path : {"/_dialtone/clock", "/_dialtone/clock/advance", "/_dialtone/behaviors",
                           "/_dialtone/numbers", "/_dialtone/calls", "/_dialtone/reset",
                           "/_dialtone/accounts", "/_dialtone/limits",
                           "/_dialtone/calls/CA1/digits"}) {
    api::Response r = send("POST", path, "{\"oops\":");
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_NE(r.body.find("Invalid JSON"), std::string::npos) << r.body;
  }
  EXPECT_EQ(send("GET", "/_dialtone/events?since=%zz").status, 400);
}

TEST_F(ControlApiTest, ClockSwitchesAtRuntimeAndStaysContinuous) {
  start();
  auto c = json(send("GET", "/_dialtone/clock").body);
  EXPECT_STREQ(c["mode"].GetString(), "manual");
  const int64_t t0 = c["now_ms"].GetInt64();
  auto a = json(send("POST", "/_dialtone/clock/advance", R"({"Seconds": 90.5})").body);
  EXPECT_EQ(a["now_ms"].GetInt64(), t0 + 90500);
  EXPECT_EQ(a["timers_fired"].GetInt(), 0);
  // To real mode at 1000x: time carries on from where manual mode left it, and runs.
  auto r = json(send("POST", "/_dialtone/clock", "Mode=real&Speed=1000",
                     "application/x-www-form-urlencoded").body);
  EXPECT_STREQ(r["mode"].GetString(), "real");
  EXPECT_GE(r["now_ms"].GetInt64(), t0 + 90500);
  EXPECT_LT(r["now_ms"].GetInt64(), t0 + 90500 + 60000);
  std::this_thread::sleep_for(20ms);
  EXPECT_GE(json(send("GET", "/_dialtone/clock").body)["now_ms"].GetInt64(), t0 + 90500 + 10000);
  // Advancing in real mode is a conflict.
  EXPECT_EQ(send("POST", "/_dialtone/clock/advance", R"({"Seconds": 1})").status, 409);
  // Back to manual: frozen.
  auto m = json(send("POST", "/_dialtone/clock", R"({"Mode": "manual"})").body);
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(json(send("GET", "/_dialtone/clock").body)["now_ms"].GetInt64(),
            m["now_ms"].GetInt64());
  EXPECT_EQ(send("POST", "/_dialtone/clock", R"({"Mode": "fast"})").status, 400);
  EXPECT_EQ(send("POST", "/_dialtone/clock", R"({})").status, 400);
  EXPECT_EQ(send("POST", "/_dialtone/clock/advance", R"({"Seconds": -1})").status, 400);
  EXPECT_EQ(send("POST", "/_dialtone/clock/advance", R"({})").status, 400);
}

TEST_F(ControlApiTest, RealModeTimersFireAfterASwitch) {
  start();
  const std::string sid = create_call();
  // Manual: the call may dial at once (work due now needs no advance), but does not answer.
  EXPECT_NE(status_of(sid), "in-progress");
  send("POST", "/_dialtone/clock", R"({"Mode": "real", "Speed": 100})");
  for (int i = 0; i < 200 && status_of(sid) != "in-progress"; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(status_of(sid), "in-progress");
}

TEST_F(ControlApiTest, AdvanceFiresTimersInOrderAndCountsThem) {
  start();
  const std::string sid = create_call();
  auto a = json(send("POST", "/_dialtone/clock/advance", R"({"Seconds": 5})").body);
  // At least the answer; the dial is due at creation and usually fires before the advance
  // (a manual clock runs what is due at the current instant by itself).
  EXPECT_GE(a["timers_fired"].GetInt(), 1);
  EXPECT_EQ(status_of(sid), "in-progress");
  json(send("POST", "/_dialtone/clock/advance", R"({"Seconds": 40})").body);
  EXPECT_EQ(status_of(sid), "completed");  // the 30 s <Pause> ran out
}

TEST_F(ControlApiTest, ConcurrentAdvancesRunOneAfterTheOther) {
  start();
  const int64_t t0 = json(send("GET", "/_dialtone/clock").body)["now_ms"].GetInt64();
  std::vector<std::future<api::Response>> answers;
  for (int i = 0; i < 5; ++i) {
    answers.push_back(send_async("POST", "/_dialtone/clock/advance", R"({"Seconds": 10})"));
  }
  std::vector<int64_t> times;
  for (auto& f : answers) {
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    times.push_back(json(f.get().body)["now_ms"].GetInt64());
  }
  std::sort(times.begin(), times.end());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(times[i], t0 + 10000 * (i + 1));
}

TEST_F(ControlApiTest, BlockingWaitAnswersWhenTheConditionHolds) {
  start();
  const std::string sid = create_call();
  auto waiting = send_async("GET", "/_dialtone/calls/" + sid +
                                       "/events?wait_for=status:in-progress&timeout=5");
  EXPECT_EQ(waiting.wait_for(50ms), std::future_status::timeout);  // nothing moved yet
  send("POST", "/_dialtone/clock/advance", R"({"Seconds": 5})");
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  api::Response r = waiting.get();
  EXPECT_EQ(r.status, 200) << r.body;
  auto doc = json(r.body);
  EXPECT_GT(doc["events"].Size(), 0u);
  EXPECT_GT(doc["last_seq"].GetUint64(), 0u);
  // A condition that already holds answers at once; an event-type wait too.
  EXPECT_EQ(send("GET", "/_dialtone/calls/" + sid + "/events?wait_for=verb:verb=Pause").status,
            200);
  EXPECT_EQ(send("GET", "/_dialtone/events?wait_for=status&type=status").status, 200);
}

TEST_F(ControlApiTest, BlockingWaitTimesOutWith408) {
  start();
  const std::string sid = create_call();
  const auto t0 = std::chrono::steady_clock::now();
  api::Response r =
      send("GET", "/_dialtone/calls/" + sid + "/events?wait_for=status:completed&timeout=0.2");
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, 408);
  auto doc = json(r.body);
  EXPECT_STREQ(doc["message"].GetString(), "timed out waiting for status:completed");
  EXPECT_EQ(doc["status"].GetInt(), 408);
  EXPECT_TRUE(doc["last_seq"].IsUint64());
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 2s);
}

TEST_F(ControlApiTest, EventsBadInputs) {
  start();
  EXPECT_EQ(send("GET", "/_dialtone/calls/CA" + std::string(32, '0') + "/events").status, 404);
  EXPECT_EQ(send("GET", "/_dialtone/events?wait_for=status:nope").status, 400);
  EXPECT_EQ(send("GET", "/_dialtone/events?wait_for=status&timeout=61").status, 400);
  EXPECT_EQ(send("GET", "/_dialtone/events?timeout=1").status, 400);
  EXPECT_EQ(send("GET", "/_dialtone/events?since=x").status, 400);
}

TEST_F(ControlApiTest, CalleeActionsThroughTheRouter) {
  config_.ring_seconds = 600;
  start();
  const std::string sid = create_call();
  send("POST", "/_dialtone/clock/advance", R"({"Seconds": 0})");  // placed: ringing
  api::Response r = send("POST", "/_dialtone/calls/" + sid + "/answer");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(json(r.body)["status"].GetString(), "in-progress");
  EXPECT_EQ(send("POST", "/_dialtone/calls/" + sid + "/digits", R"({"Digits": "1"})").status,
            409);
  EXPECT_EQ(send("POST", "/_dialtone/calls/" + sid + "/digits").status, 400);
  EXPECT_EQ(send("POST", "/_dialtone/calls/" + sid + "/speech").status, 400);
  EXPECT_EQ(send("POST", "/_dialtone/calls/CA" + std::string(32, '0') + "/hangup").status, 404);
  EXPECT_EQ(send("POST", "/_dialtone/calls/" + sid + "/hangup").status, 200);
  EXPECT_EQ(status_of(sid), "completed");
}

TEST_F(ControlApiTest, TwilioRequestsThatTouchACallAreJournaledOnce) {
  start();
  auth_ = twilio_auth();
  const std::string calls = "/2010-04-01/Accounts/" + config_.account_sid + "/Calls";
  api::Response created =
      send("POST", calls + ".json", "To=%2B14155550100&From=%2B14155550199&Twiml=%3CResponse%2F%3E",
           "application/x-www-form-urlencoded");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string sid = json(created.body)["sid"].GetString();
  ASSERT_EQ(send("GET", calls + "/" + sid + ".json").status, 200);
  ASSERT_EQ(send("POST", calls + "/" + sid + ".json", "Status=canceled",
                 "application/x-www-form-urlencoded").status, 200);
  ASSERT_EQ(send("GET", calls + ".json").status, 200);  // touches no one call
  auth_.clear();
  auto doc = json(send("GET", "/_dialtone/calls/" + sid + "/events?type=api.request").body);
  ASSERT_EQ(doc["events"].Size(), 3u) << doc["events"].Size();
  const auto& first = doc["events"][0]["fields"];
  EXPECT_STREQ(first["method"].GetString(), "POST");
  EXPECT_STREQ(first["status"].GetString(), "201");
  EXPECT_EQ(std::string(first["request_id"].GetString()).substr(0, 2), "RQ");
  EXPECT_STREQ(doc["events"][1]["fields"]["method"].GetString(), "GET");
  EXPECT_STREQ(doc["events"][2]["fields"]["Status"].GetString(), "canceled");  // core's
}

TEST_F(ControlApiTest, ConcurrentApiRequestLimitAnswers429) {
  start();
  auth_ = twilio_auth();
  ASSERT_EQ(send("POST", "/_dialtone/limits", R"({"MaxConcurrentApiRequests": 1})").status, 200);
  const std::string calls = "/2010-04-01/Accounts/" + config_.account_sid + "/Calls.json";
  // Hold the engine so that the first request stays in flight.
  std::promise<void> release;
  std::thread holder = hold_engine(release.get_future().share());
  // Requests race for the one slot: whichever is counted first waits on the held engine and
  // every other one must get 429. Probing runs on its own thread so that a probe that won the
  // slot (and now waits on the engine) cannot block the release below.
  std::promise<api::Response> first_answer;
  std::thread first([&] { first_answer.set_value(send("GET", calls)); });
  std::atomic<int> rejected{0};
  api::Response second;  // a refused request, read only after prober.join()
  std::thread prober([&] {
    for (int i = 0; i < 200 && rejected == 0; ++i) {
      api::Response r = send("GET", calls);
      if (r.status == 429) {
        second = std::move(r);
        ++rejected;
      }
    }
  });
  for (int i = 0; i < 500 && rejected == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  release.set_value();
  holder.join();
  first.join();
  prober.join();
  const api::Response first_response = first_answer.get_future().get();
  EXPECT_TRUE(first_response.status == 200 || first_response.status == 429);
  if (first_response.status == 429) second = first_response;
  ASSERT_EQ(second.status, 429) << "no request was refused while one was in flight";
  EXPECT_NE(second.body.find("20429"), std::string::npos);
  EXPECT_NE(second.body.find("Too Many Requests"), std::string::npos);
  EXPECT_EQ(send("GET", calls).status, 200);  // nothing in flight any more
  auto limits = json(send("GET", "/_dialtone/limits").body);
  EXPECT_EQ(limits["max_concurrent_api_requests"].GetInt(), 1);
  EXPECT_EQ(send("POST", "/_dialtone/limits", R"({"CallsPerSecond": -2})").status, 400);
}

// Twilio counts concurrent API requests per account: one account at its limit leaves the
// others' requests alone, and the account's reset takes its own limit back to the configured one.
TEST_F(ControlApiTest, TheConcurrencyLimitIsPerAccount) {
  start();
  const std::string other =
      json(send("POST", "/_dialtone/accounts", R"({"FriendlyName": "b"})").body)["sid"]
          .GetString();
  ASSERT_EQ(send("POST", "/_dialtone/limits", R"({"MaxConcurrentApiRequests": 1})").status, 200);
  EXPECT_EQ(json(send("GET", "/_dialtone/limits?AccountSid=" + other).body)
                ["max_concurrent_api_requests"].GetInt(), 0);
  auth_ = twilio_auth();
  const std::string mine = "/2010-04-01/Accounts/" + config_.account_sid + "/Calls.json";
  const std::string theirs = "/2010-04-01/Accounts/" + other + "/Calls.json";
  std::promise<void> release;
  std::thread holder = hold_engine(release.get_future().share());
  // The default account's slot is taken (by the first request, or by a probe that won it) once
  // one of its requests is refused; probes run on their own thread, as above.
  std::atomic<bool> refused{false};
  std::thread first([&] {
    if (send("GET", mine).status == 429) refused = true;  // a probe took the slot first
  });
  std::thread prober([&] {
    for (int i = 0; i < 200 && !refused; ++i) {
      if (send("GET", mine).status == 429) refused = true;
    }
  });
  for (int i = 0; i < 500 && !refused; ++i) std::this_thread::sleep_for(10ms);
  // The other account's request is admitted: it waits on the held engine instead of a 429.
  std::promise<int> their_status;
  std::thread other_request([&] { their_status.set_value(send("GET", theirs).status); });
  auto their_future = their_status.get_future();
  EXPECT_EQ(their_future.wait_for(300ms), std::future_status::timeout);
  release.set_value();
  holder.join();
  first.join();
  prober.join();
  other_request.join();
  EXPECT_TRUE(refused) << "no request of the default account was refused";
  EXPECT_NE(their_future.get(), 429);

  auth_.clear();
  ASSERT_EQ(send("POST", "/_dialtone/reset", "{\"AccountSid\": \"" + config_.account_sid + "\"}")
                .status,
            200);
  EXPECT_EQ(json(send("GET", "/_dialtone/limits").body)["max_concurrent_api_requests"].GetInt(),
            0);
}

TEST_F(ControlApiTest, CallsPerSecondKeepsExtraCallsQueued) {
  config_.limits.calls_per_second = 1;
  start();
  const std::string a = create_call("+14155550101");
  const std::string b = create_call("+14155550102");
  send("POST", "/_dialtone/clock/advance", R"({"Seconds": 0.5})");
  EXPECT_NE(status_of(a), "queued");
  EXPECT_EQ(status_of(b), "queued");
  send("POST", "/_dialtone/clock/advance", R"({"Seconds": 1})");
  EXPECT_NE(status_of(b), "queued");
  ASSERT_EQ(send("POST", "/_dialtone/limits", R"({"CallsPerSecond": 0})").status, 200);
  EXPECT_EQ(json(send("GET", "/_dialtone/limits").body)["calls_per_second"].GetInt(), 0);
}

TEST_F(ControlApiTest, ResetRestoresTheConfiguration) {
  config::BehaviorConfig busy;
  busy.number = "+14155550100";
  busy.outcome = "busy";
  config_.behaviors.push_back(busy);
  config::NumberConfig n;
  n.phone_number = "+14155550700";
  n.voice_url = "http://127.0.0.1:9/voice";
  config_.numbers.push_back(n);
  start();
  auto numbers = json(send("GET", "/_dialtone/numbers").body);
  ASSERT_EQ(numbers["numbers"].Size(), 1u);
  EXPECT_EQ(json(send("GET", "/_dialtone/behaviors").body)["behaviors"].Size(), 1u);
  send("DELETE", "/_dialtone/behaviors");
  send("POST", "/_dialtone/numbers", R"({"PhoneNumber": "+14155550701"})");
  const std::string account =
      json(send("POST", "/_dialtone/accounts", R"({"FriendlyName": "t"})").body)["sid"]
          .GetString();
  create_call();
  EXPECT_EQ(send("POST", "/_dialtone/reset", R"({"AccountSid": "AC00"})").status, 404);
  EXPECT_EQ(send("POST", "/_dialtone/reset", "{\"AccountSid\": \"" + account + "\"}").status, 200);
  api::Response r = send("POST", "/_dialtone/reset");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(send("GET", "/_dialtone/behaviors").body)["behaviors"].Size(), 1u);
  EXPECT_EQ(json(send("GET", "/_dialtone/numbers").body)["numbers"].Size(), 1u);
  EXPECT_EQ(json(send("GET", "/_dialtone/events").body)["events"].Size(), 0u);
  auto accounts = json(send("GET", "/_dialtone/accounts").body);
  EXPECT_EQ(accounts["accounts"].Size(), 1u);  // the created one is gone
}

TEST_F(ControlApiTest, MetricsInPrometheusFormat) {
  start();
  auth_ = twilio_auth();
  send("GET", "/2010-04-01/Accounts/" + config_.account_sid + "/Calls/CA" +
                  std::string(32, '0') + ".json");
  auth_.clear();
  create_call();
  send("GET", "/_dialtone/clock");
  api::Response r = send("GET", "/_dialtone/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(r.body.find("dialtone_http_requests_total{method=\"GET\",route=\"/2010-04-01/"
                        "Accounts/{AccountSid}/Calls/{Sid}.json\",status=\"404\"} 1"),
            std::string::npos) << r.body;
  EXPECT_NE(r.body.find("route=\"/_dialtone/clock\""), std::string::npos);
  // The new call is queued or, once its dial (due at creation) has fired, ringing.
  EXPECT_TRUE(r.body.find("dialtone_calls{status=\"queued\"} 1") != std::string::npos ||
              r.body.find("dialtone_calls{status=\"ringing\"} 1") != std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("dialtone_clock_info{mode=\"manual\"} 1"), std::string::npos);
  EXPECT_NE(r.body.find("dialtone_webhook_latency_seconds_bucket{le=\"+Inf\"}"),
            std::string::npos);
}

TEST_F(ControlApiTest, TokenGuardsTheControlApiButNotHealth) {
  config_.control_api.token = "s3cret";
  start();
  EXPECT_EQ(send("GET", "/_dialtone/health").status, 200);
  EXPECT_EQ(send("GET", "/_dialtone/clock").status, 401);
  auth_ = "Bearer s3cret";
  EXPECT_EQ(send("GET", "/_dialtone/clock").status, 200);
}

TEST_F(ControlApiTest, DisabledControlApiIs404ButHealthAnswers) {
  config_.control_api.enabled = config::Toggle::kFalse;
  start();
  EXPECT_EQ(send("GET", "/_dialtone/health").status, 200);
  EXPECT_EQ(send("GET", "/_dialtone/clock").status, 404);
}

// --- Twilio's failures on demand (docs/faults.md) ---

class FaultsTest : public ControlApiTest {
 protected:
  std::string calls() const { return "/2010-04-01/Accounts/" + config_.account_sid + "/Calls"; }
  api::Response twilio(std::string method, std::string target, std::string body = {}) {
    const std::string saved = auth_;
    auth_ = twilio_auth();
    api::Response r = send(std::move(method), std::move(target), std::move(body),
                           "application/x-www-form-urlencoded");
    auth_ = saved;
    return r;
  }
  api::Response create_via_api() {
    return twilio("POST", calls() + ".json",
                  "To=%2B14155550100&From=%2B14155550199&Twiml=%3CResponse%2F%3E");
  }
  size_t call_count() {
    return json(twilio("GET", calls() + ".json").body)["calls"].Size();
  }
  rapidjson::Document fault_events() {
    return json(send("GET", "/_dialtone/events?type=fault.injected").body);
  }
};

TEST_F(FaultsTest, RulesAreAddedListedAndCleared) {
  start();
  api::Response added = send("POST", "/_dialtone/faults",
                             R"({"Method": "POST", "Route": "Calls", "Kind": "status",
                                 "Status": 429, "Times": 2})");
  ASSERT_EQ(added.status, 201) << added.body;
  auto rule = json(added.body);
  EXPECT_EQ(rule["account_sid"].GetString(), config_.account_sid);
  EXPECT_EQ(rule["code"].GetInt(), 20429);
  EXPECT_EQ(rule["retry_after"].GetInt(), 1);
  EXPECT_STREQ(rule["source"].GetString(), "api");
  const uint64_t id = rule["id"].GetUint64();
  ASSERT_EQ(send("POST", "/_dialtone/faults", "Kind=reset&Route=Calls%2F%7BSid%7D",
                 "application/x-www-form-urlencoded").status, 201);

  auto listing = json(send("GET", "/_dialtone/faults").body);
  ASSERT_EQ(listing["rules"].Size(), 2u);
  EXPECT_EQ(listing["signature_faults"].Size(), 0u);
  // Every control route answers 404 for an account it does not know (docs/accounts.md).
  EXPECT_EQ(send("GET", "/_dialtone/faults?AccountSid=AC00").status, 404);

  api::Response bad = send("POST", "/_dialtone/faults", R"({"Kind": "status", "Status": 99})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(json(bad.body)["message"].GetString(), std::string());
  EXPECT_EQ(std::string(json(bad.body)["message"].GetString()).rfind("Status ", 0), 0u);
  EXPECT_EQ(send("POST", "/_dialtone/faults",
                 R"({"Kind": "reset", "AccountSid": "AC99999999999999999999999999999999"})")
                .status,
            404);
  EXPECT_EQ(send("POST", "/_dialtone/faults", "{\"oops\":").status, 400);
  EXPECT_EQ(send("PUT", "/_dialtone/faults").status, 405);

  EXPECT_EQ(send("DELETE", "/_dialtone/faults?Id=" + std::to_string(id)).status, 200);
  EXPECT_EQ(send("DELETE", "/_dialtone/faults?Id=" + std::to_string(id)).status, 404);
  EXPECT_EQ(json(send("GET", "/_dialtone/faults").body)["rules"].Size(), 1u);
  auto cleared = json(send("DELETE", "/_dialtone/faults").body);
  EXPECT_EQ(cleared["rules"].Size(), 0u);
}

TEST_F(FaultsTest, AStatusFaultNotAppliedChangesNothing) {
  start();
  ASSERT_EQ(send("POST", "/_dialtone/faults",
                 R"({"Method": "POST", "Route": "Calls", "Kind": "status", "Status": 503,
                     "Times": 1})").status, 201);
  api::Response failed = create_via_api();
  EXPECT_EQ(failed.status, 503);
  auto body = json(failed.body);
  EXPECT_EQ(body["code"].GetInt(), 20503);
  EXPECT_STREQ(body["more_info"].GetString(), "https://www.twilio.com/docs/errors/20503");
  EXPECT_EQ(call_count(), 0u);
  auto events = fault_events();
  ASSERT_EQ(events["events"].Size(), 1u);
  const auto& e = events["events"][0];
  EXPECT_TRUE(e["call_sid"].IsNull());  // no call: the journal's null
  EXPECT_STREQ(e["fields"]["kind"].GetString(), "status");
  EXPECT_STREQ(e["fields"]["status"].GetString(), "503");
  EXPECT_STREQ(e["fields"]["applied"].GetString(), "false");
  EXPECT_FALSE(e["fields"].HasMember("real_status"));
  EXPECT_EQ(json(send("GET", "/_dialtone/events").body)["events"].Size(), 1u);  // nothing else

  EXPECT_EQ(create_via_api().status, 201);  // Times=1: used up
  auto listing = json(send("GET", "/_dialtone/faults").body);
  EXPECT_EQ(listing["rules"][0]["injected"].GetUint64(), 1u);
  EXPECT_EQ(listing["rules"][0]["remaining"].GetUint64(), 0u);
}

// Each Twilio API answer is counted under the route that serving it matched, whoever answered
// it (the handler, an error on the way, an injected fault); a path that names no route is
// "other".
TEST_F(FaultsTest, EveryApiAnswerIsCountedUnderItsRoute) {
  start();
  const std::string sid = json(create_via_api().body)["sid"].GetString();
  EXPECT_EQ(twilio("POST", calls() + "/" + sid + ".json", "Twiml=%3CResponse%2F%3E").status, 200);
  EXPECT_EQ(twilio("GET", calls() + "/" + sid).status, 200);  // no suffix: XML
  EXPECT_EQ(twilio("PUT", calls() + ".json").status, 405);
  EXPECT_EQ(send("GET", calls() + ".json").status, 401);  // the control token, not Twilio's
  EXPECT_EQ(twilio("GET", "/2010-04-01/Accounts/" + config_.account_sid + "/Nothing.json").status,
            404);
  ASSERT_EQ(send("POST", "/_dialtone/faults",
                 R"({"Method": "GET", "Route": "Calls", "Kind": "status", "Status": 503,
                     "Times": 1})").status, 201);
  EXPECT_EQ(twilio("GET", calls() + ".json").status, 503);
  const std::string metrics = send("GET", "/_dialtone/metrics").body;
  const auto counted = [&](const std::string& method, const std::string& route, int status) {
    return "dialtone_http_requests_total{method=\"" + method + "\",route=\"" + route +
           "\",status=\"" + std::to_string(status) + "\"} 1";
  };
  const std::string t = "/2010-04-01/Accounts/{AccountSid}";
  for (const auto& line : {counted("POST", t + "/Calls.json", 201),
                           counted("POST", t + "/Calls/{Sid}.json", 200),
                           counted("GET", t + "/Calls/{Sid}", 200),
                           counted("PUT", t + "/Calls.json", 405),
                           counted("GET", t + "/Calls.json", 401),
                           counted("GET", "other", 404),
                           counted("GET", t + "/Calls.json", 503)}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  }
}

TEST_F(FaultsTest, AppliedAnswerLostKeepsTheCall) {
  start();
  ASSERT_EQ(send("POST", "/_dialtone/faults",
                 R"({"Method": "POST", "Route": "Calls", "Kind": "status", "Status": 500,
                     "Applied": true, "Times": 1})").status, 201);
  api::Response failed = create_via_api();
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(json(failed.body)["code"].GetInt(), 20500);
  ASSERT_EQ(call_count(), 1u);
  auto events = fault_events();
  ASSERT_EQ(events["events"].Size(), 1u);
  const auto& e = events["events"][0];
  EXPECT_EQ(std::string(e["call_sid"].GetString()).rfind("CA", 0), 0u);
  EXPECT_STREQ(e["fields"]["applied"].GetString(), "true");
  EXPECT_STREQ(e["fields"]["real_status"].GetString(), "201");
}

TEST_F(FaultsTest, ResetAndHangAnswerNothingAndLatencyAnswersLate) {
  start();
  ASSERT_EQ(send("POST", "/_dialtone/faults",
                 R"({"Method": "GET", "Route": "Calls", "Kind": "reset", "Times": 1})").status,
            201);
  api::Response reset = twilio("GET", calls() + ".json");
  EXPECT_EQ(reset.delivery, api::Delivery::kReset);
  ASSERT_EQ(send("POST", "/_dialtone/faults",
                 R"({"Method": "GET", "Route": "Calls", "Kind": "hang", "Times": 1})").status,
            201);
  EXPECT_EQ(twilio("GET", calls() + ".json").delivery, api::Delivery::kHold);
  ASSERT_EQ(send("POST", "/_dialtone/faults",
                 R"({"Method": "POST", "Route": "Calls", "Kind": "latency", "LatencyMs": 300,
                     "Times": 1})").status,
            201);
  const auto started = std::chrono::steady_clock::now();
  api::Response late = create_via_api();
  EXPECT_EQ(late.status, 201);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_EQ(late.delivery, api::Delivery::kSend);
  EXPECT_EQ(call_count(), 1u);
  EXPECT_EQ(fault_events()["events"].Size(), 3u);
  // Answers that were never sent are not counted as requests.
  const std::string metrics = send("GET", "/_dialtone/metrics").body;
  EXPECT_EQ(metrics.find("Calls.json\",status=\"0\""), std::string::npos) << metrics;
}

TEST_F(FaultsTest, SignatureFaultSwapsTheSigningKey) {
  start();
  const std::string path = "/_dialtone/accounts/" + config_.account_sid + "/signature";
  EXPECT_STREQ(json(send("GET", path).body)["fault"].GetString(), "none");
  ASSERT_EQ(send("POST", path, R"({"Fault": "wrong-key"})").status, 200);
  EXPECT_EQ(send("POST", path, R"({"Fault": "bad"})").status, 400);
  EXPECT_EQ(send("GET", "/_dialtone/accounts/AC99999999999999999999999999999999/signature")
                .status,
            404);
  auto hook = faults_->webhook_hook();
  core::WebhookRequest request;
  request.account_sid = config_.account_sid;
  request.auth_token = config_.auth_token;
  hook(request);
  EXPECT_EQ(request.auth_token, config_.auth_token + "-wrong-key");
  core::WebhookRequest other;
  other.account_sid = "AC99999999999999999999999999999999";
  other.auth_token = "t";
  hook(other);
  EXPECT_EQ(other.auth_token, "t");
  EXPECT_EQ(json(send("GET", "/_dialtone/faults").body)["signature_faults"].Size(), 1u);
  ASSERT_EQ(send("POST", path, R"({"Fault": "none"})").status, 200);
  request.auth_token = config_.auth_token;
  hook(request);
  EXPECT_EQ(request.auth_token, config_.auth_token);
}

TEST_F(FaultsTest, TokenRotationThroughTheControlApiAndTwiliosEndpoint) {
  start();
  const std::string account = "/_dialtone/accounts/" + config_.account_sid;
  ASSERT_EQ(send("POST", account + "/secondary-token", R"({"Token": "rotated"})").status, 201);
  auto accounts = json(send("GET", "/_dialtone/accounts").body);
  EXPECT_STREQ(accounts["accounts"][0]["secondary_auth_token"].GetString(), "rotated");
  ASSERT_EQ(send("POST", account + "/promote").status, 200);
  EXPECT_EQ(twilio("GET", calls() + ".json").status, 401);  // the old primary
  EXPECT_EQ(send("POST", account + "/promote").status, 409);
  EXPECT_EQ(send("GET", account + "/promote").status, 405);

  // Twilio's own endpoint, with the new primary.
  const std::string saved = auth_;
  auth_ = "Basic " + std::string("QUNkMWExNzBlMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDpyb3RhdGVk");
  api::Response created = send("POST", "/v1/AuthTokens/Secondary");
  auth_ = saved;
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(std::string(json(created.body)["secondary_auth_token"].GetString()).size(), 32u);
}

TEST_F(FaultsTest, AnAccountsRulesGoWithItsResetAndItsDelete) {
  start();
  const std::string root =
      json(send("POST", "/_dialtone/accounts", R"({"FriendlyName": "root"})").body)["sid"]
          .GetString();
  const std::string sub = json(send("POST", "/_dialtone/accounts",
                                    "{\"OwnerAccountSid\": \"" + root + "\"}")
                                   .body)["sid"]
                              .GetString();
  auto add_rules = [&] {
    for (const std::string& sid : {root, sub, config_.account_sid}) {
      ASSERT_EQ(send("POST", "/_dialtone/faults",
                     "{\"Kind\": \"reset\", \"AccountSid\": \"" + sid + "\"}")
                    .status,
                201);
    }
    ASSERT_EQ(send("POST", "/_dialtone/accounts/" + sub + "/signature", R"({"Fault": "wrong-key"})")
                  .status,
              200);
  };
  auto accounts_with_rules = [&] {
    std::vector<std::string> out;
    // Named: a range-for over a temporary's member would outlive the temporary (before C++23).
    const auto faults = json(send("GET", "/_dialtone/faults").body);
    for (const auto& r : faults["rules"].GetArray()) {
      out.emplace_back(r["account_sid"].GetString());
    }
    return out;
  };
  add_rules();
  EXPECT_EQ(json(send("GET", "/_dialtone/faults?AccountSid=" + sub).body)["rules"].Size(), 1u);
  ASSERT_EQ(send("POST", "/_dialtone/reset", "{\"AccountSid\": \"" + root + "\"}").status, 200);
  EXPECT_EQ(accounts_with_rules(), std::vector<std::string>{config_.account_sid});
  EXPECT_EQ(json(send("GET", "/_dialtone/faults").body)["signature_faults"].Size(), 0u);

  add_rules();
  ASSERT_EQ(send("DELETE", "/_dialtone/accounts/" + root).status, 200);
  EXPECT_EQ(accounts_with_rules(), (std::vector<std::string>{config_.account_sid,
                                                             config_.account_sid}));
  EXPECT_EQ(json(send("GET", "/_dialtone/faults").body)["signature_faults"].Size(), 0u);
}

TEST_F(FaultsTest, ResetRestoresTheConfiguredRules) {
  core::faults::FaultRule configured;
  configured.method = "GET";
  configured.route = "Calls";
  configured.kind = core::faults::FaultKind::kStatus;
  configured.status = 429;
  config_.faults.push_back(configured);
  start();
  auto listing = json(send("GET", "/_dialtone/faults").body);
  ASSERT_EQ(listing["rules"].Size(), 1u);
  EXPECT_STREQ(listing["rules"][0]["source"].GetString(), "config");
  EXPECT_EQ(listing["rules"][0]["account_sid"].GetString(), config_.account_sid);
  api::Response throttled = twilio("GET", calls() + ".json");
  EXPECT_EQ(throttled.status, 429);
  ASSERT_EQ(send("POST", "/_dialtone/faults", R"({"Kind": "reset"})").status, 201);
  ASSERT_EQ(send("POST", "/_dialtone/accounts/" + config_.account_sid + "/signature",
                 R"({"Fault": "wrong-key"})").status,
            200);
  ASSERT_EQ(send("POST", "/_dialtone/reset").status, 200);
  listing = json(send("GET", "/_dialtone/faults").body);
  ASSERT_EQ(listing["rules"].Size(), 1u);
  EXPECT_EQ(listing["rules"][0]["matched"].GetUint64(), 0u);
  EXPECT_EQ(listing["signature_faults"].Size(), 0u);
}

}  // namespace
}  // namespace dialtone::server
