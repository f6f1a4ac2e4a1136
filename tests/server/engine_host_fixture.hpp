// An EngineHost on a 2-thread io_context: a test sets config_, then calls start().
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "server/engine_host.hpp"

namespace dialtone::server {

class EngineHostFixture : public ::testing::Test {
 protected:
  EngineHostFixture() : work_(boost::asio::make_work_guard(io_)) {}
  ~EngineHostFixture() override { stop_io(); }

  // Creates the host, calls on_host_created(), then runs the io_context on 2 threads.
  void start() {
    host_ = std::make_unique<EngineHost>(io_, config_);
    on_host_created();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  // For a subclass that builds on the host before any io thread runs.
  virtual void on_host_created() {}

  // Stops the host and joins the io threads. A subclass whose members the io threads use calls
  // it from its own destructor; calling it again does nothing.
  void stop_io() {
    if (stopped_) return;
    stopped_ = true;
    if (host_) host_->stop();
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  config::Config config_;
  std::unique_ptr<EngineHost> host_;

 private:
  bool stopped_ = false;
};

}  // namespace dialtone::server
