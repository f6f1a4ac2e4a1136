#include "core/behavior.hpp"

namespace dialtone::core {

void BehaviorTable::add(std::string pattern, Behavior b) {
  std::optional<std::regex> regex;
  if (!pattern.empty() && pattern[0] == '^') regex.emplace(pattern, std::regex::ECMAScript);
  for (auto& rule : rules_) {
    if (rule.pattern == pattern) {
      rule.behavior = std::move(b);
      rule.regex = std::move(regex);
      return;
    }
  }
  rules_.push_back(BehaviorRule{std::move(pattern), std::move(regex), std::move(b)});
}

const Behavior& BehaviorTable::for_number(const std::string& to) const {
  // Exact matches win over patterns; among patterns the first added wins.
  for (const auto& rule : rules_)
    if (!rule.regex && rule.pattern == to) return rule.behavior;
  // The pattern's own '^' anchors it at the start; it need not match to the end ("^\\+1415"
  // is every San Francisco number), so search rather than match. Add '$' for a whole match.
  for (const auto& rule : rules_)
    if (rule.regex && std::regex_search(to, *rule.regex)) return rule.behavior;
  return default_;
}

}  // namespace dialtone::core
