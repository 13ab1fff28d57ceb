-- A vitals row finished by a single-transaction round keeps its stored status; the round moves
-- the user's watermark past it and records when (docs/idempotency.md, "Status below the
-- watermark"). Rewriting every finished row was the largest single cost of processing a sample
-- on bench/pipeline_bench.cc: about 6,800 of 24,100 instructions, and half of the bytes written
-- to the WAL.
--
-- PostgreSQL never finishes rows that way (its watermark stays 0, see 0004), but keeps the same
-- schema, so the view reads every row's stored status there.
--
-- The rows are stored in vitals_raw_rows; vitals_raw_data is now a view over them that reads such
-- a row as processed, finished when its round committed, with the round's attempt counted and no
-- lease. Only this program writes raw rows (ingest goes through the API), so the table was
-- renamed rather than given INSTEAD OF triggers. Indexes keep their names.
ALTER TABLE vitals_raw_data RENAME TO vitals_raw_rows;

-- A round that finished rows of a user without rewriting them: every row of the user's table
-- below `below_id` and below the watermark that has no finished_at_us of its own was processed at
-- `finished_at_us` by the round with the lowest below_id above its id. Watermarks only rise
-- between resets, and pipelines::ReopenRows writes the derived status into the rows before it
-- resets one and clears these.
CREATE TABLE raw_finished_below (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  table_name TEXT NOT NULL,          -- vitals_raw_data
  below_id BIGINT NOT NULL,
  finished_at_us BIGINT NOT NULL,
  PRIMARY KEY (user_id, table_name, below_id)
);

CREATE VIEW vitals_raw_data AS
SELECT id, user_id, metric, value, value2, unit, stage, start_us, end_us, utc_offset_s, source,
       CASE WHEN below_watermark = 1 THEN 'processed' ELSE status END AS status,
       CASE WHEN below_watermark = 1 THEN NULL ELSE lease_owner END AS lease_owner,
       CASE WHEN below_watermark = 1 THEN NULL ELSE lease_expires_us END AS lease_expires_us,
       CASE WHEN below_watermark = 1 THEN attempts + 1 ELSE attempts END AS attempts,
       error, created_at_us,
       CASE WHEN below_watermark = 1 THEN
         (SELECT f.finished_at_us FROM raw_finished_below f
          WHERE f.user_id = v.user_id AND f.table_name = 'vitals_raw_data' AND f.below_id > v.id
          ORDER BY f.below_id LIMIT 1)
       ELSE finished_at_us END AS finished_at_us
FROM (SELECT r.*,
             CASE WHEN r.finished_at_us IS NULL AND r.id < COALESCE(
                    (SELECT w.first_open_id FROM raw_open_from w
                     WHERE w.user_id = r.user_id AND w.table_name = 'vitals_raw_data'), 0)
                  THEN 1 ELSE 0 END AS below_watermark
      FROM vitals_raw_rows r) AS v;
