// Options for opening a Database (see database_factory.h). Parsed from flags/config at the edge.
#pragma once

namespace mlw::store {

enum class SyncMode {
  // A committed transaction survives a crash of any process; on power loss or an OS crash the
  // last transactions may be lost but the database stays consistent (SQLite WAL
  // synchronous=NORMAL).
  kNormal,
  // A committed transaction also survives power loss: one fsync per commit (synchronous=FULL).
  kFull,
};

struct DatabaseOptions {
  // How long a statement or BEGIN waits for another writer before failing with kUnavailable.
  // Milliseconds; default 5000.
  int busy_timeout_ms = 5000;
  // Upper bound on open connections in the pool (SQLite: one per concurrently active thread).
  // Default 8; an in-memory SQLite database always uses exactly one.
  int max_connections = 8;
  // How long a caller waits for a free pooled connection before kUnavailable. Milliseconds.
  int acquire_timeout_ms = 30000;
  // Durability of commits; default kNormal.
  SyncMode sync = SyncMode::kNormal;
  // Page cache per connection, KiB (SQLite cache_size); default 16384 (16 MiB), enough to keep a
  // user's working set of a processing run in memory.
  int cache_kib = 16384;
  // Create missing parent directories of a database file. Default true.
  bool create_directories = true;
};

}  // namespace mlw::store
