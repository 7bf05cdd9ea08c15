//! Background job runs: a lease per run key, so a daily job runs once whatever the number of
//! instances, and a record of what each run did.

use sqlx::FromRow;
use uuid::Uuid;

use crate::{Result, Tx, on_tx};

/// Takes the run `(job, key)`; false when another instance already took it.
pub async fn start(tx: &mut Tx, job: &str, key: &str, by: Option<Uuid>, now: i64) -> Result<bool> {
    const SQL: &str = "INSERT INTO job_runs (job, run_key, started_at, started_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (job, run_key) DO NOTHING";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(job)
        .bind(key)
        .bind(now)
        .bind(by)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

pub async fn finish(tx: &mut Tx, job: &str, key: &str, result_json: &str, now: i64) -> Result<()> {
    const SQL: &str =
        "UPDATE job_runs SET finished_at = $1, result_json = $2 WHERE job = $3 AND run_key = $4";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(result_json)
        .bind(job)
        .bind(key)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct JobRunRow {
    pub job: String,
    pub run_key: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub result_json: Option<String>,
}

pub async fn get(tx: &mut Tx, job: &str, key: &str) -> Result<Option<JobRunRow>> {
    const SQL: &str = "SELECT job, run_key, started_at, finished_at, result_json FROM job_runs WHERE job = $1 AND run_key = $2";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(job)
        .bind(key)
        .fetch_optional(c)
        .await?))
}

pub async fn recent(tx: &mut Tx, job: &str, limit: i64) -> Result<Vec<JobRunRow>> {
    const SQL: &str = "SELECT job, run_key, started_at, finished_at, result_json FROM job_runs WHERE job = $1 \
         ORDER BY started_at DESC LIMIT $2";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(job)
        .bind(limit)
        .fetch_all(c)
        .await?))
}

/// Records an export of `rows` rows and returns the user's exported rows since `since`.
pub async fn log_export(
    tx: &mut Tx,
    user_id: Uuid,
    entity: &str,
    rows: i64,
    now: i64,
    since: i64,
) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO export_log (id, user_id, entity, at, rows) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(entity)
    .bind(now)
    .bind(rows)
    .execute(c)
    .await?
    .rows_affected());
    const SQL: &str = "SELECT CAST(COALESCE(SUM(rows), 0) AS BIGINT) FROM export_log WHERE user_id = $1 AND at >= $2";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(since)
        .fetch_one(c)
        .await?))
}
