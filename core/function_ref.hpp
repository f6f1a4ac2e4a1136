// A non-owning reference to a callable, for a callback that is called before the function
// taking it returns (and never kept): unlike std::function it never allocates. A lambda that
// captures more than 16 bytes, or a shared_ptr, made std::function allocate on every call of
// EngineHost::with_engine (once a request).
// The callable must outlive the FunctionRef: pass a lambda straight to the call, never keep
// a FunctionRef made from a temporary.
// Thread-safety: as the callable's.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace dialtone::core {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f) noexcept  // NOLINT: implicit, as std::function's is
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          auto& callable = *static_cast<std::add_pointer_t<F>>(object);
          if constexpr (std::is_void_v<R>) {
            std::invoke(callable, std::forward<Args>(args)...);  // a result, if any, is dropped
          } else {
            return std::invoke(callable, std::forward<Args>(args)...);
          }
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace dialtone::core
