-- The company's walk by last follow-up carries what the 遗忘提醒 rules and the probes of
-- tags, fields and name grams read, as a rep's index does (0020): a region's forgotten
-- customers (its never-followed-up ones walked in number order, most of them not forgotten)
-- and a region's page of a custom field or a common word were a row read per entry walked,
-- for the level, the ownership date or the id the probe needs.
DROP INDEX ix_customers_followup;
CREATE INDEX ix_customers_followup
    ON customers(last_followup_at, seq, unit_id, owner_id, level_code, owned_since, created_at, id)
    WHERE owner_id IS NOT NULL;
