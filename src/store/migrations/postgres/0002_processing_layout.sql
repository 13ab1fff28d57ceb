-- Processing layout, measured on pipeline_bench (docs/idempotency.md):
--  * processed_at_us becomes finished_at_us: set exactly when a raw row becomes processed or
--    failed (the code has always set it for both). The open-rows partial index now keys on it
--    instead of on status, so claiming a row (pending -> processing) leaves the index alone.
--  * vitals_raw_categorized is clustered by the recompute's range scan (user, series, start) and
--    loses its foreign key to the raw row, whose parent check made every raw-row status update
--    cost twice as much. Its key (user, series, start, raw_id) is still a function of the raw row,
--    so re-categorizing a row upserts rather than duplicates.

ALTER TABLE vitals_raw_data RENAME COLUMN processed_at_us TO finished_at_us;
ALTER TABLE nutrition_raw_data RENAME COLUMN processed_at_us TO finished_at_us;
ALTER TABLE lab_report_raw RENAME COLUMN processed_at_us TO finished_at_us;

UPDATE vitals_raw_data SET finished_at_us = created_at_us
  WHERE finished_at_us IS NULL AND status IN ('processed', 'failed');
UPDATE nutrition_raw_data SET finished_at_us = created_at_us
  WHERE finished_at_us IS NULL AND status IN ('processed', 'failed');
UPDATE lab_report_raw SET finished_at_us = created_at_us
  WHERE finished_at_us IS NULL AND status IN ('processed', 'failed');

DROP INDEX vitals_raw_data_open;
CREATE INDEX vitals_raw_data_open ON vitals_raw_data (user_id) WHERE finished_at_us IS NULL;
DROP INDEX nutrition_raw_data_open;
CREATE INDEX nutrition_raw_data_open ON nutrition_raw_data (user_id) WHERE finished_at_us IS NULL;
DROP INDEX lab_report_raw_open;
CREATE INDEX lab_report_raw_open ON lab_report_raw (user_id) WHERE finished_at_us IS NULL;

CREATE TABLE vitals_raw_categorized_v2 (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  series TEXT NOT NULL,              -- heart_rate, blood_pressure_systolic, sleep_deep, ...
  start_us BIGINT NOT NULL,
  raw_id BIGINT NOT NULL,            -- vitals_raw_data.id
  end_us BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL,   -- in `unit`, the series' canonical UCUM unit
  unit TEXT NOT NULL,
  loinc_code TEXT NOT NULL,
  categorized_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, series, start_us, raw_id)
);
INSERT INTO vitals_raw_categorized_v2 (user_id, series, start_us, raw_id, end_us, value, unit,
                                       loinc_code, categorized_at_us)
  SELECT user_id, series, start_us, raw_id, end_us, value, unit, loinc_code, categorized_at_us
  FROM vitals_raw_categorized;
DROP TABLE vitals_raw_categorized;
ALTER TABLE vitals_raw_categorized_v2 RENAME TO vitals_raw_categorized;
