-- Custom fields (自定义字段) a company adds to its records. A field's code and kind never
-- change (values, filters and saved views refer to them); options are retired, not removed.
CREATE TABLE custom_fields (
    id           BLOB PRIMARY KEY,
    -- which records: customer
    entity       TEXT NOT NULL,
    code         TEXT NOT NULL,
    label        TEXT NOT NULL,
    -- text | number | date | select | multi_select
    kind         TEXT NOT NULL,
    -- select kinds: a JSON array of {"code", "label", "active"}
    options_json TEXT NOT NULL DEFAULT '[]',
    required     BOOLEAN NOT NULL DEFAULT FALSE,
    position     BIGINT NOT NULL,
    -- retired fields keep their values but leave forms, lists and exports
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_custom_fields_code ON custom_fields(entity, code);

-- A customer's custom field values: one row per value (a multi select: one per option), so
-- the list filters on them through indexes on both databases.
CREATE TABLE customer_field_values (
    customer_id BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    field_id    BLOB NOT NULL REFERENCES custom_fields(id),
    -- the text, the date (YYYY-MM-DD), the option code, or the number written out
    value_text  TEXT NOT NULL,
    -- numbers, for range filters
    value_num   REAL,
    PRIMARY KEY (customer_id, field_id, value_text)
);
CREATE INDEX ix_customer_field_values_text ON customer_field_values(field_id, value_text);
CREATE INDEX ix_customer_field_values_num ON customer_field_values(field_id, value_num);
