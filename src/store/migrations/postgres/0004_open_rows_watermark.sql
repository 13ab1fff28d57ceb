-- The watermark table of the SQLite dialect's 0004, so that both dialects share one schema and the
-- same SQL. PostgreSQL never advances it: a row id there is taken from a sequence before its
-- transaction commits, so a row with a lower id can become visible after a higher one was
-- processed, and a watermark could pass over it. Its open rows stay in the partial index
-- `<table>_open`, which PostgreSQL maintains cheaply, and every watermark reads as 0.
CREATE TABLE raw_open_from (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  table_name TEXT NOT NULL,
  first_open_id BIGINT NOT NULL,
  PRIMARY KEY (user_id, table_name)
);
