-- vitals_raw_categorized.user_id loses its foreign key on SQLite; a trigger keeps its
-- ON DELETE CASCADE.
--
-- SQLite checked the parent users row for every categorized row written: about 950 instructions of
-- the 5,300 an insert costs (bench/pipeline_bench.cc). The check can never fail: a run writes
-- categorized rows only for the user whose raw rows it processes, in the transaction that read
-- them, and vitals_raw_data.user_id keeps its own foreign key. Deleting a user must still delete
-- their categorized rows, which the trigger does.
--
-- As in 0003, the constraint is dropped by SQLite's documented procedure for schema changes that
-- leave the stored rows valid (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds
-- Of Table Schema Changes"): rewrite the stored CREATE TABLE text, then change the schema so that
-- the schema cookie moves and every connection re-reads it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,',
                  'user_id BIGINT NOT NULL,          -- users.id; see trigger users_delete_vitals_categorized')
WHERE type = 'table' AND name = 'vitals_raw_categorized';
PRAGMA writable_schema = RESET;
CREATE TRIGGER users_delete_vitals_categorized AFTER DELETE ON users
BEGIN
  DELETE FROM vitals_raw_categorized WHERE user_id = OLD.id;
END;
