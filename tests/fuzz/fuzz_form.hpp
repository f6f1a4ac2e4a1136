// fuzz_form: api::decode_form, percent_decode and percent_encode on arbitrary bytes.
// Properties: decoding never reads out of bounds; what decodes is valid UTF-8; a failure names
// a reason; re-encoding every decoded pair and decoding again gives the same pairs; encoding
// valid UTF-8 and decoding it gives it back.
#pragma once

#include <string>

#include "api/form.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace dialtone::fuzz {

inline void run_form(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::string error;
  const auto fields = api::decode_form(text, &error);
  if (!fields) {
    FUZZ_CHECK(!error.empty());
  } else {
    FUZZ_CHECK(fields->size() <= size / 2 + 1);  // each pair needs a byte and a separator
    std::string reencoded;
    for (const auto& [k, v] : fields->entries()) {
      FUZZ_CHECK(api::is_valid_utf8(k));
      FUZZ_CHECK(api::is_valid_utf8(v));
      FUZZ_CHECK(api::utf8_length(v) <= v.size());
      // The first value for a key is the one get() returns.
      const std::string* first = fields->get(k);
      FUZZ_CHECK(first != nullptr);
      FUZZ_CHECK(!fields->get_all(k).empty() && fields->get_all(k).front() == *first);
      if (!reencoded.empty()) reencoded += '&';
      reencoded += api::percent_encode(k) + "=" + api::percent_encode(v);
    }
    std::string error2;
    const auto again = api::decode_form(reencoded, &error2);
    FUZZ_CHECK(again.has_value());
    if (again) FUZZ_CHECK(again->entries() == fields->entries());
  }

  for (bool plus : {false, true}) {
    std::string out;
    if (api::percent_decode(text, plus, out)) {
      FUZZ_CHECK(api::is_valid_utf8(out));
      FUZZ_CHECK(out.size() <= size);
      std::string back;
      FUZZ_CHECK(api::percent_decode(api::percent_encode(out), true, back));
      FUZZ_CHECK(back == out);
    }
  }

  // Encoding any bytes gives only unreserved characters, '+' and %XX; decoding that succeeds
  // exactly when the bytes were valid UTF-8, and then gives them back.
  const std::string encoded = api::percent_encode(text);
  for (char c : encoded) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '%';
    FUZZ_CHECK(ok);
  }
  std::string decoded;
  const bool valid = api::is_valid_utf8(text);
  FUZZ_CHECK(api::percent_decode(encoded, true, decoded) == valid);
  if (valid) FUZZ_CHECK(decoded == text);
}

}  // namespace dialtone::fuzz
