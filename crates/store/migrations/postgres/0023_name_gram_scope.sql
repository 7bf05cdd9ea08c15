-- A name gram carries its customer's unit and whether someone owns it (pool customers are
-- no one's list), so a region's count of a common word's matches (科技 in 83,000 names) is read
-- from the gram's index with the scope tested on each entry: before, each entry's customer was
-- probed for its unit (about 5,000 customers for a region's 1,001). Not the owner itself, as
-- custom field values carry (0022): a rep's matches are found from their own customers, and a
-- flag keeps the index small and leaves transfers within a unit untouched. The store writes
-- them with the gram; a customer that changes unit or owned-ness takes its grams along.
ALTER TABLE customer_name_grams ADD COLUMN unit_id UUID, ADD COLUMN owned BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE customer_name_grams g SET unit_id = c.unit_id, owned = c.owner_id IS NOT NULL
FROM customers c WHERE c.id = g.customer_id;
CREATE INDEX ix_customer_name_grams_scope ON customer_name_grams(gram, unit_id) WHERE owned;

CREATE FUNCTION customers_name_grams_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_name_grams SET unit_id = NEW.unit_id, owned = NEW.owner_id IS NOT NULL
    WHERE customer_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER customers_name_grams_scope AFTER UPDATE OF unit_id, owner_id ON customers
FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id OR (OLD.owner_id IS NULL) <> (NEW.owner_id IS NULL))
EXECUTE FUNCTION customers_name_grams_scope();
