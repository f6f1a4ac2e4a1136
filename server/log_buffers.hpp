// Log lines off the request path. Each thread appends its lines to a buffer of its own, under
// a mutex that only it and the writer ever take (so it is uncontended, and the line was
// formatted before it is taken); once a buffer has grown to its working size nothing is
// allocated. A background writer swaps each buffer for an empty one and writes it to stdout
// every `interval`, or sooner when one fills up; flush() does the same on the caller's thread
// (warnings, the start-up line a test waits for).
// Lines of one thread keep their order; lines of different threads are ordered only by the
// flush that writes them (within `interval` of each other).
// If stdout stops draining (a pipe nobody reads), a thread's buffer stops at kMaxBuffered:
// later lines are counted and dropped, and the count is logged once writing succeeds again,
// rather than an I/O thread blocking on the pipe.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace dialtone::server::log_buffers {

inline constexpr size_t kWakeAt = 64 * 1024;             // a buffer this full wakes the writer
inline constexpr size_t kMaxBuffered = 8 * 1024 * 1024;  // per thread, then lines are dropped

// One or more whole lines, each ending in '\n'. Without a writer running (tests, a tool),
// written at once.
void append(std::string_view lines);
// Writes out every line appended so far, before returning.
void flush();
// Starts the background writer; stop() ends it and flushes. At most one runs.
void start(std::chrono::milliseconds interval);
void stop();

}  // namespace dialtone::server::log_buffers
