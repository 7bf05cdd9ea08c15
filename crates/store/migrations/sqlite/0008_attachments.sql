-- Attachments (附件): photos and files of a customer, most of them taken with a follow-up.
-- The bytes live under the data directory (attachments/<last two hex digits>/<id>); this row
-- says whose they are, what they are called and what was checked about them.
CREATE TABLE customer_attachments (
    id           BLOB PRIMARY KEY,
    customer_id  BLOB NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- the follow-up it was taken with; NULL for a file of the customer's archive
    followup_id  BLOB REFERENCES customer_followups(id) ON DELETE SET NULL,
    uploaded_by  BLOB NOT NULL REFERENCES users(id),
    file_name    TEXT NOT NULL,
    -- what the bytes are (sniffed), which decides how the file is served
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX ix_customer_attachments_customer ON customer_attachments(customer_id, created_at);
CREATE INDEX ix_customer_attachments_followup ON customer_attachments(followup_id);
