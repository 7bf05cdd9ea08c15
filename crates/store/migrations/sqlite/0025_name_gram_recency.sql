-- A name gram carries its customer's last follow-up and number, the list's default order, so
-- a search's page is a walk of the gram's own entries in that order with the scope tested on
-- each (0023): a director's page of 科技 (83,000 names) reads about 20 entries, a region's
-- about 20 ÷ its share, where the company's walk tested the gram on every customer it passed
-- and a rare brand's matches were all collected and sorted. A follow-up writes its
-- customer's grams (a name has a few dozen at most); numbers never change.
ALTER TABLE customer_name_grams ADD COLUMN last_followup_at BIGINT;
ALTER TABLE customer_name_grams ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE customer_name_grams SET (last_followup_at, seq) =
    (SELECT c.last_followup_at, c.seq FROM customers c WHERE c.id = customer_name_grams.customer_id);
CREATE INDEX ix_customer_name_grams_recent
    ON customer_name_grams(gram, last_followup_at, seq, unit_id) WHERE owned;

CREATE TRIGGER tr_customers_name_grams_followup AFTER UPDATE OF last_followup_at ON customers
WHEN OLD.last_followup_at IS NOT NEW.last_followup_at
BEGIN
    UPDATE customer_name_grams SET last_followup_at = NEW.last_followup_at
    WHERE customer_id = NEW.id;
END;
