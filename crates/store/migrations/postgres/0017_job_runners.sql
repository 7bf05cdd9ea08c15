-- The processes that run background work. A running import names its runner, so once that
-- process is gone (killed, restarted) the import is known to be interrupted at once, and
-- can be run again, instead of showing as running until a timeout.
CREATE TABLE job_runners (
    id           UUID PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);
ALTER TABLE import_jobs ADD COLUMN runner_id UUID;
