// spdlog set-up: text ("2026-01-01T10:00:00.123Z info message") or JSON lines
// ({"time":..,"level":..,"msg":..}), to stdout. Lines are not written by the thread that logs
// them: each thread's lines collect in a buffer of its own (server/log_buffers.hpp) that a
// background thread writes out at least every PeriodicLogFlush interval; warnings and errors,
// and a caller's flush_log() (main() after the start-up lines, so that a test reading the
// pipe sees "dialtone listening on http://HOST:PORT" at once), write everything out at once.
// The access log, one line per request, skips spdlog: access_log() formats its line on the
// stack and appends it, without a lock shared with another thread or an allocation.
// Thread-safety: call setup_logging once at startup, before other threads log.
#pragma once

#include <fmt/compile.h>
#include <spdlog/fmt/fmt.h>

#include <chrono>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

namespace dialtone::server {

// format: "text" | "json"; level: spdlog level name. Returns "" or an error.
std::string setup_logging(const std::string& format, const std::string& level);

// Runs the background writer of log lines, every `interval` (and sooner when a thread's
// buffer fills); when destroyed, stops it and writes out what is left.
class PeriodicLogFlush {
 public:
  explicit PeriodicLogFlush(std::chrono::milliseconds interval);
  ~PeriodicLogFlush();
  PeriodicLogFlush(const PeriodicLogFlush&) = delete;
  PeriodicLogFlush& operator=(const PeriodicLogFlush&) = delete;
};

void flush_log();

// The access log's switch (the logger's level is info or lower) and its line writer.
bool access_log_enabled();
void write_access_line(std::string_view message);

// One access-log line at level info, as spdlog::info would write it. `format` is a
// FMT_COMPILE string: parsed once at compile time, not per request (parsing it was half of
// what the line cost the I/O thread, ~2% of a fetch's CPU, fifteenth session).
// write_access_log writes it without looking at the switch (its caller has).
template <class Format, class... Args>
void write_access_log(const Format& format, Args&&... args) {
  fmt::basic_memory_buffer<char, 256> message;  // on the stack for any request's line
  fmt::format_to(std::back_inserter(message), format, std::forward<Args>(args)...);
  write_access_line({message.data(), message.size()});
}
template <class Format, class... Args>
void access_log(const Format& format, Args&&... args) {
  if (access_log_enabled()) write_access_log(format, std::forward<Args>(args)...);
}

// The line of an answered request: method, path, status, milliseconds since `started`, the
// call's sid when the path does not hold it already (a create's: a fetch's or an update's line
// is 35 bytes shorter, and a search for the sid still finds every line of the call), the
// request id. Never the query string (it may carry tokens) nor any header. With the log off it
// reads neither the clock nor the path. server/http_server.cpp writes it;
// bench/access_log_bench.cpp times it.
inline void access_log_answer(std::string_view method, std::string_view path, int status,
                              std::chrono::steady_clock::time_point started,
                              std::string_view call_sid, std::string_view request_id) {
  if (!access_log_enabled()) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  // An empty field is still copied, and std::string_view() would hand memcpy a null pointer.
  const std::string_view sid =
      path.find(call_sid) == std::string_view::npos ? call_sid : std::string_view("", 0);
  write_access_log(FMT_COMPILE("{} {} {} {}ms{}{} {}"), method, path, status, ms,
                   sid.empty() ? "" : " ", sid, request_id);
}

}  // namespace dialtone::server
