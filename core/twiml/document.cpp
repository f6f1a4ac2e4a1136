#include "core/twiml/document.hpp"

#include <string>

#include <tinyxml2.h>

#include "core/string_hash.hpp"

namespace dialtone::core::twiml {
namespace {

constexpr int kMaxDepth = 16;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

bool convert(const tinyxml2::XMLElement* el, Node& out, int depth) {
  if (depth > kMaxDepth) return false;
  out.name = el->Name();
  for (const auto* a = el->FirstAttribute(); a; a = a->Next())
    out.attrs.emplace_back(a->Name(), a->Value());
  std::string text;
  for (const auto* child = el->FirstChild(); child; child = child->NextSibling()) {
    if (const auto* ce = child->ToElement()) {
      out.children.emplace_back();
      if (!convert(ce, out.children.back(), depth + 1)) return false;
    } else if (const auto* t = child->ToText()) {
      text += t->Value();
    }
  }
  out.text = trim(text);
  return true;
}

}  // namespace

const std::string* Node::attr(std::string_view key) const {
  for (const auto& [k, v] : attrs)
    if (k == key) return &v;
  return nullptr;
}

std::string Node::attr_or(std::string_view key, std::string_view fallback) const {
  const std::string* v = attr(key);
  return v ? *v : std::string(fallback);
}

namespace {

Result<std::shared_ptr<const Document>> parse_uncached(std::string_view xml);

}  // namespace

// Many calls run the same inline TwiML (a test suite's one <Response>, a load test's body):
// documents are immutable, so calls share one parse of the same text. A small per-thread
// cache of recent successful parses; dropped whole when full, so it stays bounded.
Result<std::shared_ptr<const Document>> parse(std::string_view xml) {
  constexpr size_t kMaxEntries = 256;
  constexpr size_t kMaxCachedBytes = 4096;
  thread_local StringMap<std::shared_ptr<const Document>> cache;
  if (xml.size() > kMaxCachedBytes) return parse_uncached(xml);
  if (auto it = cache.find(xml); it != cache.end()) return it->second;
  auto parsed = parse_uncached(xml);
  if (parsed) {
    if (cache.size() >= kMaxEntries) cache.clear();
    cache.emplace(std::string(xml), parsed.value());
  }
  return parsed;
}

namespace {

Result<std::shared_ptr<const Document>> parse_uncached(std::string_view xml) {
  // Twilio refuses whitespace before the XML declaration (12100); anything before the root
  // element other than the declaration and comments is a parse error for tinyxml2 too.
  if (!xml.empty() && (xml[0] == ' ' || xml[0] == '\n' || xml[0] == '\r' || xml[0] == '\t') &&
      xml.find("<?xml") != std::string_view::npos) {
    return bad_request(12100, "Document parse failure: whitespace before the XML declaration");
  }
  tinyxml2::XMLDocument doc(true, tinyxml2::COLLAPSE_WHITESPACE);
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    return bad_request(12100, std::string("Document parse failure: ") +
                                  (doc.ErrorStr() ? doc.ErrorStr() : "invalid XML"));
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (!root) return bad_request(12100, "Document parse failure: no root element");
  if (std::string_view(root->Name()) != "Response") {
    return bad_request(12102, "The root element must be Response, not " +
                                  std::string(root->Name()));
  }
  auto out = std::make_shared<Document>();
  if (!convert(root, out->root, 0)) {
    return bad_request(12100, "Document parse failure: elements nested too deeply");
  }
  return std::shared_ptr<const Document>(std::move(out));
}

}  // namespace

}  // namespace dialtone::core::twiml
