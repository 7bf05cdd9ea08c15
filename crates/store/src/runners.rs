//! The processes that run background work (see migration 0017), with a heartbeat each.

use sqlx::FromRow;
use uuid::Uuid;

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow)]
pub struct RunnerRow {
    pub id: Uuid,
    pub host: String,
    pub pid: i64,
    pub started_at: i64,
    pub heartbeat_at: i64,
}

pub async fn register(tx: &mut Tx, id: Uuid, host: &str, pid: i64, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO job_runners (id, host, pid, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $4)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(id)
        .bind(host)
        .bind(pid)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn heartbeat(tx: &mut Tx, id: Uuid, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE job_runners SET heartbeat_at = $1 WHERE id = $2";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<RunnerRow>> {
    const SQL: &str =
        "SELECT id, host, pid, started_at, heartbeat_at FROM job_runners WHERE id = $1";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Forgets runners silent since `before` that no job names any more.
pub async fn purge_silent(tx: &mut Tx, before: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM job_runners WHERE heartbeat_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM import_jobs j WHERE j.runner_id = job_runners.id)";
    Ok(on_tx!(tx, |c| sqlx::query(SQL)
        .bind(before)
        .execute(c)
        .await?
        .rows_affected()))
}
