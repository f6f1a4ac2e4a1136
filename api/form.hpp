// Strict application/x-www-form-urlencoded and query-string decoding, and the matching encoder
// used to echo filters in page URIs.
// Thread-safety: pure functions; FormFields is a plain value.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dialtone::api {

// An ordered multimap: keys keep their order and repeats (StatusCallbackEvent=a&...=b).
class FormFields {
 public:
  using Entry = std::pair<std::string, std::string>;

  void add(std::string key, std::string value) {
    entries_.emplace_back(std::move(key), std::move(value));
  }
  // The first value for `key`, or nullptr.
  const std::string* get(std::string_view key) const;
  // Every value for `key`, in order.
  std::vector<std::string_view> get_all(std::string_view key) const;
  bool has(std::string_view key) const { return get(key) != nullptr; }
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

// Decodes `a=1&b=x+y&c=%2F`. `+` is a space; a key without `=` has an empty value; empty
// segments (`a=1&&b=2`) are skipped. A malformed %-escape or a result that is not valid UTF-8
// gives nullopt and, when `error` is given, a reason naming the offending key.
std::optional<FormFields> decode_form(std::string_view text, std::string* error = nullptr);

// Percent-decodes one component. Returns false on a malformed escape or invalid UTF-8.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);

bool is_valid_utf8(std::string_view s);
// Number of code points in valid UTF-8 text.
size_t utf8_length(std::string_view s);

// Encodes one query component as Twilio's page URIs do (Python's quote_plus): unreserved
// characters stay, a space becomes `+`, everything else %XX, so `StartTime>` becomes
// `StartTime%3E` and `+1415...` becomes `%2B1415...`.
std::string percent_encode(std::string_view in);

// A whole decimal integer of type T ("-12"; no sign "+", spaces or trailing text): false if
// the text is not one or does not fit T.
template <class T>
bool parse_integer(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// The same for int64_t, or nothing.
std::optional<int64_t> parse_int(std::string_view s);

}  // namespace dialtone::api
