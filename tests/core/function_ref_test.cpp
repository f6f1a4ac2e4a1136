// core/function_ref: calls what it refers to, with the arguments as given, and sees the
// callable's own state (it refers, it does not copy).
#include "core/function_ref.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace dialtone::core {
namespace {

int call_twice(FunctionRef<int(int)> f) { return f(1) + f(2); }
void append(FunctionRef<void(std::string&)> f, std::string& s) { f(s); }

TEST(FunctionRef, CallsACapturingLambdaWithItsArguments) {
  int base = 10;
  EXPECT_EQ(call_twice([&base](int x) { return base + x; }), 23);
}

TEST(FunctionRef, PassesReferencesThrough) {
  std::string s = "a";
  append([](std::string& out) { out += "b"; }, s);
  EXPECT_EQ(s, "ab");
}

TEST(FunctionRef, RefersToTheCallableRatherThanCopyingIt) {
  int calls = 0;
  auto counter = [&calls, own = 0](int) mutable { ++own; calls = own; return own; };
  EXPECT_EQ(call_twice(counter), 3);  // 1 + 2: the same object both times
  EXPECT_EQ(calls, 2);
  std::function<int(int)> f = [](int x) { return x * 10; };
  EXPECT_EQ(call_twice(f), 30);
}

TEST(FunctionRef, AVoidSignatureDropsAResult) {
  int seen = 0;
  auto keep = [&seen](int x) { seen = x; return x; };
  FunctionRef<void(int)> f = keep;  // a named callable: one made in place would dangle here
  f(7);
  EXPECT_EQ(seen, 7);
}

}  // namespace
}  // namespace dialtone::core
