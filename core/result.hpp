// Expected failures as values: a Twilio error (HTTP status, code, message) or a value.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace dialtone::core {

struct TwilioError {
  int http_status = 400;
  int code = 0;  // Twilio error code, e.g. 21220; 0 when Twilio gives none
  std::string message;
  std::string detail;  // only 401s carry one in Twilio's bodies
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  Result(TwilioError error) : v_(std::move(error)) {}    // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const TwilioError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, TwilioError> v_;
};

struct Ok {};
using Status = Result<Ok>;

inline TwilioError bad_request(int code, std::string message) {
  return TwilioError{400, code, std::move(message), {}};
}

}  // namespace dialtone::core
