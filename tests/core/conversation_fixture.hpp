// The conversation tests' fixture (conversation_engine_test.cpp, relay_test.cpp): a scripted
// callee for the fixture's number, and the call's transcript as lines that read like the
// docs ("agent speech 0-1000 How can I help? (gather)").
#pragma once

#include <string>
#include <vector>

#include "core/callee/conversation.hpp"
#include "tests/core/interpreter_fixture.hpp"

namespace dialtone::core::testing {

class ConversationTest : public Interpreter {
 protected:
  void script(const std::vector<std::string>& turns) {
    Behavior b;
    auto s = callee::make_script(turns);
    ASSERT_TRUE(s.ok()) << s.error().message;
    b.script = *s;
    engine().behaviors(kAc).add(kTo, b);
  }
  // `with_via`: each line ends with what heard or carried it, in parentheses.
  std::vector<std::string> transcript(const std::string& sid, bool with_via = true) {
    std::vector<std::string> out;
    const callee::Conversation* c = engine().conversation(sid);
    if (!c) {
      ADD_FAILURE() << "no conversation for " << sid;
      return out;
    }
    for (const auto& e : c->entries()) {
      std::string line = e.speaker == callee::Entry::Speaker::kAgent ? "agent " : "callee ";
      line += e.type + " " + std::to_string((e.start - c->started()).count()) + "-" +
              std::to_string((e.end - c->started()).count());
      if (!e.text.empty()) line += " " + e.text;
      if (with_via && !e.via.empty()) line += " (" + e.via + ")";
      if (e.interrupted) line += " interrupted";
      out.push_back(line);
    }
    return out;
  }
};

}  // namespace dialtone::core::testing
