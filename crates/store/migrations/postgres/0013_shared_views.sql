-- 公共视图: a view an administrator shares with everyone who uses its list. It is replayed
-- within each reader's own data scope, so sharing a view shares filters, never records.
ALTER TABLE saved_views ADD COLUMN shared BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX ix_saved_views_shared ON saved_views(kind) WHERE shared;
