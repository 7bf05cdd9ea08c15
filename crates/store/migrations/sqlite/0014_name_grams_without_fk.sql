-- PostgreSQL drops the foreign key of the similar-name index here (see its 0014). SQLite
-- checks a foreign key in-process at little cost, and dropping one means rebuilding the
-- table, so it keeps it; the store deletes a merged customer's grams itself on both.
SELECT 1;
