// spdlog set-up: text ("2026-01-01T10:00:00.123Z info message") or JSON lines
// ({"time":..,"level":..,"msg":..}), to stdout, flushed on every line so that a test reading
// the pipe sees the first line ("dialtone listening on http://HOST:PORT") at once.
// Thread-safety: call once at startup, before other threads log.
#pragma once

#include <string>

namespace dialtone::server {

// format: "text" | "json"; level: spdlog level name. Returns "" or an error.
std::string setup_logging(const std::string& format, const std::string& level);

// JSON string escaping (quotes not included), shared with the JSON formatter.
std::string json_escape(std::string_view text);

}  // namespace dialtone::server
