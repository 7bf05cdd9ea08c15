-- Forgotten customers (遗忘提醒) counted from the level index alone. PostgreSQL answers from
-- an index without reading rows (an index-only scan) only when every column the query names
-- is in it; an indexed expression does not count, so the count read about 30,000 pages for
-- the company's 1,001 (docs/benchmarks.md). The instant a customer was last attended to is
-- now a stored column, kept by PostgreSQL, and the index holds it.
ALTER TABLE customers ADD COLUMN idle_since BIGINT
    GENERATED ALWAYS AS (COALESCE(last_followup_at, owned_since, created_at)) STORED;
DROP INDEX ix_customers_level_idle;
CREATE INDEX ix_customers_level_idle
    ON customers(level_code, idle_since, unit_id, owner_id)
    WHERE owner_id IS NOT NULL;
-- A rep's index carries the same column, so their forgotten list and count never read a row.
DROP INDEX ix_customers_owner_followup;
CREATE INDEX ix_customers_owner_followup
    ON customers(owner_id, last_followup_at, seq, level_code, idle_since, id)
    WHERE owner_id IS NOT NULL;
