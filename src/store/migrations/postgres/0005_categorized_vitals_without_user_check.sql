-- The SQLite dialect drops the foreign key of vitals_raw_categorized.user_id, whose per-row parent
-- lookup was a sixth of a categorized insert there, and keeps its cascade with a trigger.
-- PostgreSQL checks foreign keys cheaply, so its constraint stays; this version exists so that
-- both dialects apply the same list of migrations.
SELECT 1;
