//! Failed sign-in counters, kept in the database so every instance sees the same count.

use uuid::Uuid;

use crate::{Result, Tx, on_tx};

pub async fn record_failure(tx: &mut Tx, key: &str, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO login_failures (id, key, at) VALUES ($1, $2, $3)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(Uuid::now_v7())
        .bind(key)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Failures for `key` since `since`, and the time of the oldest of them (for Retry-After).
pub async fn failures_since(tx: &mut Tx, key: &str, since: i64) -> Result<(i64, Option<i64>)> {
    const SQL: &str = "SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at > $2";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(key)
        .bind(since)
        .fetch_one(c)
        .await?))
}

pub async fn clear(tx: &mut Tx, key: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM login_failures WHERE key = $1"
    )
    .bind(key)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

pub async fn purge_before(tx: &mut Tx, before: i64) -> Result<u64> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "DELETE FROM login_failures WHERE at < $1"
    )
    .bind(before)
    .execute(c)
    .await?
    .rows_affected()))
}
