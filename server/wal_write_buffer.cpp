#include "server/wal_write_buffer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>

namespace dialtone::server {

namespace {

// A commit of 64 new calls is ~200 KiB of log; a bigger one is written in pieces this size.
constexpr size_t kCap = 1 << 20;
// The default VFS writes at most 128 KiB - 1 in one call (os_unix.c masks the length with
// 0x1ffff, and a longer write comes back short, as SQLITE_FULL): pieces stay under it.
constexpr size_t kPiece = 96 * 1024;
constexpr int kFrameHeader = 24;

sqlite3_vfs* real_vfs(sqlite3_vfs* self) { return static_cast<sqlite3_vfs*>(self->pAppData); }

// The log, as this VFS opens it: the default VFS's file follows this struct in the memory
// SQLite gives xOpen (szOsFile below).
struct WalFile {
  sqlite3_file base;  // first: SQLite sees a WalFile as a sqlite3_file
  sqlite3_file* real;
  std::string pending;          // writes not made yet, contiguous
  bool commit_page_next = false;  // the last write was a commit frame's header
  sqlite3_int64 pending_at = 0;  // the file offset of pending[0]

  static WalFile* of(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }

  int flush() {
    int rc = SQLITE_OK;
    for (size_t done = 0; done < pending.size() && rc == SQLITE_OK; done += kPiece) {
      const size_t n = std::min(kPiece, pending.size() - done);
      rc = real->pMethods->xWrite(real, pending.data() + done, static_cast<int>(n),
                                  pending_at + static_cast<sqlite3_int64>(done));
    }
    // Dropped either way: after a failure SQLite writes these frames again when it retries.
    pending.clear();
    return rc;
  }
};

constexpr size_t kWalFileSpace = (sizeof(WalFile) + 15) / 16 * 16;

int wal_close(sqlite3_file* f) {
  WalFile* w = WalFile::of(f);
  const int flushed = w->flush();
  const int closed = w->real->pMethods->xClose(w->real);
  w->~WalFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

// A frame is written as its header, then its page. The header's bytes 4-7 are the database's
// size after the commit for the last frame of a commit, and zero for every other frame
// (https://www.sqlite.org/fileformat2.html#walformat).
bool is_commit_frame_header(const void* data, int amount) {
  if (amount != kFrameHeader) return false;
  const auto* b = static_cast<const unsigned char*>(data);
  return (b[4] | b[5] | b[6] | b[7]) != 0;
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = WalFile::of(f);
  const auto n = static_cast<size_t>(amount);
  const bool follows = offset == w->pending_at + static_cast<sqlite3_int64>(w->pending.size());
  if (!w->pending.empty() && (!follows || w->pending.size() + n > kCap)) {
    if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  }
  const bool ends_commit = w->commit_page_next;
  const bool commit_header = is_commit_frame_header(data, amount);
  w->commit_page_next = commit_header;
  // A commit frame's header with nothing before it in the buffer is either a commit of one
  // frame or SQLite rewriting the header's checksum (walRewriteChecksums reads each frame,
  // which flushes, then writes its header) just before it publishes the commit, with no page
  // write to come: written now.
  if (n >= kCap || (commit_header && w->pending.empty())) {
    return w->real->pMethods->xWrite(w->real, data, amount, offset);
  }
  if (w->pending.empty()) w->pending_at = offset;
  w->pending.append(static_cast<const char*>(data), n);
  // The commit's last page: SQLite publishes the commit to other connections next, so the
  // frames go to the file now.
  return ends_commit ? w->flush() : SQLITE_OK;
}

// The default VFS's method on the log's file: after the pending writes where the method must
// see them (a read, a size, a sync, a truncation, an unlock, a file control), or as it is.
template <auto Method, class... Args>
int flushed(sqlite3_file* f, Args... args) {
  WalFile* w = WalFile::of(f);
  if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  return (w->real->pMethods->*Method)(w->real, args...);
}
template <auto Method, class... Args>
int forwarded(sqlite3_file* f, Args... args) {
  WalFile* w = WalFile::of(f);
  return (w->real->pMethods->*Method)(w->real, args...);
}

// Version 1: SQLite maps shared memory and pages of the database file only, never of the log.
const sqlite3_io_methods kWalMethods = {
    1,
    wal_close,
    flushed<&sqlite3_io_methods::xRead>,
    wal_write,
    flushed<&sqlite3_io_methods::xTruncate>,
    flushed<&sqlite3_io_methods::xSync>,
    flushed<&sqlite3_io_methods::xFileSize>,
    forwarded<&sqlite3_io_methods::xLock>,
    flushed<&sqlite3_io_methods::xUnlock>,
    forwarded<&sqlite3_io_methods::xCheckReservedLock>,
    flushed<&sqlite3_io_methods::xFileControl>,
    forwarded<&sqlite3_io_methods::xSectorSize>,
    forwarded<&sqlite3_io_methods::xDeviceCharacteristics>,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

int vfs_open(sqlite3_vfs* self, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  sqlite3_vfs* real = real_vfs(self);
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Everything but the log is the default VFS's file as it is, in the same memory.
    return real->xOpen(real, name, f, flags, out_flags);
  }
  auto* inner = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kWalFileSpace);
  const int rc = real->xOpen(real, name, inner, flags, out_flags);
  if (rc != SQLITE_OK) {
    f->pMethods = nullptr;  // SQLite closes nothing then
    return rc;
  }
  WalFile* w = new (f) WalFile;
  w->base.pMethods = &kWalMethods;
  w->real = inner;
  return SQLITE_OK;
}

// The rest is the default VFS's.
template <auto Method, class... Args>
decltype(auto) to_real(sqlite3_vfs* self, Args... args) {
  return (real_vfs(self)->*Method)(real_vfs(self), args...);
}

}  // namespace

const char* wal_write_buffer_vfs() {
  static const char* const name = []() -> const char* {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (!real || real->iVersion < 2) return nullptr;
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(kWalFileSpace) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = "dialtone-wal-write-buffer";
    vfs.pAppData = real;
    vfs.xOpen = vfs_open;
    vfs.xDelete = to_real<&sqlite3_vfs::xDelete>;
    vfs.xAccess = to_real<&sqlite3_vfs::xAccess>;
    vfs.xFullPathname = to_real<&sqlite3_vfs::xFullPathname>;
    vfs.xDlOpen = to_real<&sqlite3_vfs::xDlOpen>;
    vfs.xDlError = to_real<&sqlite3_vfs::xDlError>;
    vfs.xDlSym = to_real<&sqlite3_vfs::xDlSym>;
    vfs.xDlClose = to_real<&sqlite3_vfs::xDlClose>;
    vfs.xRandomness = to_real<&sqlite3_vfs::xRandomness>;
    vfs.xSleep = to_real<&sqlite3_vfs::xSleep>;
    vfs.xCurrentTime = to_real<&sqlite3_vfs::xCurrentTime>;
    vfs.xGetLastError = to_real<&sqlite3_vfs::xGetLastError>;
    vfs.xCurrentTimeInt64 = to_real<&sqlite3_vfs::xCurrentTimeInt64>;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
    return vfs.zName;
  }();
  return name;
}

}  // namespace dialtone::server
