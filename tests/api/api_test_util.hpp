// Shared fixture for the api tests: a real Engine on a ManualClock with three accounts (a main
// account using the placeholder sid of observed-responses.json, its subaccount, a stranger).
#pragma once

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "api/form.hpp"
#include "api/http_types.hpp"
#include "api/twilio_api.hpp"
#include "core/engine.hpp"

namespace dialtone::api::testing {

inline const std::string kAc = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
inline const std::string kToken = "0123456789abcdef0123456789abcdef";
inline const std::string kSub = "AC11111111111111111111111111111111";
inline const std::string kOther = "AC22222222222222222222222222222222";
inline const std::string kKey = "SK33333333333333333333333333333333";
inline const std::string kKeySecret = "keysecretkeysecretkeysecret";
inline const std::string kCalls = "/2010-04-01/Accounts/" + kAc + "/Calls";

inline std::string base64(std::string_view in) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kChars[(v >> 18) & 63];
    out += kChars[(v >> 12) & 63];
    out += kChars[(v >> 6) & 63];
    out += kChars[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += kChars[(v >> 18) & 63];
    out += kChars[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kChars[(v >> 18) & 63];
    out += kChars[(v >> 12) & 63];
    out += kChars[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

inline std::string basic(std::string_view user, std::string_view pass) {
  return "Basic " + base64(std::string(user) + ":" + std::string(pass));
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

inline const rapidjson::Document& observed() {
  static const rapidjson::Document doc =
      parse_json(read_file(std::string(DIALTONE_FIXTURES_DIR) + "/observed-responses.json"));
  return doc;
}

inline const rapidjson::Document& spec() {
  static const rapidjson::Document doc =
      parse_json(read_file(std::string(DIALTONE_FIXTURES_DIR) + "/twilio_api_v2010.json"));
  return doc;
}

// Form fields from key/value pairs (a key may repeat), as the control handlers take them.
inline FormFields fields(std::initializer_list<std::pair<std::string, std::string>> kv) {
  FormFields f;
  for (const auto& [k, v] : kv) f.add(k, v);
  return f;
}

inline std::vector<std::string> keys_of(const rapidjson::Value& obj) {
  std::vector<std::string> out;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    out.emplace_back(it->name.GetString(), it->name.GetStringLength());
  }
  return out;
}

// The properties of one of the spec's schemas, in the spec's order.
inline std::vector<std::string> schema_keys(const char* name) {
  return keys_of(spec()["components"]["schemas"][name]["properties"]);
}

// Every property has the spec's type (nullable ones may be null), enums hold one of their
// values, dates are RFC 2822, and the keys are the spec's in the spec's order. `also_null`:
// properties whose description in the spec says null (reason_conference_ended "will be null"
// while a conference is in progress) although their schema is not marked nullable.
inline void expect_valid(const rapidjson::Value& body, const char* schema,
                         std::initializer_list<std::string_view> also_null = {}) {
  ASSERT_TRUE(body.IsObject());
  EXPECT_EQ(keys_of(body), schema_keys(schema)) << "the spec's fields, in the spec's order";
  const auto& schemas = spec()["components"]["schemas"];
  const auto& props = schemas[schema]["properties"];
  for (auto it = props.MemberBegin(); it != props.MemberEnd(); ++it) {
    const std::string key = it->name.GetString();
    const auto& v = body[key.c_str()];
    const rapidjson::Value* p = &it->value;
    const bool nullable = (p->HasMember("nullable") && (*p)["nullable"].GetBool()) ||
                          std::find(also_null.begin(), also_null.end(), key) != also_null.end();
    if (v.IsNull()) {
      EXPECT_TRUE(nullable) << key << " is null";
      continue;
    }
    if (p->HasMember("$ref")) {  // "#/components/schemas/NAME": an enum of strings
      const std::string ref = (*p)["$ref"].GetString();
      p = &schemas[ref.substr(ref.rfind('/') + 1).c_str()];
      ASSERT_TRUE(v.IsString()) << key;
      bool listed = false;
      for (const auto& e : (*p)["enum"].GetArray()) {
        listed = listed || std::string(e.GetString()) == v.GetString();
      }
      EXPECT_TRUE(listed) << key << " = " << v.GetString() << " is not one of the enum's values";
      continue;
    }
    const std::string type = (*p)["type"].GetString();
    if (type == "integer") {
      EXPECT_TRUE(v.IsInt64()) << key;
    } else if (type == "string") {
      EXPECT_TRUE(v.IsString()) << key;
    } else if (type == "boolean") {
      EXPECT_TRUE(v.IsBool()) << key;
    } else if (type == "object") {
      EXPECT_TRUE(v.IsObject()) << key;
    }
    if (p->HasMember("pattern") && v.IsString()) {
      const std::string pattern = (*p)["pattern"].GetString();
      EXPECT_EQ(std::string(v.GetString()).substr(0, 2), pattern.substr(1, 2)) << key;
    }
    if (p->HasMember("format") &&
        std::string((*p)["format"].GetString()) == "date-time-rfc-2822") {
      EXPECT_TRUE(std::string(v.GetString()).ends_with(" +0000")) << key;
    }
  }
}

// The observed JSON error body whose `case` contains `needle`.
inline const rapidjson::Value& observed_error(std::string_view needle) {
  for (const auto& e : observed()["json_errors"].GetArray()) {
    if (std::string_view(e["case"].GetString()).find(needle) != std::string_view::npos) {
      return e["body"];
    }
  }
  ADD_FAILURE() << "no observed error " << needle;
  static const rapidjson::Value kNull;
  return kNull;
}

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() : engine_(clock_, clock_, core::EngineConfig{}, 42) {
    engine_.accounts().put(core::Account{kAc, kToken, kAc, "main", {{kKey, kKeySecret}}});
    engine_.accounts().put(core::Account{kSub, "subtoken", kAc, "sub", {}});
    engine_.accounts().put(core::Account{kOther, "othertoken", kOther, "other", {}});
  }

  Response send(std::string method, std::string target, std::string body = {},
                std::string auth = basic(kAc, kToken)) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.authorization = std::move(auth);
    r.content_type = "application/x-www-form-urlencoded";
    r.body = std::move(body);
    effects_.webhooks.clear();
    return handle_twilio(engine_, r, effects_);
  }

  // Creates a call and returns its sid.
  std::string create(const std::string& to = "%2B14155550100") {
    const Response r =
        send("POST", kCalls + ".json", "To=" + to + "&From=%2B14155550199&Url=https://app.test/v");
    EXPECT_EQ(r.status, 201) << r.body;
    return parse_json(r.body)["sid"].GetString();
  }

  // A call answered and waiting in a long <Pause> (its document comes inline).
  std::string live_call() {
    const Response r =
        send("POST", kCalls + ".json",
             "To=%2B14155550100&From=%2B14155550199&Twiml=%3CResponse%3E%3CPause%20length%3D"
             "%22600%22%2F%3E%3C%2FResponse%3E");
    EXPECT_EQ(r.status, 201) << r.body;
    advance(2);
    return parse_json(r.body)["sid"].GetString();
  }

  // Moves the clock a second at a time, firing what falls due.
  void advance(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      clock_.advance(core::Millis{1000});
      engine_.fire_due(effects_);
    }
  }

  static const std::string* header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }

  core::ManualClock clock_;
  core::Engine engine_;
  core::Effects effects_;
};

}  // namespace dialtone::api::testing
