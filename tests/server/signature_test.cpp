#include "server/signature.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

namespace dialtone::server {
namespace {

rapidjson::Document load_vectors() {
  std::ifstream in(std::string(DIALTONE_FIXTURES_DIR) + "/signature-vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  return doc;
}

TEST(Signature, ReproducesEveryPublishedVector) {
  auto doc = load_vectors();
  ASSERT_TRUE(doc.IsObject()) << "cannot read signature-vectors.json";
  const auto& vectors = doc["vectors"];
  ASSERT_GE(vectors.Size(), 16u);
  for (const auto& v : vectors.GetArray()) {
    SCOPED_TRACE(v["id"].GetString());
    core::Fields params;
    for (const auto& p : v["params"].GetArray()) {
      params.emplace_back(p[0].GetString(), p[1].GetString());
    }
    EXPECT_EQ(signature_base(v["signed_url"].GetString(), params),
              v["string_to_sign"].GetString());
    EXPECT_EQ(twilio_signature(v["auth_token"].GetString(), v["signed_url"].GetString(), params),
              v["expected_signature"].GetString());
  }
}

TEST(Signature, BodyHashVectors) {
  auto doc = load_vectors();
  ASSERT_TRUE(doc.IsObject());
  for (const auto& v : doc["body_hash_vectors"].GetArray()) {
    EXPECT_EQ(sha256_hex(v["body"].GetString()), v["sha256_hex"].GetString());
  }
}

TEST(Signature, SortsByteOrderAndKeepsDistinctRepeatedValues) {
  core::Fields params = {{"b", "2"}, {"B", "1"}, {"a", "z"}, {"a", "y"}, {"a", "y"}};
  EXPECT_EQ(signature_base("u", params), "uB1ayazb2");
  EXPECT_EQ(twilio_signature("k", "u", {}).size(), 28u);
}

TEST(Signature, Base64) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
}

}  // namespace
}  // namespace dialtone::server
