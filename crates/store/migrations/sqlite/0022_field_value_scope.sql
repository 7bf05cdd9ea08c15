-- A custom field's value carries its customer's unit and owner, kept by triggers in the
-- same transaction as any change, so a region's count of a value (企业规模 = 大型 over
-- 200,000 customers) is one range of an index, tested for the scope on the entry, with no
-- customer read: before, each of the value's entries was joined to its customer
-- (docs/benchmarks.md).
ALTER TABLE customer_field_values ADD COLUMN unit_id BLOB;
ALTER TABLE customer_field_values ADD COLUMN owner_id BLOB;
UPDATE customer_field_values SET (unit_id, owner_id) =
    (SELECT c.unit_id, c.owner_id FROM customers c WHERE c.id = customer_field_values.customer_id);
DROP INDEX ix_customer_field_values_text;
CREATE INDEX ix_customer_field_values_text
    ON customer_field_values(field_id, value_text, unit_id, owner_id);

-- A value written (or moved to another customer by a merge) takes its customer's scope.
CREATE TRIGGER tr_customer_field_values_scope_insert AFTER INSERT ON customer_field_values
BEGIN
    UPDATE customer_field_values SET (unit_id, owner_id) =
        (SELECT c.unit_id, c.owner_id FROM customers c WHERE c.id = NEW.customer_id)
    WHERE customer_id = NEW.customer_id AND field_id = NEW.field_id AND value_text = NEW.value_text;
END;
CREATE TRIGGER tr_customer_field_values_scope_move AFTER UPDATE OF customer_id ON customer_field_values
BEGIN
    UPDATE customer_field_values SET (unit_id, owner_id) =
        (SELECT c.unit_id, c.owner_id FROM customers c WHERE c.id = NEW.customer_id)
    WHERE customer_id = NEW.customer_id AND field_id = NEW.field_id AND value_text = NEW.value_text;
END;

-- A customer that changes hands (claimed, transferred, returned to the pool, its unit moved)
-- takes its values along.
CREATE TRIGGER tr_customers_field_values_scope AFTER UPDATE OF unit_id, owner_id ON customers
WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE customer_field_values SET unit_id = NEW.unit_id, owner_id = NEW.owner_id
    WHERE customer_id = NEW.id;
END;

-- A rep's count of a value: one range of their own entries.
CREATE INDEX ix_customer_field_values_owner
    ON customer_field_values(owner_id, field_id, value_text);
