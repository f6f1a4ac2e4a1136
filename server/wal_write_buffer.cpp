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

int wal_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  WalFile* w = WalFile::of(f);
  if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xRead(w->real, out, amount, offset);
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

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  WalFile* w = WalFile::of(f);
  if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xTruncate(w->real, size);
}

int wal_sync(sqlite3_file* f, int flags) {
  WalFile* w = WalFile::of(f);
  if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xSync(w->real, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  WalFile* w = WalFile::of(f);
  if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

int wal_lock(sqlite3_file* f, int level) {
  WalFile* w = WalFile::of(f);
  return w->real->pMethods->xLock(w->real, level);
}

int wal_unlock(sqlite3_file* f, int level) {
  WalFile* w = WalFile::of(f);
  if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xUnlock(w->real, level);
}

int wal_check_reserved(sqlite3_file* f, int* out) {
  WalFile* w = WalFile::of(f);
  return w->real->pMethods->xCheckReservedLock(w->real, out);
}

int wal_file_control(sqlite3_file* f, int op, void* arg) {
  WalFile* w = WalFile::of(f);
  if (const int rc = w->flush(); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileControl(w->real, op, arg);
}

int wal_sector_size(sqlite3_file* f) {
  WalFile* w = WalFile::of(f);
  return w->real->pMethods->xSectorSize(w->real);
}

int wal_device_characteristics(sqlite3_file* f) {
  WalFile* w = WalFile::of(f);
  return w->real->pMethods->xDeviceCharacteristics(w->real);
}

// Version 1: SQLite maps shared memory and pages of the database file only, never of the log.
const sqlite3_io_methods kWalMethods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
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
int vfs_delete(sqlite3_vfs* s, const char* n, int sync_dir) {
  return real_vfs(s)->xDelete(real_vfs(s), n, sync_dir);
}
int vfs_access(sqlite3_vfs* s, const char* n, int flags, int* out) {
  return real_vfs(s)->xAccess(real_vfs(s), n, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* s, const char* n, int size, char* out) {
  return real_vfs(s)->xFullPathname(real_vfs(s), n, size, out);
}
void* vfs_dl_open(sqlite3_vfs* s, const char* n) { return real_vfs(s)->xDlOpen(real_vfs(s), n); }
void vfs_dl_error(sqlite3_vfs* s, int n, char* out) { real_vfs(s)->xDlError(real_vfs(s), n, out); }
void (*vfs_dl_sym(sqlite3_vfs* s, void* h, const char* sym))(void) {
  return real_vfs(s)->xDlSym(real_vfs(s), h, sym);
}
void vfs_dl_close(sqlite3_vfs* s, void* h) { real_vfs(s)->xDlClose(real_vfs(s), h); }
int vfs_randomness(sqlite3_vfs* s, int n, char* out) {
  return real_vfs(s)->xRandomness(real_vfs(s), n, out);
}
int vfs_sleep(sqlite3_vfs* s, int us) { return real_vfs(s)->xSleep(real_vfs(s), us); }
int vfs_current_time(sqlite3_vfs* s, double* out) {
  return real_vfs(s)->xCurrentTime(real_vfs(s), out);
}
int vfs_get_last_error(sqlite3_vfs* s, int n, char* out) {
  return real_vfs(s)->xGetLastError(real_vfs(s), n, out);
}
int vfs_current_time_int64(sqlite3_vfs* s, sqlite3_int64* out) {
  return real_vfs(s)->xCurrentTimeInt64(real_vfs(s), out);
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
    vfs.xDelete = vfs_delete;
    vfs.xAccess = vfs_access;
    vfs.xFullPathname = vfs_full_pathname;
    vfs.xDlOpen = vfs_dl_open;
    vfs.xDlError = vfs_dl_error;
    vfs.xDlSym = vfs_dl_sym;
    vfs.xDlClose = vfs_dl_close;
    vfs.xRandomness = vfs_randomness;
    vfs.xSleep = vfs_sleep;
    vfs.xCurrentTime = vfs_current_time;
    vfs.xGetLastError = vfs_get_last_error;
    vfs.xCurrentTimeInt64 = vfs_current_time_int64;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
    return vfs.zName;
  }();
  return name;
}

}  // namespace dialtone::server
