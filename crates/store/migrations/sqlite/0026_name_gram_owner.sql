-- A name gram carries its customer's owner, so a rep's search is a walk of the gram's entries
-- of their own customers in the list's order, and its count a range of them: before, the rep's
-- 1,000 customers were each probed for the gram (a common word's count 0.9 ms in SQLite, 6 in
-- PostgreSQL; 0025 serves the director and regions). A transfer now rewrites the customer's
-- grams as a pool return already did (0023's trigger, replaced here).
ALTER TABLE customer_name_grams ADD COLUMN owner_id BLOB;
UPDATE customer_name_grams SET owner_id =
    (SELECT c.owner_id FROM customers c WHERE c.id = customer_name_grams.customer_id);
CREATE INDEX ix_customer_name_grams_owner
    ON customer_name_grams(gram, owner_id, last_followup_at, seq) WHERE owned;

DROP TRIGGER tr_customers_name_grams_scope;
CREATE TRIGGER tr_customers_name_grams_scope AFTER UPDATE OF unit_id, owner_id ON customers
WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE customer_name_grams
    SET unit_id = NEW.unit_id, owned = NEW.owner_id IS NOT NULL, owner_id = NEW.owner_id
    WHERE customer_id = NEW.id;
END;
