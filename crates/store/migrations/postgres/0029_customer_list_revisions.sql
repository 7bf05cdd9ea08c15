-- A customer's page shows its lists (tags, contacts, collaborators, ownership history, custom
-- field values) beside the record. A server keeps the lists it last read in memory and
-- serves them again while the customer's list revision, which every change of a list bumps
-- in the same transaction, stands (app's `customers::PageCache`): the record read then reads
-- the row and the revision and no lists. The names the lists show (people, field
-- definitions) bump the auth generation (0019, 0028) instead.
--
-- A table of its own rather than a column of customers: on PostgreSQL every update of a
-- customer row writes an entry into each of its indexes (a dozen; the row is too wide for the
-- update to stay on its page), which made an import's contacts cost 0.5 ms each. A customer
-- whose lists never changed after it was created has no row: revision 0.
CREATE TABLE customer_list_revisions (
    customer_id UUID PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    revision    BIGINT NOT NULL
);

-- Inserts and deletes come in batches (imports, merges, deleting a customer): once per
-- statement over its rows. (A trigger with transition tables has one event each.) A
-- customer deleted in the same statement (its lists go with it) is left alone.
CREATE FUNCTION customer_lists_changed_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_list_revisions AS r (customer_id, revision)
    SELECT DISTINCT x.customer_id, 1 FROM changed x
    WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = x.customer_id)
    ON CONFLICT (customer_id) DO UPDATE SET revision = r.revision + 1;
    RETURN NULL;
END $$;

-- Updates come one row at a time and may move a row to another customer (合并).
CREATE FUNCTION customer_lists_changed_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_list_revisions AS r (customer_id, revision)
    SELECT DISTINCT c.id, 1 FROM customers c WHERE c.id IN (OLD.customer_id, NEW.customer_id)
    ON CONFLICT (customer_id) DO UPDATE SET revision = r.revision + 1;
    RETURN NULL;
END $$;

-- On each list table: inserts and deletes per statement, updates per row. A field value's
-- update counts only when it changes what the page shows, not the copies of the customer's
-- scope and order it carries (0027), which follow every follow-up.
DO $$
DECLARE
    t text;
    updated_cols text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer_tags', 'customer_contacts', 'customer_collaborators',
                             'customer_owner_history', 'customer_field_values'] LOOP
        updated_cols := CASE WHEN t = 'customer_field_values'
            THEN ' OF customer_id, field_id, value_text, value_num' ELSE '' END;
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed '
            'FOR EACH STATEMENT EXECUTE FUNCTION customer_lists_changed_rows()', t || '_lists_inserted', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed '
            'FOR EACH STATEMENT EXECUTE FUNCTION customer_lists_changed_rows()', t || '_lists_deleted', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE%s ON %I '
            'FOR EACH ROW EXECUTE FUNCTION customer_lists_changed_row()', t || '_lists_updated', updated_cols, t);
    END LOOP;
END $$;
