-- New customers are counted per statement, not per row: an import of 100,000 customers in one
-- transaction would otherwise update its unit's count row 100,000 times, and PostgreSQL walks
-- every earlier version of that row on each update (quadratic: minutes instead of seconds).
DROP TRIGGER customers_count ON customers;
CREATE TRIGGER customers_count AFTER DELETE OR UPDATE OF unit_id, owner_id ON customers
FOR EACH ROW EXECUTE FUNCTION customers_count();

CREATE FUNCTION customers_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_unit_counts (unit_id, owned)
    SELECT unit_id, COUNT(*) FROM inserted WHERE owner_id IS NOT NULL GROUP BY unit_id
    ON CONFLICT (unit_id) DO UPDATE SET owned = customer_unit_counts.owned + EXCLUDED.owned;
    RETURN NULL;
END $$;

CREATE TRIGGER customers_count_inserted AFTER INSERT ON customers
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION customers_count_inserted();
