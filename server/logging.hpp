// spdlog set-up: text ("2026-01-01T10:00:00.123Z info message") or JSON lines
// ({"time":..,"level":..,"msg":..}), to stdout. Lines are buffered and written out at least
// every PeriodicLogFlush interval, at once for warnings and errors, and whenever the caller
// flushes (main() does after the start-up lines, so that a test reading the pipe sees
// "dialtone listening on http://HOST:PORT" at once): one write per request line cost a sixth
// of the server's throughput.
// Thread-safety: call setup_logging once at startup, before other threads log.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace dialtone::server {

// format: "text" | "json"; level: spdlog level name. Returns "" or an error.
std::string setup_logging(const std::string& format, const std::string& level);

// Writes out what the logger buffered every `interval`, and once more when destroyed.
class PeriodicLogFlush {
 public:
  explicit PeriodicLogFlush(std::chrono::milliseconds interval);
  ~PeriodicLogFlush();
  PeriodicLogFlush(const PeriodicLogFlush&) = delete;
  PeriodicLogFlush& operator=(const PeriodicLogFlush&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: starts once mu_ and wake_ exist
};

void flush_log();

// JSON string escaping (quotes not included), shared with the JSON formatter.
std::string json_escape(std::string_view text);

}  // namespace dialtone::server
