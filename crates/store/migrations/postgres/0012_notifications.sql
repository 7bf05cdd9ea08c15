-- Notifications (通知): what the system tells one person — a contact due today, a customer
-- about to go back to the pool, customers forgotten, customers given to them. The message is
-- written by the UI from kind and data, in the reader's language.
CREATE TABLE notifications (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- followup_due | reclaim_warning | forgotten | customers_received
    kind        TEXT NOT NULL,
    -- the record it is about, if one (customer)
    entity_type TEXT,
    entity_id   TEXT,
    -- a JSON object: names, dates, counts the message needs
    data_json   TEXT NOT NULL,
    -- one notification per fact: a daily run repeated, or run by two instances, adds nothing
    dedupe_key  TEXT,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE UNIQUE INDEX uq_notifications_dedupe ON notifications(user_id, dedupe_key);
CREATE INDEX ix_notifications_user ON notifications(user_id, created_at);

-- 遗忘提醒: a customer of this level not followed up for this many days is "forgotten" (its
-- owner is told once a day). '*' covers the levels without a rule of their own.
CREATE TABLE customer_forgotten_rules (
    level_code TEXT PRIMARY KEY,
    days       BIGINT NOT NULL
);
INSERT INTO customer_forgotten_rules (level_code, days) VALUES ('A', 15), ('B', 30), ('C', 60), ('*', 90);
