// The webhook client on a 2-thread io_context, with helpers to send one request and wait.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/webhook_client.hpp"

namespace dialtone::server {

class WebhookClientTest : public ::testing::Test {
 protected:
  WebhookClientTest() : work_(boost::asio::make_work_guard(io_)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~WebhookClientTest() override {
    client_.reset();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  WebhookClient& client() {
    if (!client_) client_ = std::make_unique<WebhookClient>(io_, config_);
    return *client_;
  }

  static core::WebhookRequest request(std::string url, std::string call_sid = "CA1",
                                      core::HttpMethod method = core::HttpMethod::kPost) {
    core::WebhookRequest r;
    static uint64_t next_id = 1;
    r.id = next_id++;
    r.account_sid = "AC1";
    r.call_sid = call_sid;
    r.auth_token = "secret-token";
    r.target = {std::move(url), method};
    r.params = {{"CallSid", call_sid}, {"AccountSid", "AC1"}, {"From", "+14155550100"},
                {"To", "+1 415 555 0199"}};
    return r;
  }

  core::WebhookResult send_and_wait(core::WebhookRequest r) {
    std::promise<core::WebhookResult> p;
    auto f = p.get_future();
    client().send(std::move(r), [&p](core::WebhookResult result) { p.set_value(result); });
    EXPECT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    return f.get();
  }

  // The same, measuring how long the result took.
  core::WebhookResult timed(const std::string& url, std::chrono::milliseconds& took) {
    auto started = std::chrono::steady_clock::now();
    auto result = send_and_wait(request(url));
    took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return result;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  config::WebhookConfig config_;
  std::unique_ptr<WebhookClient> client_;
};

}  // namespace dialtone::server
