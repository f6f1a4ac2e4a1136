// The console's static files (server/console/*), embedded in the binary at build time by
// server/console/embed.cmake: the page works with nothing installed beside the binary.
// Thread-safety: immutable data.
#pragma once

#include <string_view>

namespace dialtone::server {

struct ConsoleAsset {
  std::string_view name;          // "index.html", "console.js", ...
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;          // "\"1a2b...\"": quoted, as the header carries it
};

// nullptr when there is no such file.
const ConsoleAsset* find_console_asset(std::string_view name);

}  // namespace dialtone::server
