-- The SQLite dialect rewrites the raw tables' `status IN (...)` CHECK as comparisons, because
-- SQLite built a temporary b-tree per written row to evaluate it. PostgreSQL evaluates the IN list
-- directly, so its constraint stays as it is; this version exists so that both dialects apply the
-- same list of migrations.
SELECT 1;
