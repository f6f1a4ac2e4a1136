// Log lines off the request path: lines appended by many threads at once all reach stdout,
// whole, each thread's in its order, with the writer running and after it stops.
#include "server/log_buffers.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dialtone::server {
namespace {

// Points stdout (fd 1) at a file for the life of the object.
class CapturedStdout {
 public:
  CapturedStdout()
      : path_(std::filesystem::temp_directory_path() /
              ("dialtone_log_buffers_" + std::to_string(std::random_device{}()))) {
    std::fflush(stdout);
    saved_ = ::dup(STDOUT_FILENO);
    std::FILE* f = std::fopen(path_.c_str(), "w");
    ::dup2(::fileno(f), STDOUT_FILENO);
    std::fclose(f);
  }
  ~CapturedStdout() {
    restore();
    std::filesystem::remove(path_);
  }
  void restore() {
    if (saved_ < 0) return;
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::string text() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::filesystem::path path_;
  int saved_ = -1;
};

TEST(LogBuffers, LinesFromManyThreadsArriveWholeAndInTheirOrder) {
  constexpr int kThreads = 4;
  constexpr int kLines = 20000;  // ~1 MiB per thread: the writer is woken by full buffers too
  CapturedStdout out;
  log_buffers::start(std::chrono::milliseconds(5));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) {
        log_buffers::append("thread " + std::to_string(t) + " line " + std::to_string(i) +
                            " padding-padding-padding\n");
      }
    });
  }
  for (auto& th : threads) th.join();  // their buffers are orphaned: the writer still writes them
  log_buffers::stop();
  log_buffers::append("after stop\n");  // no writer: straight out
  out.restore();

  std::istringstream lines(out.text());
  std::map<int, int> next;  // thread -> the line it must write next
  std::string line;
  int total = 0;
  bool after = false;
  while (std::getline(lines, line)) {
    if (line == "after stop") {
      after = true;
      continue;
    }
    int t = -1, i = -1;
    char pad[32];
    ASSERT_EQ(std::sscanf(line.c_str(), "thread %d line %d %31s", &t, &i, pad), 3) << line;
    ASSERT_EQ(std::string(pad), "padding-padding-padding") << line;
    ASSERT_EQ(i, next[t]) << "thread " << t << " out of order";
    ++next[t];
    ++total;
  }
  EXPECT_EQ(total, kThreads * kLines);
  EXPECT_TRUE(after);
}

}  // namespace
}  // namespace dialtone::server
