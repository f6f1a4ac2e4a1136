#include "config/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <vector>

namespace dialtone::config {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The repository root (tests/CMakeLists.txt).
std::string source_dir() { return DIALTONE_SOURCE_DIR; }

// Named by process as well: ctest runs shards of this binary at once (tests/CMakeLists.txt),
// and each one's counter starts at 0. Removed when the process exits (every run left 26
// files in /tmp before).
std::string temp_file(const std::string& text) {
  struct Made {
    std::vector<std::string> paths;
    ~Made() {
      for (const auto& p : paths) std::remove(p.c_str());
    }
  };
  static Made made;
  std::string path = ::testing::TempDir() + "dialtone_cfg_" + std::to_string(::getpid()) + "_" +
                     std::to_string(made.paths.size()) + ".json";
  std::ofstream(path) << text;
  made.paths.push_back(path);
  return path;
}

TEST(Config, Defaults) {
  auto r = load({}, env_of({}));
  ASSERT_TRUE(r.ok()) << r.error;
  const Config& c = r.config;
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 7070);
  EXPECT_EQ(c.threads, 0);  // from the cores, at start-up
  EXPECT_TRUE(std::regex_match(c.account_sid, std::regex("^AC[0-9a-f]{32}$")));
  EXPECT_EQ(c.auth_token, "dialtone-auth-token");
  EXPECT_EQ(c.webhook.connect_timeout_ms, 5000);
  EXPECT_EQ(c.webhook.connect_retries, 1);
  EXPECT_EQ(c.webhook.total_timeout_ms, 15000);
  EXPECT_EQ(c.webhook.max_response_bytes, 65536);
  EXPECT_EQ(c.webhook.max_idle_per_host, 8);
  EXPECT_EQ(c.webhook.max_connections_per_host, 32);
  EXPECT_FALSE(c.webhook.insecure_tls);
  EXPECT_EQ(c.limits.max_body_bytes, 1 << 20);
  EXPECT_EQ(c.limits.max_header_bytes, 8192);
  EXPECT_EQ(c.shutdown_timeout_s, 10);
  EXPECT_EQ(c.clock, "real");
}

TEST(Config, ShippedDefaultFileMatchesDefaultsAndHasEveryKey) {
  auto r = load({"--config", source_dir() + "/config/dialtone.json"},
                env_of({}));
  ASSERT_TRUE(r.ok()) << r.error;
  auto d = load({}, env_of({}));
  EXPECT_EQ(r.config.port, d.config.port);
  EXPECT_EQ(r.config.account_sid, d.config.account_sid);
  EXPECT_EQ(r.config.webhook.read_timeout_ms, d.config.webhook.read_timeout_ms);
  EXPECT_EQ(r.config.limits.max_connections, d.config.limits.max_connections);
  EXPECT_EQ(r.config.webhook.max_connections_per_host,
            d.config.webhook.max_connections_per_host);
  // Every setting named in --help appears in the file.
  std::ifstream in(source_dir() + "/config/dialtone.json");
  std::string file((std::istreambuf_iterator<char>(in)), {});
  std::regex env_re("\\(DIALTONE_([A-Z_]+)\\)");
  std::string help = help_text();
  for (std::sregex_iterator it(help.begin(), help.end(), env_re), end; it != end; ++it) {
    std::string env = (*it)[1];
    // Last path component, lowercased, must be a key in the file.
    std::string last;
    for (char ch : env) last += static_cast<char>(std::tolower(ch));
    bool found = false;
    for (size_t pos = 0; pos < last.size(); ++pos) {
      if (pos == 0 || last[pos - 1] == '_') {
        found = found || file.find("\"" + last.substr(pos) + "\"") != std::string::npos;
      }
    }
    EXPECT_TRUE(found) << env;
  }
}

TEST(Config, PrecedenceFlagOverEnvOverFile) {
  auto file = temp_file(R"({"port": 1111, "log_level": "debug", "webhook": {"ca_file": "/x"}})");
  auto env = env_of({{"DIALTONE_PORT", "2222"}, {"DIALTONE_LOG_LEVEL", "warn"}});
  auto r = load({"--config", file, "--port", "3333"}, env);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.port, 3333);
  EXPECT_EQ(r.config.log_level, "warn");
  EXPECT_EQ(r.config.webhook.ca_file, "/x");
  EXPECT_EQ(r.config.config_file, file);

  r = load({"--config=" + file}, env);
  EXPECT_EQ(r.config.port, 2222);
  r = load({"--config", file}, env_of({}));
  EXPECT_EQ(r.config.port, 1111);
  r = load({}, env_of({{"DIALTONE_CONFIG", file}}));
  EXPECT_EQ(r.config.port, 1111);
}

TEST(Config, NestedFlagsEnvAndBareBooleans) {
  auto r = load({"--webhook-connect-timeout-ms=250", "--webhook-insecure-tls", "--port", "0"},
                env_of({{"DIALTONE_LIMITS_MAX_BODY_BYTES", "4096"},
                        {"DIALTONE_CONTROL_API_TOKEN", "secret"},
                        {"DIALTONE_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"},
                        {"DIALTONE_AUTH_TOKEN", "tok"}}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.webhook.connect_timeout_ms, 250);
  EXPECT_TRUE(r.config.webhook.insecure_tls);
  EXPECT_EQ(r.config.port, 0);
  EXPECT_EQ(r.config.limits.max_body_bytes, 4096);
  EXPECT_EQ(r.config.control_api.token, "secret");
  EXPECT_EQ(r.config.account_sid, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.config.auth_token, "tok");
}

TEST(Config, WebhookConnectionCapByFlagEnvAndFile) {
  auto r = load({"--webhook-max-connections-per-host", "4"}, env_of({}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.webhook.max_connections_per_host, 4);
  r = load({}, env_of({{"DIALTONE_WEBHOOK_MAX_CONNECTIONS_PER_HOST", "64"}}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.webhook.max_connections_per_host, 64);
  r = load({"--config", temp_file(R"({"webhook": {"max_connections_per_host": 2}})")},
           env_of({}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.webhook.max_connections_per_host, 2);
  // At least one: a cap of 0 would make every webhook wait forever.
  r = load({"--webhook-max-connections-per-host", "0"}, env_of({}));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("webhook.max_connections_per_host"), std::string::npos) << r.error;
}

TEST(Config, Accounts) {
  auto file = temp_file(R"({"accounts": [
    {"sid": "AC11111111111111111111111111111111", "auth_token": "t1",
     "api_keys": [{"sid": "SK11111111111111111111111111111111", "secret": "s"}]},
    {"sid": "AC22222222222222222222222222222222", "auth_token": "t2",
     "owner_account_sid": "AC11111111111111111111111111111111"}]})");
  auto r = load({"--config", file}, env_of({}));
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.config.accounts.size(), 2u);
  EXPECT_EQ(r.config.accounts[0].api_keys.at(0).secret, "s");
  EXPECT_EQ(r.config.accounts[1].owner_account_sid, "AC11111111111111111111111111111111");
}

TEST(Config, FaultRulesAndSecondaryTokens) {
  auto file = temp_file(R"({
    "secondary_auth_token": "next-token",
    "accounts": [{"sid": "AC11111111111111111111111111111111", "auth_token": "t1",
                  "secondary_auth_token": "t1-next"}],
    "faults": [
      {"method": "POST", "route": "Calls", "kind": "status", "status": 429, "times": 3},
      {"account_sid": "AC11111111111111111111111111111111", "method": "GET",
       "route": "Calls/{Sid}", "kind": "latency", "latency_ms": 250, "probability": 0.5,
       "seed": 7, "applied": true},
      {"kind": "hang", "message": ""}
    ]})");
  auto r = load({"--config", file}, env_of({}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.secondary_auth_token, "next-token");
  EXPECT_EQ(r.config.accounts.at(0).secondary_auth_token, "t1-next");
  ASSERT_EQ(r.config.faults.size(), 3u);
  const auto& a = r.config.faults[0];
  EXPECT_EQ(a.account_sid, "");  // the default account, resolved where the rule is used
  EXPECT_EQ(a.method, "POST");
  EXPECT_EQ(a.kind, core::faults::FaultKind::kStatus);
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.times, 3u);
  const auto& b = r.config.faults[1];
  EXPECT_EQ(b.account_sid, "AC11111111111111111111111111111111");
  EXPECT_EQ(b.kind, core::faults::FaultKind::kLatency);
  EXPECT_EQ(b.latency_ms, 250);
  EXPECT_EQ(b.probability, 0.5);
  EXPECT_EQ(b.seed, 7u);
  EXPECT_TRUE(b.applied);
  EXPECT_EQ(r.config.faults[2].kind, core::faults::FaultKind::kHang);

  r = load({"--secondary-auth-token", "from-flag"}, env_of({}));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.secondary_auth_token, "from-flag");
}

struct BadCase {
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string json;  // written to a file and passed with --config when non-empty
  std::string expect_in_error;
};

TEST(Config, ErrorsNameTheSetting) {
  std::vector<BadCase> cases = {
      {{"--port", "70000"}, {}, "", "port"},
      {{"--port", "abc"}, {}, "", "port"},
      {{"--nope", "1"}, {}, "", "--nope"},
      {{"stray"}, {}, "", "stray"},
      {{"--port"}, {}, "", "--port"},
      {{}, {{"DIALTONE_THREADS", "-1"}}, "", "DIALTONE_THREADS"},
      {{}, {{"DIALTONE_LOG_FORMAT", "xml"}}, "", "log_format"},
      {{}, {{"DIALTONE_WEBHOOK_INSECURE_TLS", "maybe"}}, "", "webhook.insecure_tls"},
      {{}, {{"DIALTONE_ACCOUNT_SID", "AC123"}}, "", "account_sid"},
      {{"--media-base-url", "ftp://x"}, {}, "", "media_base_url"},
      {{"--media-base-url", "http://x/"}, {}, "", "media_base_url"},
      {{}, {}, R"({"prot": 1})", "prot"},
      {{}, {}, R"({"webhook": {"connect_timeout": 1}})", "webhook.connect_timeout"},
      {{}, {}, R"({"webhook": {"connect_timeout_ms": "fast"}})", "webhook.connect_timeout_ms"},
      {{}, {}, R"({"port": 1,})", "invalid JSON"},
      {{}, {}, R"({"accounts": [{"sid": "ACxyz", "auth_token": "t"}]})", "accounts[0].sid"},
      {{}, {}, R"({"accounts": [{"auth_token": "t"}]})", "accounts[0].sid"},
      {{}, {}, R"({"accounts": [{"sid": "AC11111111111111111111111111111111", "auth_token": "t",
                   "colour": "red"}]})", "colour"},
      {{"--config", "/nonexistent/dialtone.json"}, {}, "", "/nonexistent/dialtone.json"},
      {{}, {}, R"({"faults": {}})", "faults must be an array"},
      {{}, {}, R"({"faults": [1]})", "faults[0] must be an object"},
      {{}, {}, R"({"faults": [{"status": 500}]})", "faults[0].kind is required"},
      {{}, {}, R"({"faults": [{"kind": "boom"}]})", "faults[0].kind: 'boom'"},
      {{}, {}, R"({"faults": [{"kind": "status", "status": "500"}]})",
       "faults[0].status must be an integer"},
      {{}, {}, R"({"faults": [{"kind": "status", "status": 700}]})",
       "faults[0].status must be 400..599"},
      {{}, {}, R"({"faults": [{"kind": "status", "status": 500, "Times": 1}]})",
       "faults[0]: unknown key 'Times'"},
      {{}, {}, R"({"faults": [{"kind": "reset", "times": -1}]})",
       "faults[0].times must be a whole number"},
      {{}, {}, R"({"faults": [{"kind": "reset", "probability": "half"}]})",
       "faults[0].probability must be a number"},
      {{}, {}, R"({"faults": [{"kind": "reset", "seed": 1}]})", "faults[0].seed is only used"},
      {{}, {}, R"({"faults": [{"kind": "reset", "applied": "yes"}]})",
       "faults[0].applied must be true or false"},
      {{}, {}, R"({"faults": [{"kind": "reset", "route": "Calls/{CallSid}"}]})",
       "faults[0].route 'Calls/{CallSid}'"},
      {{}, {}, R"({"faults": [{"kind": "latency"}]})", "faults[0].latency_ms is required"},
      {{}, {}, R"({"faults": [{"kind": "reset"},
                   {"kind": "reset", "account_sid": "AC99999999999999999999999999999999"}]})",
       "faults[1].account_sid: no such account"},
      {{}, {}, R"({"secondary_auth_token": 5})", "secondary_auth_token"},
  };
  for (auto& c : cases) {
    auto args = c.args;
    if (!c.json.empty()) {
      args.push_back("--config");
      args.push_back(temp_file(c.json));
    }
    auto r = load(args, env_of(c.env));
    EXPECT_FALSE(r.ok()) << c.expect_in_error;
    EXPECT_NE(r.error.find(c.expect_in_error), std::string::npos)
        << "error '" << r.error << "' does not name " << c.expect_in_error;
  }
}

TEST(Config, Help) {
  auto r = load({"--port", "1", "--help"}, env_of({}));
  EXPECT_TRUE(r.show_help);
  auto text = help_text();
  EXPECT_NE(text.find("--webhook-connect-timeout-ms"), std::string::npos);
  EXPECT_NE(text.find("DIALTONE_WEBHOOK_CONNECT_TIMEOUT_MS"), std::string::npos);
  EXPECT_NE(text.find("--config"), std::string::npos);
}

}  // namespace
}  // namespace dialtone::config
