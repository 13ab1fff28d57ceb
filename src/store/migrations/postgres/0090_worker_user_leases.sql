-- Per-user job leases of the worker runtime (src/worker/user_lease.h): at most one job runs for a
-- user at a time across worker threads and processes. A row is taken with a conditional upsert
-- when free or expired, renewed by the heartbeat, deleted on release; a dead worker's row expires.
-- Times are BIGINT microseconds since the Unix epoch (UTC), like the rest of the schema.

CREATE TABLE worker_user_leases (
  user_id BIGINT PRIMARY KEY,
  owner TEXT NOT NULL,               -- "<worker id>:<sequence>", unique per acquisition
  expires_at_us BIGINT NOT NULL,
  acquired_at_us BIGINT NOT NULL
);
