-- Open raw rows are found from a per-user watermark instead of a partial index
-- (docs/idempotency.md, "Finding open rows").
--
-- The partial index `<table>_open` (user_id) WHERE finished_at_us IS NULL lost an entry for every
-- row a run finished: a seek and a delete per row, about 5,000 of the 12,000 instructions that
-- marking a vitals row processed cost on bench/pipeline_bench.cc. Here every raw table gets a
-- plain index on user_id instead, which a status change never touches, and `raw_open_from` keeps,
-- per user and raw table, an id below which every row of that user is finished. A run scans the
-- user's rows from there. SQLite has one writer at a time and gives a new row an id above every
-- existing one, so no row can appear below a watermark after it was set; raw rows are never
-- deleted one by one (only with their user). Rows are set back to pending only through
-- pipelines::ReopenRows, which also lowers the watermark: an UPDATE by hand would leave them below
-- it, unseen. (A trigger doing that on every status change cost 3,000 instructions per row.)
CREATE TABLE raw_open_from (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  table_name TEXT NOT NULL,          -- vitals_raw_data | nutrition_raw_data | lab_report_raw
  first_open_id BIGINT NOT NULL,     -- every row of the user in the table below this id is finished
  PRIMARY KEY (user_id, table_name)
) WITHOUT ROWID;

DROP INDEX vitals_raw_data_open;
CREATE INDEX vitals_raw_data_user ON vitals_raw_data (user_id);
DROP INDEX nutrition_raw_data_open;
CREATE INDEX nutrition_raw_data_user ON nutrition_raw_data (user_id);
DROP INDEX lab_report_raw_open;
CREATE INDEX lab_report_raw_user ON lab_report_raw (user_id);

