#include "server/log_buffers.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/background_thread.hpp"

namespace dialtone::server::log_buffers {
namespace {

struct ThreadBuffer {
  std::mutex mu;
  std::string lines;      // guarded by mu
  size_t dropped = 0;     // lines over kMaxBuffered; guarded by mu
  bool orphaned = false;  // its thread has ended; guarded by mu
};

// What every thread shares. Never destroyed: a thread may log during static destruction.
struct Shared {
  std::mutex list_mu;
  std::vector<std::shared_ptr<ThreadBuffer>> buffers;  // guarded by list_mu

  std::mutex write_mu;  // one writer at a time: flushes never interleave their lines
  std::vector<std::shared_ptr<ThreadBuffer>> visiting;  // guarded by write_mu
  std::string spare;   // swapped with a thread's buffer; guarded by write_mu
  size_t dropped = 0;  // guarded by write_mu

  std::atomic<bool> running{false};  // a writer thread exists: append() buffers
  std::atomic<bool> wake_pending{false};
  std::mutex writer_mu;
  std::condition_variable wake;  // with writer_mu
  bool stopping = false;         // guarded by writer_mu
  std::thread writer;
};

Shared& shared() {
  static Shared* const s = new Shared;
  return *s;
}

// The calling thread's buffer, registered on its first line and left to the writer (to write
// what it still holds, then drop) when the thread ends.
struct Local {
  std::shared_ptr<ThreadBuffer> buffer;
  ~Local() {
    if (!buffer) return;
    std::lock_guard lock(buffer->mu);
    buffer->orphaned = true;
  }
};
thread_local Local local;

ThreadBuffer& mine() {
  if (!local.buffer) {
    auto b = std::make_shared<ThreadBuffer>();
    Shared& s = shared();
    std::lock_guard lock(s.list_mu);
    s.buffers.push_back(b);
    local.buffer = std::move(b);
  }
  return *local.buffer;
}

// Nothing to be done if stdout is gone: the lines are lost, as they would be with stdio.
void write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// With write_mu held. Returns how many lines were dropped since the last report.
size_t write_out_locked(Shared& s) {
  {
    std::lock_guard lock(s.list_mu);
    s.visiting.assign(s.buffers.begin(), s.buffers.end());
  }
  bool any_orphaned = false;
  for (const auto& b : s.visiting) {
    {
      std::lock_guard lock(b->mu);
      s.spare.swap(b->lines);
      s.dropped += std::exchange(b->dropped, 0);
      any_orphaned = any_orphaned || b->orphaned;
    }
    write_all(s.spare);
    s.spare.clear();
    // A buffer that grew for a burst does not stay that large.
    if (s.spare.capacity() > kMaxBuffered / 8) s.spare.shrink_to_fit();
  }
  s.visiting.clear();
  if (any_orphaned) {
    std::lock_guard lock(s.list_mu);
    std::erase_if(s.buffers, [](const std::shared_ptr<ThreadBuffer>& b) {
      std::lock_guard buffer_lock(b->mu);
      return b->orphaned && b->lines.empty();
    });
  }
  return std::exchange(s.dropped, 0);
}

void run(std::chrono::milliseconds interval) {
  // Named for top -H, perf and the bench's account of what the log costs; a batch thread, so
  // that its wake-ups (every interval, and each time a buffer fills) never preempt an I/O
  // thread mid-request (server/background_thread.hpp).
  mark_background_thread("dt-log");
  Shared& s = shared();
  std::unique_lock lock(s.writer_mu);
  while (!s.stopping) {
    s.wake.wait_for(lock, interval, [&] { return s.stopping || s.wake_pending.load(); });
    s.wake_pending.store(false);
    lock.unlock();
    flush();
    lock.lock();
  }
}

}  // namespace

void append(std::string_view lines) {
  Shared& s = shared();
  if (!s.running.load(std::memory_order_acquire)) {
    std::lock_guard lock(s.write_mu);
    write_all(lines);
    return;
  }
  ThreadBuffer& b = mine();
  size_t size = 0;
  {
    std::lock_guard lock(b.mu);
    if (b.lines.size() + lines.size() > kMaxBuffered) {
      ++b.dropped;
      return;
    }
    b.lines.append(lines);
    size = b.lines.size();
  }
  // Lost wake-ups are harmless: the writer comes by every interval anyway.
  if (size >= kWakeAt && !s.wake_pending.exchange(true)) s.wake.notify_one();
}

void flush() {
  Shared& s = shared();
  size_t dropped = 0;
  {
    std::lock_guard lock(s.write_mu);
    dropped = write_out_locked(s);
  }
  if (dropped != 0) {
    // Through the logger, in the configured format; its flush finds nothing more dropped.
    spdlog::warn("{} log line(s) dropped: stdout did not take them fast enough", dropped);
  }
}

void start(std::chrono::milliseconds interval) {
  Shared& s = shared();
  std::lock_guard lock(s.writer_mu);
  if (s.running.load()) return;
  s.stopping = false;
  s.running.store(true, std::memory_order_release);
  s.writer = std::thread([interval] { run(interval); });
}

void stop() {
  Shared& s = shared();
  std::thread writer;
  {
    std::lock_guard lock(s.writer_mu);
    if (!s.running.load()) return;
    s.stopping = true;
    writer = std::move(s.writer);
  }
  s.wake.notify_one();
  writer.join();
  s.running.store(false, std::memory_order_release);
  flush();
}

}  // namespace dialtone::server::log_buffers
