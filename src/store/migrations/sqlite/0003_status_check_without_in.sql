-- The raw tables' status CHECK read `status IN ('pending', 'processing', 'processed', 'failed')`.
-- SQLite (3.40) evaluates an IN list inside a CHECK by building and clearing a temporary b-tree for
-- every row it inserts or updates: about 15 % of all instructions of ingest and of processing
-- (callgrind on bench/pipeline_bench.cc). The same constraint written as comparisons costs almost
-- nothing.
--
-- SQLite cannot ALTER a CHECK, and rebuilding these tables would fire their ON DELETE CASCADE into
-- the categorized rows. So this takes the procedure SQLite documents for changing a CHECK
-- constraint in place (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
-- Schema Changes"): rewrite the stored CREATE TABLE text, then change the schema so that the
-- schema cookie moves and every connection re-reads it. The new constraint is equivalent to the
-- old one, so every stored row satisfies it.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
                  'CHECK (status IN (''pending'', ''processing'', ''processed'', ''failed''))',
                  'CHECK (status = ''pending'' OR status = ''processing'' OR '
                  || 'status = ''processed'' OR status = ''failed'')')
WHERE type = 'table' AND name IN ('vitals_raw_data', 'nutrition_raw_data', 'lab_report_raw');
PRAGMA writable_schema = RESET;
CREATE TABLE schema_cookie_bump (x INTEGER);
DROP TABLE schema_cookie_bump;
