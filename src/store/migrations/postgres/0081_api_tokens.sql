-- Per-user API tokens (src/api/auth.h). Only the SHA-256 of a token is stored.
CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at_us BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
