#include "server/logging.hpp"

#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

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

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(bool json) : json_(json) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    auto level = spdlog::level::to_string_view(msg.level);
    char time[24];
    utc_timestamp(msg.time, time);
    auto append = [&dest](std::string_view s) { dest.append(s.data(), s.data() + s.size()); };
    if (json_) {
      append("{\"time\":\"");
      append({time, sizeof time});
      append("\",\"level\":\"");
      append({level.data(), level.size()});
      append("\",\"msg\":\"");
      append(json_escape(text));
      append("\"}\n");
    } else {
      append({time, sizeof time});
      append(" ");
      append({level.data(), level.size()});
      append(" ");
      append(text);
      append("\n");
    }
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(json_);
  }

 private:
  bool json_;
};

// spdlog's stdout sinks fflush after every line; this one leaves the line in stdio's buffer
// until the logger is flushed (warnings, PeriodicLogFlush, flush_log()).
class StdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

}  // namespace

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string setup_logging(const std::string& format, const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") return "log_level: unknown level " + level;
  // Fully buffered even on a terminal: PeriodicLogFlush bounds how long a line waits. The
  // buffer is ours: given none, glibc ignores the size and uses one of st_blksize (4 KiB), a
  // write(2) every ~40 access-log lines, made with the sink's lock held.
  static char stdout_buffer[64 * 1024];
  std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
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

PeriodicLogFlush::PeriodicLogFlush(std::chrono::milliseconds interval)
    : thread_([this, interval](std::stop_token stop) {
        std::unique_lock lock(mu_);
        while (!stop.stop_requested()) {
          wake_.wait_for(lock, stop, interval, [] { return false; });
          flush_log();
        }
      }) {}

PeriodicLogFlush::~PeriodicLogFlush() {
  thread_.request_stop();
  thread_.join();
  flush_log();
}

}  // namespace dialtone::server
