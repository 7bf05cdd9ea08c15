-- A custom field's value carries its customer's last follow-up and number, the list's default
-- order, as name grams do (0025): a filter on one value (企业规模 = 大型) pages by walking that
-- value's entries in the list's order with the scope tested on each, where the customers' own
-- order was walked with the value probed on each. Kept by triggers like the unit and owner
-- (0022).
ALTER TABLE customer_field_values ADD COLUMN last_followup_at BIGINT;
ALTER TABLE customer_field_values ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE customer_field_values SET (last_followup_at, seq) =
    (SELECT c.last_followup_at, c.seq FROM customers c WHERE c.id = customer_field_values.customer_id);
CREATE INDEX ix_customer_field_values_recent
    ON customer_field_values(field_id, value_text, last_followup_at, seq, unit_id, customer_id)
    WHERE owner_id IS NOT NULL;

-- A value written (or moved to another customer by a merge) takes its customer's scope and
-- place in the list.
DROP TRIGGER tr_customer_field_values_scope_insert;
DROP TRIGGER tr_customer_field_values_scope_move;
CREATE TRIGGER tr_customer_field_values_scope_insert AFTER INSERT ON customer_field_values
BEGIN
    UPDATE customer_field_values SET (unit_id, owner_id, last_followup_at, seq) =
        (SELECT c.unit_id, c.owner_id, c.last_followup_at, c.seq FROM customers c WHERE c.id = NEW.customer_id)
    WHERE customer_id = NEW.customer_id AND field_id = NEW.field_id AND value_text = NEW.value_text;
END;
CREATE TRIGGER tr_customer_field_values_scope_move AFTER UPDATE OF customer_id ON customer_field_values
BEGIN
    UPDATE customer_field_values SET (unit_id, owner_id, last_followup_at, seq) =
        (SELECT c.unit_id, c.owner_id, c.last_followup_at, c.seq FROM customers c WHERE c.id = NEW.customer_id)
    WHERE customer_id = NEW.customer_id AND field_id = NEW.field_id AND value_text = NEW.value_text;
END;

-- A follow-up moves its customer's values along the list.
CREATE TRIGGER tr_customers_field_values_followup AFTER UPDATE OF last_followup_at ON customers
WHEN OLD.last_followup_at IS NOT NEW.last_followup_at
BEGIN
    UPDATE customer_field_values SET last_followup_at = NEW.last_followup_at
    WHERE customer_id = NEW.id;
END;
