-- Background jobs: one row per run. A daily run's key is its date, so of several instances
-- only the first to insert the row runs it; on-demand runs get a unique key.
CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    run_key     TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    started_by  BLOB REFERENCES users(id),
    result_json TEXT,
    PRIMARY KEY (job, run_key)
);
CREATE INDEX ix_job_runs_started ON job_runs(job, started_at);
