// Bearer-token authentication and per-user authorization for the HTTP API. The admin token reaches
// every user; a user token reaches only its own user (403 for anyone else's data). Tokens are
// stored as SHA-256 digests (tokens.h); digests verified against the database are remembered for a
// short time (token_cache.h), which bounds how long a revoked token keeps working.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "api/token_cache.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/http_message.h"
#include "store/database.h"

namespace mlw::api {

struct Principal {
  bool admin = false;
  int64_t user_id = 0;  // set for user tokens
};

class Authenticator {
 public:
  // `admin_token` is the plain admin token (from config or <data-dir>/admin.token). `clock` dates
  // the cache entries and must outlive the authenticator.
  Authenticator(store::Database& db, const std::string& admin_token,
                const Clock& clock = SystemClock::Default(), TokenCacheOptions cache = {});

  // kUnauthenticated when the Authorization header is missing, not "Bearer <token>", or the token
  // is unknown.
  Result<Principal> Authenticate(const http::Request& request) const;
  // kPermissionDenied unless the principal is admin or `user_id` itself.
  static Status Authorize(const Principal& principal, int64_t user_id);
  static Status RequireAdmin(const Principal& principal);

  // Issues a new token for an existing user and stores its digest; returns the plain token.
  static Result<std::string> IssueUserToken(store::Database& db, const Clock& clock,
                                            int64_t user_id);

 private:
  store::Database& db_;
  std::string admin_token_hash_;
  mutable TokenCache cache_;  // a memo of the database lookup; thread-safe
};

}  // namespace mlw::api
