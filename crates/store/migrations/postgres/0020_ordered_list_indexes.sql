-- Lists walk one index in the list's own order and stop at the page (customers::listing):
-- each index holds the sort key, then the customer number for ties, then what the scope
-- and the count test (unit, owner), so neither a page nor a capped count reads a row it
-- does not return. Only owned customers: pool customers are never in a list's scope.
-- The whole company, by last follow-up and by next contact.
DROP INDEX ix_customers_followup;
CREATE INDEX ix_customers_followup
    ON customers(last_followup_at, seq, unit_id, owner_id) WHERE owner_id IS NOT NULL;
DROP INDEX ix_customers_next;
CREATE INDEX ix_customers_next
    ON customers(next_followup_at, seq, unit_id, owner_id) WHERE owner_id IS NOT NULL;
-- One owner's (a rep's) customers; by last follow-up with what the 遗忘提醒 rules and the
-- probes of tags and fields read, so a rep's lists and counts never read a row.
DROP INDEX ix_customers_owner_followup;
CREATE INDEX ix_customers_owner_followup
    ON customers(owner_id, last_followup_at, seq, level_code, owned_since, created_at, id)
    WHERE owner_id IS NOT NULL;
DROP INDEX ix_customers_owner_next;
CREATE INDEX ix_customers_owner_next
    ON customers(owner_id, next_followup_at, seq) WHERE owner_id IS NOT NULL;
-- One unit's customers. The follow-up one holds pool customers too: it is also the index
-- that finds a unit's customers when the unit is deleted.
DROP INDEX ix_customers_unit_followup;
CREATE INDEX ix_customers_unit_followup
    ON customers(unit_id, last_followup_at, seq, owner_id);
DROP INDEX ix_customers_unit_next;
CREATE INDEX ix_customers_unit_next
    ON customers(unit_id, next_followup_at, seq) WHERE owner_id IS NOT NULL;
-- Forgotten customers per level, counted without reading a row.
DROP INDEX ix_customers_level_idle;
CREATE INDEX ix_customers_level_idle
    ON customers(level_code, (COALESCE(last_followup_at, owned_since, created_at)), unit_id, owner_id)
    WHERE owner_id IS NOT NULL;
