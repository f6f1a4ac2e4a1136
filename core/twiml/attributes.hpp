// Reading verb attributes the way Twilio does: numbers clamped to their documented range with
// the default for anything unreadable, and methods that default to POST.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/call.hpp"
#include "core/twiml/document.hpp"

namespace dialtone::core::twiml {

int attr_int(const Node& n, std::string_view key, int fallback, int lo, int hi);
// GET when the attribute says GET (either case), POST otherwise.
HttpMethod attr_method(const Node& n, std::string_view key = "method");

}  // namespace dialtone::core::twiml
