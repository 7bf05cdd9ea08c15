-- Imports (导入): a customer's id in the system a file comes from, the uploaded files and
-- what each import found and did, and each user's remembered header mapping.

ALTER TABLE customers ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX uq_customers_external_id ON customers(external_id);

CREATE TABLE import_jobs (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    user_id      UUID NOT NULL REFERENCES users(id),
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    file_size    BIGINT NOT NULL,
    -- the upload itself, dropped once it is imported
    file         BYTEA,
    -- the header row found and the number of data rows below it
    header_row   BIGINT NOT NULL,
    headers_json TEXT NOT NULL,
    total_rows   BIGINT NOT NULL,
    -- uploaded, validated, invalid, imported, failed
    status       TEXT NOT NULL,
    -- the mapping, mode and match key of the last validation or import
    options_json TEXT,
    -- counts and the row errors of the last validation or import
    result_json  TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    imported_at  BIGINT
);
CREATE INDEX ix_import_jobs_user ON import_jobs(user_id, created_at);
CREATE INDEX ix_import_jobs_sha ON import_jobs(file_sha256);

-- Header text (normalised) to field, per user: the next file with that header maps alike.
CREATE TABLE import_mappings (
    user_id    UUID NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    header     TEXT NOT NULL,
    field      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, header)
);

INSERT INTO role_permissions (role_id, permission)
SELECT id, 'customers.import' FROM roles WHERE code IN ('admin', 'director', 'manager', 'support');
