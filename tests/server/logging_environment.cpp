// The server tests start I/O threads that log. spdlog makes its registry and default logger on
// first use; making them here, on the main thread before any test runs, means no two threads
// race to do it (ThreadSanitizer reported that race from HttpServerTest.MaxConnections: Debian's
// libspdlog is not instrumented, so TSan cannot see the library's own guard). main() does the
// same through setup_logging before it starts a thread.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace {

class LoggingEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { spdlog::default_logger()->set_level(spdlog::level::warn); }
};

[[maybe_unused]] const auto* const kLogging =
    ::testing::AddGlobalTestEnvironment(new LoggingEnvironment);

}  // namespace
