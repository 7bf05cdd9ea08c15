-- Exports: who took how many rows out, when. A day's volume above the limit is reported to
-- administrators (the export itself is in the audit log too).
CREATE TABLE export_log (
    id      BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    entity  TEXT NOT NULL,
    at      BIGINT NOT NULL,
    rows    BIGINT NOT NULL
);
CREATE INDEX ix_export_log_user ON export_log(user_id, at);

INSERT INTO role_permissions (role_id, permission)
SELECT id, 'customers.export' FROM roles WHERE code IN ('admin', 'director', 'manager', 'ops');
