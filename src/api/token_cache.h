// A small bounded cache of verified bearer-token digests, so that authenticating a request usually
// costs a SHA-256 and a map lookup instead of a database query (one per request before; the query
// borrowed a pooled connection from the same pool the ingest writer uses).
//
// Revocation: a token is revoked by deleting its api_tokens row, possibly from another process, so
// the cache cannot be told; instead every entry expires `ttl` after it was verified against the
// database, and a revoked token stops working within `ttl`. Only tokens the database knew are
// cached; unknown tokens always reach the database.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace mlw::api {

struct TokenCacheOptions {
  // Most digests held; when full, expired entries are dropped, and if none had expired, all are
  // (a cheap bound; the next request of each client repopulates it). 0 disables the cache.
  size_t capacity = 4096;
  // How long a verified token is trusted without asking the database again, microseconds. This is
  // the longest a revoked token keeps working. Default 2 s.
  int64_t ttl_micros = 2'000'000;
};

class TokenCache {
 public:
  TokenCache(const Clock& clock, TokenCacheOptions options);

  // The user id verified for `digest`, unless absent or expired.
  std::optional<int64_t> Find(const std::string& digest) const;
  // Remembers that the database mapped `digest` to `user_id` just now.
  void Insert(const std::string& digest, int64_t user_id);

 private:
  struct Entry {
    int64_t user_id;
    int64_t expires_at_us;
  };

  const Clock& clock_;
  const TokenCacheOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace mlw::api
