-- How many owned customers each unit holds, kept by triggers in the same transaction as the
-- change, so a manager's list over 200,000 customers counts them without reading them.
-- `salesdesk check` compares it with a full count.
CREATE TABLE customer_unit_counts (
    unit_id BLOB PRIMARY KEY REFERENCES org_units(id),
    owned   BIGINT NOT NULL DEFAULT 0
);

INSERT INTO customer_unit_counts (unit_id, owned)
SELECT unit_id, COUNT(*) FROM customers WHERE owner_id IS NOT NULL GROUP BY unit_id;

CREATE TRIGGER customers_count_insert AFTER INSERT ON customers WHEN NEW.owner_id IS NOT NULL
BEGIN
    INSERT INTO customer_unit_counts (unit_id, owned) VALUES (NEW.unit_id, 1)
    ON CONFLICT (unit_id) DO UPDATE SET owned = owned + 1;
END;

CREATE TRIGGER customers_count_delete AFTER DELETE ON customers WHEN OLD.owner_id IS NOT NULL
BEGIN
    UPDATE customer_unit_counts SET owned = owned - 1 WHERE unit_id = OLD.unit_id;
END;

CREATE TRIGGER customers_count_update AFTER UPDATE OF unit_id, owner_id ON customers
BEGIN
    UPDATE customer_unit_counts SET owned = owned - 1
    WHERE unit_id = OLD.unit_id AND OLD.owner_id IS NOT NULL;
    INSERT INTO customer_unit_counts (unit_id, owned) SELECT NEW.unit_id, 1 WHERE NEW.owner_id IS NOT NULL
    ON CONFLICT (unit_id) DO UPDATE SET owned = owned + 1;
END;

-- Everyone's list sorted by last follow-up (the default) reads this index in order.
CREATE INDEX ix_customers_followup ON customers(last_followup_at, seq) WHERE owner_id IS NOT NULL;
