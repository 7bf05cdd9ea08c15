-- How many owned customers each unit holds, kept by a trigger in the same transaction as the
-- change, so a manager's list over 200,000 customers counts them without reading them.
-- `salesdesk check` compares it with a full count.
CREATE TABLE customer_unit_counts (
    unit_id UUID PRIMARY KEY REFERENCES org_units(id),
    owned   BIGINT NOT NULL DEFAULT 0
);

INSERT INTO customer_unit_counts (unit_id, owned)
SELECT unit_id, COUNT(*) FROM customers WHERE owner_id IS NOT NULL GROUP BY unit_id;

CREATE FUNCTION customers_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.owner_id IS NOT NULL THEN
        UPDATE customer_unit_counts SET owned = owned - 1 WHERE unit_id = OLD.unit_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.owner_id IS NOT NULL THEN
        INSERT INTO customer_unit_counts (unit_id, owned) VALUES (NEW.unit_id, 1)
        ON CONFLICT (unit_id) DO UPDATE SET owned = customer_unit_counts.owned + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER customers_count AFTER INSERT OR DELETE OR UPDATE OF unit_id, owner_id ON customers
FOR EACH ROW EXECUTE FUNCTION customers_count();

-- Everyone's list sorted by last follow-up (the default) reads this index in order.
CREATE INDEX ix_customers_followup ON customers(last_followup_at DESC NULLS LAST, seq DESC) WHERE owner_id IS NOT NULL;
