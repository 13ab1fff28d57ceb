-- The transactional outbox of job triggers (src/triggers/trigger_outbox.h). One row per
-- (user, job type) that needs processing: written in the ingest transaction, sent to the queue by
-- the relay (sent_at_us), deleted by the handler before it claims the user's rows. The key makes
-- triggers coalesce: while one is pending, further uploads add nothing.
CREATE TABLE job_triggers (
  user_id BIGINT NOT NULL,
  job_type TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  sent_at_us BIGINT,
  PRIMARY KEY (user_id, job_type)
);
CREATE INDEX job_triggers_unsent ON job_triggers (sent_at_us, created_at_us);
