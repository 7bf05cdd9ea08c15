-- A customer's page shows its lists (tags, contacts, collaborators, ownership history, custom
-- field values) beside the record. A server keeps the lists it last read in memory and
-- serves them again while the customer's list revision, which every change of a list bumps
-- in the same transaction, stands (app's `customers::PageCache`): the record read then reads
-- the row and the revision and no lists. The names the lists show (people, field
-- definitions) bump the auth generation (0019, 0028) instead.
--
-- A table of its own rather than a column of customers, as on PostgreSQL (where updating the
-- wide customer row costs an entry in each of its indexes). A customer whose lists never
-- changed after it was created has no row: revision 0. A customer being deleted (its lists
-- go with it) is left alone.
CREATE TABLE customer_list_revisions (
    customer_id BLOB PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    revision    BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER tr_customer_tags_lists_insert AFTER INSERT ON customer_tags BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_tags_lists_delete AFTER DELETE ON customer_tags BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_tags_lists_update AFTER UPDATE ON customer_tags BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER tr_customer_contacts_lists_insert AFTER INSERT ON customer_contacts BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_contacts_lists_delete AFTER DELETE ON customer_contacts BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_contacts_lists_update AFTER UPDATE ON customer_contacts BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER tr_customer_collaborators_lists_insert AFTER INSERT ON customer_collaborators BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_collaborators_lists_delete AFTER DELETE ON customer_collaborators BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_collaborators_lists_update AFTER UPDATE ON customer_collaborators BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER tr_customer_owner_history_lists_insert AFTER INSERT ON customer_owner_history BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_owner_history_lists_delete AFTER DELETE ON customer_owner_history BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_owner_history_lists_update AFTER UPDATE ON customer_owner_history BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER tr_customer_field_values_lists_insert AFTER INSERT ON customer_field_values BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER tr_customer_field_values_lists_delete AFTER DELETE ON customer_field_values BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
-- Not the copies of the customer's scope and order a value carries (0027): the page does not
-- show them, and they follow every follow-up.
CREATE TRIGGER tr_customer_field_values_lists_update AFTER UPDATE OF customer_id, field_id, value_text, value_num ON customer_field_values BEGIN
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = OLD.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
    INSERT INTO customer_list_revisions (customer_id, revision)
    SELECT c.id, 1 FROM customers c WHERE c.id = NEW.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET revision = revision + 1;
END;
