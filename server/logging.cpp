#include "server/logging.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "server/log_buffers.hpp"

namespace dialtone::server {
namespace {

// "2026-12-01T20:53:27.123Z" into buf (24 bytes). The part up to the seconds is kept per
// thread and redone only when the second changes: every request logs a line.
void utc_timestamp(spdlog::log_clock::time_point t, char (&buf)[24]) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch())
                      .count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  thread_local std::time_t cached_secs = -1;
  thread_local char cached[20];
  if (secs != cached_secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char tmp[64];
    std::snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::memcpy(cached, tmp, sizeof cached);
    cached_secs = secs;
  }
  std::memcpy(buf, cached, 19);
  const int milli = static_cast<int>(ms % 1000);
  buf[19] = '.';
  buf[20] = static_cast<char>('0' + milli / 100);
  buf[21] = static_cast<char>('0' + milli / 10 % 10);
  buf[22] = static_cast<char>('0' + milli % 10);
  buf[23] = 'Z';
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

// JSON string escaping (quotes not included), into the line being built.
void append_json_escaped(spdlog::memory_buf_t& dest, std::string_view text) {
  for (unsigned char c : text) {
    switch (c) {
      case '"': append(dest, "\\\""); break;
      case '\\': append(dest, "\\\\"); break;
      case '\n': append(dest, "\\n"); break;
      case '\r': append(dest, "\\r"); break;
      case '\t': append(dest, "\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          append(dest, buf);
        } else {
          dest.push_back(static_cast<char>(c));
        }
    }
  }
}

// One line of either format; the spdlog formatter and the access log both make theirs here.
void format_line(bool json, spdlog::log_clock::time_point t, spdlog::level::level_enum lvl,
                 std::string_view text, spdlog::memory_buf_t& dest) {
  // What goes around the three parts in each format.
  struct Shape {
    std::string_view open, after_time, after_level, close;
  };
  static constexpr Shape kJson{"{\"time\":\"", "\",\"level\":\"", "\",\"msg\":\"", "\"}\n"};
  static constexpr Shape kText{"", " ", " ", "\n"};
  const Shape& shape = json ? kJson : kText;
  const auto level = spdlog::level::to_string_view(lvl);
  char time[24];
  utc_timestamp(t, time);
  append(dest, shape.open);
  append(dest, {time, sizeof time});
  append(dest, shape.after_time);
  append(dest, {level.data(), level.size()});
  append(dest, shape.after_level);
  if (json) {
    append_json_escaped(dest, text);
  } else {
    append(dest, text);
  }
  append(dest, shape.close);
}

std::atomic<bool> json_lines{false};  // set by setup_logging

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(bool json) : json_(json) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    format_line(json_, msg.time, msg.level, {msg.payload.data(), msg.payload.size()}, dest);
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(json_);
  }

 private:
  bool json_;
};

// Lines go to log_buffers (each thread's own buffer, written out by a background thread), so
// the sink needs no lock of its own: the formatter keeps nothing between calls but per-thread
// caches.
class StdoutSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    log_buffers::append({line.data(), line.size()});
  }
  void flush_() override { log_buffers::flush(); }
};

}  // namespace

bool access_log_enabled() {
  const auto* logger = spdlog::default_logger_raw();
  return logger && logger->should_log(spdlog::level::info);
}

void write_access_line(std::string_view message) {
  spdlog::memory_buf_t line;
  format_line(json_lines.load(std::memory_order_relaxed), spdlog::log_clock::now(),
              spdlog::level::info, message, line);
  log_buffers::append({line.data(), line.size()});
}

std::string setup_logging(const std::string& format, const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") return "log_level: unknown level " + level;
  json_lines.store(format == "json");
  auto logger = std::make_shared<spdlog::logger>("dialtone", std::make_shared<StdoutSink>());
  logger->set_formatter(std::make_unique<LineFormatter>(format == "json"));
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return "";
}

void flush_log() {
  if (auto logger = spdlog::default_logger()) logger->flush();
}

PeriodicLogFlush::PeriodicLogFlush(std::chrono::milliseconds interval) {
  log_buffers::start(interval);
}

PeriodicLogFlush::~PeriodicLogFlush() { log_buffers::stop(); }

}  // namespace dialtone::server
