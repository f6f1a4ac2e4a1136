// How an emulated callee behaves: answers after N s, is busy, never answers, fails, is a
// machine, presses digits or speaks at each <Gather>, hangs up after N s.
// Thread-safety: owned by the Engine.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/callee/script.hpp"

namespace dialtone::core {

enum class Outcome { kAnswer, kBusy, kNoAnswer, kFail };

struct Behavior {
  Outcome outcome = Outcome::kAnswer;
  int answer_after_s = 1;
  std::string answered_by;                // "" (human, no AMD), "human", "machine_start"...
  std::vector<std::string> gather_inputs; // each <Gather> takes the next: digits, or
                                          // "speech:TEXT" for speech
  std::optional<int> hangup_after_s;      // callee hangs up this long after answering
  int record_seconds = 5;                 // how long the callee speaks into a <Record>
  // A conversation script (core/callee/script.hpp): its turns run from the answer on, beside
  // gather_inputs. Null: none. Shared, immutable: calls of one behaviour share it.
  std::shared_ptr<const std::vector<callee::Turn>> script;
};

struct BehaviorRule {
  std::string pattern;  // exact number, or a regex when it starts with '^'
  std::optional<std::regex> regex;
  Behavior behavior;
};

class BehaviorTable {
 public:
  void set_default(Behavior b) { default_ = std::move(b); }
  const Behavior& default_behavior() const { return default_; }
  // Replaces a rule with the same pattern. Throws std::regex_error for a bad '^' pattern.
  void add(std::string pattern, Behavior b);
  void clear() { rules_.clear(); }
  const Behavior& for_number(const std::string& to) const;
  const std::vector<BehaviorRule>& rules() const { return rules_; }

 private:
  Behavior default_;
  std::vector<BehaviorRule> rules_;
};

}  // namespace dialtone::core
