-- What home pages and list filters ask for, fast at a million customers (docs/benchmarks.md).
-- Next contacts due (今日待联系, 逾期): company-wide, per owner, per unit.
CREATE INDEX ix_customers_next ON customers(next_followup_at) WHERE owner_id IS NOT NULL;
CREATE INDEX ix_customers_owner_next ON customers(owner_id, next_followup_at);
CREATE INDEX ix_customers_unit_next ON customers(unit_id, next_followup_at);
-- Forgotten customers (遗忘提醒): per level, since when nobody attended to them.
CREATE INDEX ix_customers_level_idle
    ON customers(level_code, (COALESCE(last_followup_at, owned_since, created_at)))
    WHERE owner_id IS NOT NULL;
-- Search: a contact by the first characters of their name, a mobile or phone by its first
-- digits, compared byte-wise (COLLATE "C") so a prefix is one range whatever the database's
-- collation.
CREATE INDEX ix_customer_contacts_name ON customer_contacts((name COLLATE "C"));
CREATE INDEX ix_customer_contacts_mobile_c ON customer_contacts((mobile COLLATE "C"));
CREATE INDEX ix_customer_contacts_phone ON customer_contacts((phone COLLATE "C"));
-- The names' grams now index the name's key and the short name, which search looks up too:
-- salesdesk_app re-derives them (derived_versions 'customer_name_key').
