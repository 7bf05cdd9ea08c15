-- PostgreSQL counts new customers per statement from this version on (see its 0007). SQLite
-- updates its count rows in place, so its per-row triggers stay as they are.
SELECT 1;
