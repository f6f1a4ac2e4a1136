// fuzz_config: the configuration loader on arbitrary text. Input: a mode byte, then the text.
//   mode % 4 == 0: apply_json(text) over the defaults, then validate()
//   mode % 4 == 1: load() with no flags and the text as the file given by --config
//                  (written to a temporary file)
//   mode % 4 == 2: load() with each line of the text as one command-line argument
//   mode % 4 == 3: load() with each line NAME=VALUE as the environment
// Properties: no crash, leak or UB; a successful load gives a configuration that validates and
// whose settings are inside their documented ranges.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

namespace detail {

inline void check_config(const config::Config& c) {
  FUZZ_CHECK(config::validate(c).empty());
  FUZZ_CHECK(c.port >= 0 && c.port <= 65535);
  FUZZ_CHECK(c.threads >= 0 && c.threads <= 256);
  FUZZ_CHECK(c.clock == "real" || c.clock == "manual");
  FUZZ_CHECK(c.clock_speed >= 0.001 && c.clock_speed <= 1000.0);
  FUZZ_CHECK(c.log_format == "text" || c.log_format == "json");
  FUZZ_CHECK(c.webhook.max_response_bytes >= 1024);
  FUZZ_CHECK(c.limits.max_body_bytes >= 1024);
}

}  // namespace detail

inline void run_config(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  const uint8_t mode = in.byte();
  const std::string_view text = in.rest();

  switch (mode % 4) {
    case 0: {
      config::Config c;
      const std::string error = config::apply_json(text, "fuzz.json", c);
      if (error.empty() && config::validate(c).empty()) detail::check_config(c);
      break;
    }
    case 1: {
      static const std::string path =
          "/tmp/dialtone-fuzz-config-" + std::to_string(::getpid()) + ".json";
      if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
        const auto r = config::load({"--config", path},
                                    [](const std::string&) { return std::optional<std::string>(); });
        if (r.ok() && !r.show_help) detail::check_config(r.config);
        std::remove(path.c_str());
      }
      break;
    }
    case 2: {
      std::vector<std::string> args;
      for_each_line(text, [&](std::string_view l) { args.emplace_back(l); });
      // --config would read whatever file the fuzzer names; keep the harness hermetic.
      for (auto& a : args) {
        if (a.rfind("--config", 0) == 0) a = "--help";
      }
      const auto r = config::load(args, [](const std::string&) { return std::optional<std::string>(); });
      if (r.ok() && !r.show_help) detail::check_config(r.config);
      break;
    }
    case 3: {
      std::map<std::string, std::string> env;
      for_each_line(text, [&](std::string_view l) {
        const size_t eq = l.find('=');
        if (eq != std::string_view::npos) env[std::string(l.substr(0, eq))] = std::string(l.substr(eq + 1));
      });
      env.erase("DIALTONE_CONFIG");
      const auto r = config::load({}, [&](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
      if (r.ok() && !r.show_help) detail::check_config(r.config);
      break;
    }
  }
}

}  // namespace dialtone::fuzz
