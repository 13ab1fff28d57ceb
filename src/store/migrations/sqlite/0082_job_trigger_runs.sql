-- When each (user, job type) last started processing: the moment its trigger was consumed
-- (src/triggers/trigger_outbox.h). The relay holds the user's next trigger until
-- worker.trigger_min_interval_seconds after it, so a user who uploads continuously is processed
-- every few seconds in larger runs instead of once per upload.
CREATE TABLE job_trigger_runs (
  user_id BIGINT NOT NULL,
  job_type TEXT NOT NULL,
  consumed_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, job_type)
) WITHOUT ROWID;
