#include "api/auth.h"

#include "api/tokens.h"

namespace mlw::api {

Authenticator::Authenticator(store::Database& db, const std::string& admin_token)
    : db_(db), admin_token_hash_(HashToken(admin_token)) {}

Result<Principal> Authenticator::Authenticate(const http::Request& request) const {
  std::string_view header = request.Header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    return Status(StatusCode::kUnauthenticated,
                  "missing Authorization header; send \"Authorization: Bearer <token>\"");
  }
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) {
    return Status(StatusCode::kUnauthenticated, "Authorization header must be \"Bearer <token>\"");
  }
  const std::string hash = HashToken(header.substr(kBearer.size()));
  if (ConstantTimeEquals(hash, admin_token_hash_)) return Principal{true, 0};
  MLW_ASSIGN_OR_RETURN(store::Rows rows,
                       db_.Query("SELECT user_id FROM api_tokens WHERE token_hash = $1", {hash}));
  if (rows.empty()) return Status(StatusCode::kUnauthenticated, "unknown or revoked token");
  return Principal{false, rows[0].Int(0)};
}

Status Authenticator::Authorize(const Principal& principal, int64_t user_id) {
  if (principal.admin || principal.user_id == user_id) return Status::Ok();
  return Status(StatusCode::kPermissionDenied,
                "this token does not give access to user " + std::to_string(user_id));
}

Status Authenticator::RequireAdmin(const Principal& principal) {
  if (principal.admin) return Status::Ok();
  return Status(StatusCode::kPermissionDenied, "this operation needs the admin token");
}

Result<std::string> Authenticator::IssueUserToken(store::Database& db, const Clock& clock,
                                                  int64_t user_id) {
  std::string token = GenerateToken();
  MLW_RETURN_IF_ERROR(
      db.Exec("INSERT INTO api_tokens (token_hash, user_id, created_at_us) VALUES ($1, $2, $3)",
              {HashToken(token), user_id, clock.NowMicros()})
          .status());
  return token;
}

}  // namespace mlw::api
