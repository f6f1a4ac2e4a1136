#include "config/config.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/world/world.hpp"

namespace dialtone::config {
namespace {

// One scalar setting. Everything about flags, env and JSON keys is derived from `path`, so a
// new setting is one row here plus one member in Config.
// kToggle: a boolean or "auto" (config::Toggle); kList: a JSON array of strings, or in a
// flag or environment variable a comma-separated list.
enum class Kind { kInt, kDouble, kBool, kString, kToggle, kList };

struct Setting {
  std::string_view path;  // JSON path, dot-separated
  Kind kind;
  std::function<void*(Config&)> field;
  double min = 0, max = 0;              // kInt / kDouble ranges (inclusive)
  std::vector<std::string_view> one_of;  // kString: allowed values (empty: any)
  std::string_view help;
};

template <class T>
std::function<void*(Config&)> at(T Config::*member) {
  return [member](Config& c) -> void* { return &(c.*member); };
}
template <class S, class T>
std::function<void*(Config&)> at(S Config::*outer, T S::*inner) {
  return [outer, inner](Config& c) -> void* { return &((c.*outer).*inner); };
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = {
      {"host", Kind::kString, at(&Config::host), 0, 0, {}, "address to listen on"},
      {"port", Kind::kInt, at(&Config::port), 0, 65535, {}, "port; 0 = any free port"},
      {"threads", Kind::kInt, at(&Config::threads), 0, 256, {},
       "I/O threads; 0 = half the cores available, 1 to 4"},
      {"log_format", Kind::kString, at(&Config::log_format), 0, 0, {"text", "json"},
       "text | json (one JSON object per line)"},
      {"log_level", Kind::kString, at(&Config::log_level), 0, 0,
       {"trace", "debug", "info", "warn", "error", "off"}, "trace .. off"},
      {"account_sid", Kind::kString, at(&Config::account_sid), 0, 0, {},
       "the default account (AC + 32 hex)"},
      {"auth_token", Kind::kString, at(&Config::auth_token), 0, 0, {},
       "its auth token (API auth and webhook signatures)"},
      {"secondary_auth_token", Kind::kString, at(&Config::secondary_auth_token), 0, 0, {},
       "a second auth token the default account accepts (token rotation); empty = none"},
      {"clock", Kind::kString, at(&Config::clock), 0, 0, {"real", "manual"},
       "real | manual (time moves only via the control API)"},
      {"clock_speed", Kind::kDouble, at(&Config::clock_speed), 0.001, 1000.0, {},
       "real clock: virtual seconds per wall second"},
      {"seed", Kind::kString, at(&Config::seed), 0, 0, {},
       "decimal seed of sids and random choices (reproducible runs); empty = random"},
      {"ring_seconds", Kind::kInt, at(&Config::ring_seconds), 0, 600, {},
       "default callee answers after this long"},
      {"play_seconds", Kind::kInt, at(&Config::play_seconds), 0, 3600, {},
       "nominal length of one <Play>"},
      {"media_base_url", Kind::kString, at(&Config::media_base_url), 0, 0, {},
       "scheme and host of the recordings' RecordingUrl (e.g. dialtone's own address)"},
      {"webhook.connect_timeout_ms", Kind::kInt,
       at(&Config::webhook, &WebhookConfig::connect_timeout_ms), 100, 10000, {},
       "TCP connect timeout per attempt"},
      {"webhook.connect_retries", Kind::kInt,
       at(&Config::webhook, &WebhookConfig::connect_retries), 0, 5, {},
       "retries after a failed connect"},
      {"webhook.read_timeout_ms", Kind::kInt,
       at(&Config::webhook, &WebhookConfig::read_timeout_ms), 100, 15000, {},
       "wait for the first response byte, and between packets"},
      {"webhook.total_timeout_ms", Kind::kInt,
       at(&Config::webhook, &WebhookConfig::total_timeout_ms), 100, 15000, {},
       "whole request including retries"},
      {"webhook.max_response_bytes", Kind::kInt,
       at(&Config::webhook, &WebhookConfig::max_response_bytes), 1024, 64 << 20, {},
       "larger responses fail with 11750"},
      {"webhook.max_idle_per_host", Kind::kInt,
       at(&Config::webhook, &WebhookConfig::max_idle_per_host), 0, 1024, {},
       "idle keep-alive connections kept per host"},
      {"webhook.max_connections_per_host", Kind::kInt,
       at(&Config::webhook, &WebhookConfig::max_connections_per_host), 1, 4096, {},
       "connections open at once per host; more webhooks wait for one"},
      {"webhook.ca_file", Kind::kString, at(&Config::webhook, &WebhookConfig::ca_file), 0, 0,
       {}, "PEM CA bundle for HTTPS webhooks (default: system CAs)"},
      {"webhook.insecure_tls", Kind::kBool,
       at(&Config::webhook, &WebhookConfig::insecure_tls), 0, 0, {},
       "do not verify webhook certificates"},
      {"limits.calls_per_second", Kind::kInt,
       at(&Config::limits, &LimitsConfig::calls_per_second), 0, 1000, {},
       "emulate Twilio's calls-per-second limit (extra calls wait queued); 0 = off"},
      {"limits.max_concurrent_api_requests", Kind::kInt,
       at(&Config::limits, &LimitsConfig::max_concurrent_api_requests), 0, 1 << 20, {},
       "429/20429 above this many Twilio API requests in flight; 0 = off"},
      {"limits.max_body_bytes", Kind::kInt,
       at(&Config::limits, &LimitsConfig::max_body_bytes), 1024, 1 << 30, {},
       "larger request bodies get 413"},
      {"limits.max_header_bytes", Kind::kInt,
       at(&Config::limits, &LimitsConfig::max_header_bytes), 1024, 1 << 20, {},
       "larger request headers get 431"},
      {"limits.max_connections", Kind::kInt,
       at(&Config::limits, &LimitsConfig::max_connections), 1, 1 << 20, {},
       "concurrent client connections"},
      {"limits.idle_timeout_s", Kind::kInt,
       at(&Config::limits, &LimitsConfig::idle_timeout_s), 1, 86400, {},
       "close keep-alive connections idle this long"},
      {"limits.read_timeout_s", Kind::kInt,
       at(&Config::limits, &LimitsConfig::read_timeout_s), 1, 3600, {},
       "a request must arrive within this long"},
      {"shutdown_timeout_s", Kind::kInt, at(&Config::shutdown_timeout_s), 0, 3600, {},
       "on SIGTERM, wait this long for in-flight requests"},
      {"webhook.allowed_hosts", Kind::kList,
       at(&Config::webhook, &WebhookConfig::allowed_hosts), 0, 0, {},
       "hosts webhooks may reach (host, *.suffix; comma-separated); empty = any"},
      {"control_api.enabled", Kind::kToggle,
       at(&Config::control_api, &ControlApiConfig::enabled), 0, 0, {},
       "true | false | auto (on when host is loopback or a token is set); health is always "
       "served"},
      {"control_api.token", Kind::kString,
       at(&Config::control_api, &ControlApiConfig::token), 0, 0, {},
       "require 'Authorization: Bearer TOKEN' on the control API"},
      {"data_dir", Kind::kString, at(&Config::data_dir), 0, 0, {},
       "keep accounts, numbers, behaviors, calls and journal in DIR/dialtone.db (SQLite)"},
  };
  return kSettings;
}

std::string flag_name(std::string_view path) {
  std::string out = "--";
  for (char c : path) out += (c == '.' || c == '_') ? '-' : c;
  return out;
}

std::string env_name(std::string_view path) {
  std::string out = "DIALTONE_";
  for (char c : path) {
    out += (c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

const Setting* find_setting(std::string_view path) {
  for (const auto& s : settings()) {
    if (s.path == path) return &s;
  }
  return nullptr;
}

bool parse_bool(std::string_view text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") {
    out = true;
    return true;
  }
  if (text == "false" || text == "0" || text == "no" || text == "off") {
    out = false;
    return true;
  }
  return false;
}

// Sets a setting from text (flag or env). Returns "" or an error naming `source`.
std::string set_from_text(const Setting& s, std::string_view text, const std::string& source,
                          Config& config) {
  void* field = s.field(config);
  auto bad = [&](std::string_view why) {
    return source + ": invalid value '" + std::string(text) + "' for " + std::string(s.path) +
           " (" + std::string(why) + ")";
  };
  switch (s.kind) {
    case Kind::kInt: {
      long long v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) return bad("expected an integer");
      if (v < s.min || v > s.max) {
        return bad("must be " + std::to_string(static_cast<long long>(s.min)) + ".." +
                   std::to_string(static_cast<long long>(s.max)));
      }
      *static_cast<int*>(field) = static_cast<int>(v);
      return "";
    }
    case Kind::kDouble: {
      std::string copy(text);
      char* end = nullptr;
      errno = 0;
      double v = std::strtod(copy.c_str(), &end);
      if (copy.empty() || errno != 0 || *end != '\0') return bad("expected a number");
      // Written so that NaN ("nan" parses) is out of range too: it compares false to anything.
      if (!(v >= s.min && v <= s.max)) return bad("out of range");
      *static_cast<double*>(field) = v;
      return "";
    }
    case Kind::kBool: {
      bool v = false;
      if (!parse_bool(text, v)) return bad("expected true or false");
      *static_cast<bool*>(field) = v;
      return "";
    }
    case Kind::kToggle: {
      bool v = false;
      if (text == "auto") {
        *static_cast<Toggle*>(field) = Toggle::kAuto;
      } else if (parse_bool(text, v)) {
        *static_cast<Toggle*>(field) = v ? Toggle::kTrue : Toggle::kFalse;
      } else {
        return bad("expected true, false or auto");
      }
      return "";
    }
    case Kind::kList: {
      std::vector<std::string> items;
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
        start = end + 1;
      }
      *static_cast<std::vector<std::string>*>(field) = std::move(items);
      return "";
    }
    case Kind::kString: {
      if (!s.one_of.empty()) {
        bool found = false;
        std::string allowed;
        for (auto option : s.one_of) {
          found = found || option == text;
          allowed += (allowed.empty() ? "" : " | ") + std::string(option);
        }
        if (!found) return bad("expected " + allowed);
      }
      *static_cast<std::string*>(field) = std::string(text);
      return "";
    }
  }
  return bad("unknown kind");
}

std::string set_from_json(const Setting& s, const rapidjson::Value& v, const std::string& source,
                          Config& config) {
  std::string where = source + ": " + std::string(s.path);
  switch (s.kind) {
    case Kind::kInt:
      if (!v.IsInt64()) return where + " must be an integer";
      return set_from_text(s, std::to_string(v.GetInt64()), source, config);
    case Kind::kDouble:
      if (!v.IsNumber()) return where + " must be a number";
      if (v.GetDouble() < s.min || v.GetDouble() > s.max) return where + " is out of range";
      *static_cast<double*>(s.field(config)) = v.GetDouble();
      return "";
    case Kind::kBool:
      if (!v.IsBool()) return where + " must be true or false";
      *static_cast<bool*>(s.field(config)) = v.GetBool();
      return "";
    case Kind::kString:
      if (!v.IsString()) return where + " must be a string";
      return set_from_text(s, std::string_view(v.GetString(), v.GetStringLength()), source,
                           config);
    case Kind::kToggle:
      if (v.IsBool()) {
        *static_cast<Toggle*>(s.field(config)) = v.GetBool() ? Toggle::kTrue : Toggle::kFalse;
        return "";
      }
      if (!v.IsString()) return where + " must be true, false or \"auto\"";
      return set_from_text(s, std::string_view(v.GetString(), v.GetStringLength()), source,
                           config);
    case Kind::kList: {
      if (!v.IsArray()) return where + " must be an array of strings";
      std::vector<std::string> items;
      for (const auto& item : v.GetArray()) {
        if (!item.IsString()) return where + " must be an array of strings";
        items.emplace_back(item.GetString(), item.GetStringLength());
      }
      *static_cast<std::vector<std::string>*>(s.field(config)) = std::move(items);
      return "";
    }
  }
  return where + ": unknown kind";
}

std::string read_string(const rapidjson::Value& obj, const char* key, const std::string& where,
                        std::string& out, bool required) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return required ? where + "." + key + " is required" : "";
  if (!it->value.IsString()) return where + "." + key + " must be a string";
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return "";
}

std::string parse_accounts(const rapidjson::Value& v, const std::string& source,
                           Config& config) {
  if (!v.IsArray()) return source + ": accounts must be an array";
  config.accounts.clear();
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    std::string where = source + ": accounts[" + std::to_string(i) + "]";
    const auto& a = v[i];
    if (!a.IsObject()) return where + " must be an object";
    for (auto m = a.MemberBegin(); m != a.MemberEnd(); ++m) {
      std::string_view key(m->name.GetString(), m->name.GetStringLength());
      if (key != "sid" && key != "auth_token" && key != "secondary_auth_token" &&
          key != "owner_account_sid" && key != "friendly_name" && key != "api_keys") {
        return where + ": unknown key '" + std::string(key) + "'";
      }
    }
    AccountConfig account;
    for (auto err : {read_string(a, "sid", where, account.sid, true),
                     read_string(a, "auth_token", where, account.auth_token, true),
                     read_string(a, "secondary_auth_token", where, account.secondary_auth_token,
                                 false),
                     read_string(a, "owner_account_sid", where, account.owner_account_sid, false),
                     read_string(a, "friendly_name", where, account.friendly_name, false)}) {
      if (!err.empty()) return err;
    }
    if (auto keys = a.FindMember("api_keys"); keys != a.MemberEnd()) {
      if (!keys->value.IsArray()) return where + ".api_keys must be an array";
      for (rapidjson::SizeType k = 0; k < keys->value.Size(); ++k) {
        std::string kwhere = where + ".api_keys[" + std::to_string(k) + "]";
        const auto& kv = keys->value[k];
        if (!kv.IsObject()) return kwhere + " must be an object";
        for (auto m = kv.MemberBegin(); m != kv.MemberEnd(); ++m) {
          std::string_view key(m->name.GetString(), m->name.GetStringLength());
          if (key != "sid" && key != "secret") {
            return kwhere + ": unknown key '" + std::string(key) + "'";
          }
        }
        ApiKeyConfig key;
        if (auto err = read_string(kv, "sid", kwhere, key.sid, true); !err.empty()) return err;
        if (auto err = read_string(kv, "secret", kwhere, key.secret, true); !err.empty()) {
          return err;
        }
        account.api_keys.push_back(std::move(key));
      }
    }
    config.accounts.push_back(std::move(account));
  }
  return "";
}

std::string check_keys(const rapidjson::Value& obj, const std::string& where,
                       std::initializer_list<std::string_view> allowed) {
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
    std::string_view key(m->name.GetString(), m->name.GetStringLength());
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (!ok) return where + ": unknown key '" + std::string(key) + "'";
  }
  return "";
}

std::string read_int(const rapidjson::Value& obj, const char* key, const std::string& where,
                     int min, int max, int& out) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return "";
  if (!it->value.IsInt() || it->value.GetInt() < min || it->value.GetInt() > max) {
    return where + "." + key + " must be an integer " + std::to_string(min) + ".." +
           std::to_string(max);
  }
  out = it->value.GetInt();
  return "";
}

std::string parse_behaviors(const rapidjson::Value& v, const std::string& source,
                            Config& config) {
  if (!v.IsArray()) return source + ": behaviors must be an array";
  config.behaviors.clear();
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    std::string where = source + ": behaviors[" + std::to_string(i) + "]";
    const auto& b = v[i];
    if (!b.IsObject()) return where + " must be an object";
    if (auto err = check_keys(b, where,
                              {"number", "default", "outcome", "answer_after", "answered_by",
                               "gather", "hangup_after", "record_seconds", "script"});
        !err.empty()) {
      return err;
    }
    BehaviorConfig bc;
    for (auto err : {read_string(b, "number", where, bc.number, false),
                     read_string(b, "outcome", where, bc.outcome, false),
                     read_string(b, "answered_by", where, bc.answered_by, false),
                     read_int(b, "answer_after", where, 0, 86400, bc.answer_after_s),
                     read_int(b, "record_seconds", where, 0, 86400, bc.record_seconds)}) {
      if (!err.empty()) return err;
    }
    if (auto d = b.FindMember("default"); d != b.MemberEnd()) {
      if (!d->value.IsBool()) return where + ".default must be true or false";
      bc.is_default = d->value.GetBool();
    }
    if (b.HasMember("hangup_after")) {
      int h = 0;
      if (auto err = read_int(b, "hangup_after", where, 0, 86400, h); !err.empty()) return err;
      bc.hangup_after_s = h;
    }
    if (auto g = b.FindMember("gather"); g != b.MemberEnd()) {
      if (!g->value.IsArray()) return where + ".gather must be an array of strings";
      for (const auto& item : g->value.GetArray()) {
        if (!item.IsString()) return where + ".gather must be an array of strings";
        bc.gather.emplace_back(item.GetString(), item.GetStringLength());
      }
    }
    if (auto s = b.FindMember("script"); s != b.MemberEnd()) {
      if (!s->value.IsArray()) return where + ".script must be an array of strings";
      for (const auto& item : s->value.GetArray()) {
        if (!item.IsString()) return where + ".script must be an array of strings";
        bc.script.emplace_back(item.GetString(), item.GetStringLength());
      }
      if (auto parsed = core::callee::parse_script(bc.script); !parsed) {
        return where + ".script: " + parsed.error().message;
      }
    }
    config.behaviors.push_back(std::move(bc));
  }
  return "";
}

std::string parse_numbers(const rapidjson::Value& v, const std::string& source, Config& config) {
  if (!v.IsArray()) return source + ": numbers must be an array";
  config.numbers.clear();
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    std::string where = source + ": numbers[" + std::to_string(i) + "]";
    const auto& n = v[i];
    if (!n.IsObject()) return where + " must be an object";
    if (auto err = check_keys(n, where,
                              {"phone_number", "account_sid", "voice_url", "voice_method",
                               "voice_fallback_url", "voice_fallback_method", "status_callback",
                               "status_callback_method"});
        !err.empty()) {
      return err;
    }
    NumberConfig nc;
    for (auto err :
         {read_string(n, "phone_number", where, nc.phone_number, true),
          read_string(n, "account_sid", where, nc.account_sid, false),
          read_string(n, "voice_url", where, nc.voice_url, false),
          read_string(n, "voice_method", where, nc.voice_method, false),
          read_string(n, "voice_fallback_url", where, nc.voice_fallback_url, false),
          read_string(n, "voice_fallback_method", where, nc.voice_fallback_method, false),
          read_string(n, "status_callback", where, nc.status_callback, false),
          read_string(n, "status_callback_method", where, nc.status_callback_method, false)}) {
      if (!err.empty()) return err;
    }
    config.numbers.push_back(std::move(nc));
  }
  return "";
}

// One field of a fault rule from its JSON value; "" or an error naming it.
std::string read_fault_field(core::faults::FaultRule& r, core::faults::FaultField field,
                             const rapidjson::Value& v, const std::string& where) {
  using core::faults::FaultField;
  const std::string name = where + "." + std::string(core::faults::config_name(field));
  auto text = [&](std::string& out) -> std::string {
    if (!v.IsString()) return name + " must be a string";
    out.assign(v.GetString(), v.GetStringLength());
    return "";
  };
  auto integer = [&](int& out) -> std::string {
    if (!v.IsInt()) return name + " must be an integer";
    out = v.GetInt();
    return "";
  };
  auto count = [&](std::optional<uint64_t>& out) -> std::string {
    if (!v.IsUint64()) return name + " must be a whole number";
    out = v.GetUint64();
    return "";
  };
  switch (field) {
    case FaultField::kAccountSid: return text(r.account_sid);
    case FaultField::kMethod: return text(r.method);
    case FaultField::kRoute: return text(r.route);
    case FaultField::kMessage: return text(r.message);
    case FaultField::kKind: {
      std::string kind;
      if (auto err = text(kind); !err.empty()) return err;
      auto parsed = core::faults::parse_fault_kind(kind);
      if (!parsed) return name + ": '" + kind + "' is not status, latency, reset or hang";
      r.kind = *parsed;
      return "";
    }
    case FaultField::kStatus: return integer(r.status);
    case FaultField::kCode: return integer(r.code);
    case FaultField::kLatencyMs: return integer(r.latency_ms);
    case FaultField::kRetryAfter: {
      int seconds = 0;
      if (auto err = integer(seconds); !err.empty()) return err;
      r.retry_after_s = seconds;
      return "";
    }
    case FaultField::kTimes: return count(r.times);
    case FaultField::kSeed: return count(r.seed);
    case FaultField::kProbability:
      if (!v.IsNumber()) return name + " must be a number";
      r.probability = v.GetDouble();
      return "";
    case FaultField::kApplied:
      if (!v.IsBool()) return name + " must be true or false";
      r.applied = v.GetBool();
      return "";
  }
  return name + ": unknown field";
}

std::string parse_faults(const rapidjson::Value& v, const std::string& source, Config& config) {
  if (!v.IsArray()) return source + ": faults must be an array";
  config.faults.clear();
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    std::string where = source + ": faults[" + std::to_string(i) + "]";
    const auto& f = v[i];
    if (!f.IsObject()) return where + " must be an object";
    core::faults::FaultRule rule;
    for (auto m = f.MemberBegin(); m != f.MemberEnd(); ++m) {
      std::string_view key(m->name.GetString(), m->name.GetStringLength());
      std::optional<core::faults::FaultField> field;
      for (size_t k = 0; k < core::faults::kFaultFieldCount; ++k) {
        const auto candidate = static_cast<core::faults::FaultField>(k);
        if (core::faults::config_name(candidate) == key) field = candidate;
      }
      if (!field) return where + ": unknown key '" + std::string(key) + "'";
      if (auto err = read_fault_field(rule, *field, m->value, where); !err.empty()) return err;
    }
    if (!f.HasMember("kind")) return where + ".kind is required: status, latency, reset or hang";
    config.faults.push_back(std::move(rule));
  }
  return "";
}

// Walks an object; `prefix` is the dotted path so far.
std::string apply_object(const rapidjson::Value& obj, const std::string& prefix,
                         const std::string& source, Config& config) {
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
    std::string key(m->name.GetString(), m->name.GetStringLength());
    std::string path = prefix.empty() ? key : prefix + "." + key;
    if (path == "accounts") {
      if (auto err = parse_accounts(m->value, source, config); !err.empty()) return err;
      continue;
    }
    if (path == "behaviors") {
      if (auto err = parse_behaviors(m->value, source, config); !err.empty()) return err;
      continue;
    }
    if (path == "numbers") {
      if (auto err = parse_numbers(m->value, source, config); !err.empty()) return err;
      continue;
    }
    if (path == "faults") {
      if (auto err = parse_faults(m->value, source, config); !err.empty()) return err;
      continue;
    }
    if (path == "$schema" || path == "_comment") continue;  // documentation keys
    if (m->value.IsObject()) {
      bool is_section = false;
      for (const auto& s : settings()) {
        is_section = is_section || s.path.substr(0, path.size() + 1) == path + ".";
      }
      if (!is_section) return source + ": unknown key '" + path + "'";
      if (auto err = apply_object(m->value, path, source, config); !err.empty()) return err;
      continue;
    }
    const Setting* s = find_setting(path);
    if (s == nullptr) return source + ": unknown key '" + path + "'";
    if (auto err = set_from_json(*s, m->value, source, config); !err.empty()) return err;
  }
  return "";
}

bool is_sid(std::string_view text, std::string_view prefix) {
  if (text.size() != 34 || text.substr(0, 2) != prefix) return false;
  for (char c : text.substr(2)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string apply_json(std::string_view json, std::string_view source, Config& config) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  std::string src(source);
  if (doc.HasParseError()) {
    return src + ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(doc.GetParseError());
  }
  if (!doc.IsObject()) return src + ": the top level must be an object";
  return apply_object(doc, "", src, config);
}

std::string validate(const Config& c) {
  if (!is_sid(c.account_sid, "AC")) {
    return "account_sid: '" + c.account_sid + "' is not AC followed by 32 lowercase hex digits";
  }
  if (c.auth_token.empty()) return "auth_token: must not be empty";
  if (!c.seed.empty() && !core::parse_seed(c.seed)) {
    return "seed: '" + c.seed + "' is not a whole number from 0 to 18446744073709551615";
  }
  if (c.host.empty()) return "host: must not be empty";
  if ((!c.media_base_url.starts_with("http://") && !c.media_base_url.starts_with("https://")) ||
      c.media_base_url.ends_with("/")) {
    return "media_base_url: '" + c.media_base_url +
           "' is not an http(s) scheme and host without a trailing slash";
  }
  for (const auto& h : c.webhook.allowed_hosts) {
    std::string_view name(h);
    if (name.starts_with("*.")) name.remove_prefix(2);
    bool ok = !name.empty();
    for (char ch : name) {
      ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' ||
                  ch == ':' || ch == '[' || ch == ']');
    }
    if (!ok) {
      return "webhook.allowed_hosts: '" + h +
             "' is not a host name, an IP address or a *.suffix pattern";
    }
  }
  for (size_t i = 0; i < c.accounts.size(); ++i) {
    const auto& a = c.accounts[i];
    std::string where = "accounts[" + std::to_string(i) + "]";
    if (!is_sid(a.sid, "AC")) return where + ".sid: '" + a.sid + "' is not a valid AC sid";
    if (a.sid == c.account_sid) return where + ".sid: duplicates account_sid";
    if (a.auth_token.empty()) return where + ".auth_token: must not be empty";
    if (!a.owner_account_sid.empty() && !is_sid(a.owner_account_sid, "AC")) {
      return where + ".owner_account_sid: '" + a.owner_account_sid + "' is not a valid AC sid";
    }
    for (size_t j = 0; j < i; ++j) {
      if (c.accounts[j].sid == a.sid) return where + ".sid: duplicate account " + a.sid;
    }
    for (size_t k = 0; k < a.api_keys.size(); ++k) {
      if (!is_sid(a.api_keys[k].sid, "SK")) {
        return where + ".api_keys[" + std::to_string(k) + "].sid: '" + a.api_keys[k].sid +
               "' is not a valid SK sid";
      }
      if (a.api_keys[k].secret.empty()) {
        return where + ".api_keys[" + std::to_string(k) + "].secret: must not be empty";
      }
    }
  }
  for (size_t i = 0; i < c.behaviors.size(); ++i) {
    const auto& b = c.behaviors[i];
    std::string where = "behaviors[" + std::to_string(i) + "]";
    if (b.is_default != b.number.empty()) {
      return where + ": give either \"number\" or \"default\": true";
    }
    if (b.outcome != "answer" && b.outcome != "busy" && b.outcome != "no-answer" &&
        b.outcome != "fail") {
      return where + ".outcome: '" + b.outcome + "' is not answer | busy | no-answer | fail";
    }
    if (!b.number.empty() && b.number[0] == '^') {
      try {
        std::regex re(b.number);
      } catch (const std::regex_error& e) {
        return where + ".number: invalid regex '" + b.number + "': " + e.what();
      }
    } else if (!b.number.empty() && (b.number[0] != '+' || b.number.size() < 2)) {
      return where + ".number: '" + b.number + "' is neither E.164 (+...) nor a regex (^...)";
    }
  }
  for (size_t i = 0; i < c.faults.size(); ++i) {
    core::faults::FaultRule rule = c.faults[i];
    std::string where = "faults[" + std::to_string(i) + "]";
    if (rule.account_sid.empty()) rule.account_sid = c.account_sid;
    if (auto p = core::faults::complete(rule)) {
      return where + "." + std::string(core::faults::config_name(p->field)) + " " + p->reason;
    }
    bool known = rule.account_sid == c.account_sid;
    for (const auto& a : c.accounts) known = known || a.sid == rule.account_sid;
    if (!known) return where + ".account_sid: no such account " + rule.account_sid;
  }
  auto method_ok = [](const std::string& m) { return m == "GET" || m == "POST"; };
  for (size_t i = 0; i < c.numbers.size(); ++i) {
    const auto& n = c.numbers[i];
    std::string where = "numbers[" + std::to_string(i) + "]";
    if (n.phone_number.size() < 2 || n.phone_number[0] != '+') {
      return where + ".phone_number: '" + n.phone_number + "' is not E.164 (+...)";
    }
    if (!n.account_sid.empty() && n.account_sid != c.account_sid) {
      bool known = false;
      for (const auto& a : c.accounts) known = known || a.sid == n.account_sid;
      if (!known) return where + ".account_sid: no such account " + n.account_sid;
    }
    if (!method_ok(n.voice_method) || !method_ok(n.voice_fallback_method) ||
        !method_ok(n.status_callback_method)) {
      return where + ": methods must be GET or POST";
    }
    for (const auto* url : {&n.voice_url, &n.voice_fallback_url, &n.status_callback}) {
      if (!url->empty() && url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
        return where + ": '" + *url + "' is not an http(s) URL";
      }
    }
  }
  return "";
}

LoadResult load(const std::vector<std::string>& args, const EnvLookup& env) {
  LoadResult r;
  // Pass 1: split flags into name/value, find --config and --help.
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      r.show_help = true;
      return r;
    }
    if (arg.rfind("--", 0) != 0) {
      r.error = "unexpected argument '" + arg + "' (see --help)";
      return r;
    }
    std::string name = arg, value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      const Setting* s = nullptr;
      for (const auto& candidate : settings()) {
        if (flag_name(candidate.path) == name) s = &candidate;
      }
      // A bare boolean flag means true; everything else takes the next argument.
      if (s != nullptr && (s->kind == Kind::kBool || s->kind == Kind::kToggle) &&
          (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        r.error = name + ": missing value";
        return r;
      }
    }
    if (name == "--config") {
      config_file = value;
    } else {
      flags.emplace_back(name, value);
    }
  }
  if (config_file.empty()) {
    if (auto v = env("DIALTONE_CONFIG")) config_file = *v;
  }

  // Pass 2: file, then env, then flags, each over the previous.
  if (!config_file.empty()) {
    std::ifstream in(config_file, std::ios::binary);
    if (!in) {
      r.error = "config: cannot read file '" + config_file + "'";
      return r;
    }
    std::ostringstream text;
    text << in.rdbuf();
    r.error = apply_json(text.str(), config_file, r.config);
    if (!r.ok()) return r;
    r.config.config_file = config_file;
  }
  for (const auto& s : settings()) {
    std::string name = env_name(s.path);
    if (auto v = env(name)) {
      r.error = set_from_text(s, *v, "environment " + name, r.config);
      if (!r.ok()) return r;
    }
  }
  for (const auto& [name, value] : flags) {
    const Setting* s = nullptr;
    for (const auto& candidate : settings()) {
      if (flag_name(candidate.path) == name) s = &candidate;
    }
    if (s == nullptr) {
      r.error = "unknown option '" + name + "' (see --help)";
      return r;
    }
    r.error = set_from_text(*s, value, "option " + name, r.config);
    if (!r.ok()) return r;
  }
  r.error = validate(r.config);
  return r;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char ch : host) {
    if (ch == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(ch))) {
      return false;
    }
  }
  return dots == 3;
}

bool control_api_enabled(const Config& c) {
  switch (c.control_api.enabled) {
    case Toggle::kTrue: return true;
    case Toggle::kFalse: return false;
    case Toggle::kAuto: return is_loopback_host(c.host) || !c.control_api.token.empty();
  }
  return false;
}

LoadResult load(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return load(args, process_env());
}

std::string help_text() {
  std::ostringstream out;
  out << "dialtone - a self-hosted emulator of Twilio's Voice REST API (Calls)\n\n"
         "Usage: dialtone [--config FILE] [--OPTION VALUE | --OPTION=VALUE]...\n"
         "       dialtone healthcheck [same options]   exit 0 when that dialtone's\n"
         "                                             /_dialtone/health answers 200\n\n"
         "Precedence: option > environment > config file > default.\n"
         "  --config FILE   JSON file (see config/dialtone.json); env DIALTONE_CONFIG\n"
         "  --help          this text\n\n"
         "Settings (option, environment, default):\n";
  const Config defaults;
  for (const auto& s : settings()) {
    Config copy = defaults;
    void* field = s.field(copy);
    std::string def;
    switch (s.kind) {
      case Kind::kInt: def = std::to_string(*static_cast<int*>(field)); break;
      case Kind::kDouble: def = std::to_string(*static_cast<double*>(field)); break;
      case Kind::kBool: def = *static_cast<bool*>(field) ? "true" : "false"; break;
      case Kind::kString: def = *static_cast<std::string*>(field); break;
      case Kind::kToggle: def = "auto"; break;
      case Kind::kList: def = ""; break;
    }
    out << "  " << flag_name(s.path) << "  (" << env_name(s.path) << ")\n      " << s.help
        << "; default: " << (def.empty() ? "\"\"" : def) << "\n";
  }
  out << "\nExtra accounts, subaccounts and API keys: the \"accounts\" array of the config "
         "file.\nScripted callees and inbound numbers: its \"behaviors\" and \"numbers\" "
         "arrays.\nFaults on Twilio's API: its \"faults\" array (docs/faults.md).\n"
         "Exit status 2 on a configuration error.\n";
  return out.str();
}

}  // namespace dialtone::config
