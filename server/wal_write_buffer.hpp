// A SQLite VFS that gathers the writes of a commit to the write-ahead log into one write.
// SQLite writes a commit's WAL frames one system call at a time, two per page (its 24-byte
// header, then the page): a commit of 64 new calls wrote ~50 frames with ~100 pwrite()s, each
// 10-25 us of hypervisor and file-system overhead on this VM, on the writer thread that every
// durable change waits for. Here the log's writes that follow each other are kept in memory
// and written together (a few pwrite()s a commit), before anything can look at them:
//
// - when the last frame of a commit is written (its header says so): SQLite publishes the
//   commit to other connections (the wal-index header) only after that, so no reader (the
//   checkpointer's connection) ever sees a frame that is still only in the buffer, and
//   Store::sync(), which runs after COMMIT returns, finds the whole commit in the file;
// - at xSync, and before any other use of the file (a read, the size, a truncate, an unlock,
//   a file control, close), and when the next write is not where the last one ended, or the
//   buffer holds kCap bytes.
//
// A write that fails there fails the call that flushed it (xSync fails the COMMIT, which
// SQLite then rolls back as it does a failed xWrite), and the buffer is dropped: SQLite writes
// those frames again when it retries. Only the log is buffered; the database file and the
// rest go straight to the default VFS, which this one wraps.
//
// Thread-safety: registration is once per process (thread-safe); each open file is used by
// one connection, as SQLite's own files are.
#pragma once

namespace dialtone::server {

// Registers the VFS (not as the default) on first use; returns its name for sqlite3_open_v2.
// nullptr if SQLite could not register it (the caller then uses the default VFS).
const char* wal_write_buffer_vfs();

}  // namespace dialtone::server
