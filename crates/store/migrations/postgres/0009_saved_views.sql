-- Saved views (保存的视图): a user's named filters, sort and columns of a list. Personal: a
-- view is replayed through the list, within its owner's data scope.
CREATE TABLE saved_views (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- which list: customers
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    -- the list's query parameters, a JSON object of strings
    query_json   TEXT NOT NULL,
    -- the columns shown, in order (empty: the list's default)
    columns_json TEXT NOT NULL,
    -- opened with the list; at most one per user and list
    is_default   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_saved_views_name ON saved_views(user_id, kind, name);
