// A parsed TwiML document: a small tree of elements with their attributes and text. The
// interpreter walks it; nothing here knows what a verb means.
// Thread-safety: immutable after parse; safe to share.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace dialtone::core::twiml {

struct Node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::string text;  // trimmed text content
  std::vector<Node> children;

  const std::string* attr(std::string_view key) const;
  std::string attr_or(std::string_view key, std::string_view fallback) const;
};

struct Document {
  Node root;  // always <Response>
};

// Parses TwiML. Errors carry Twilio's codes: 12100 (not well-formed XML) and 12102 (root is not
// <Response>). Documents nested deeper than a sane limit are refused as 12100.
Result<std::shared_ptr<const Document>> parse(std::string_view xml);

}  // namespace dialtone::core::twiml
