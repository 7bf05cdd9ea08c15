//! Versions of derived values (see migration 0016): which rule made what is stored.

use crate::{Result, Tx, on_tx};

/// The version of the rule that derived the stored `name` values (0 when never recorded).
pub async fn version(tx: &mut Tx, name: &str) -> Result<i64> {
    const SQL: &str = "SELECT version FROM derived_versions WHERE name = $1";
    let v: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(name)
        .fetch_optional(c)
        .await?);
    Ok(v.unwrap_or(0))
}

pub async fn set_version(tx: &mut Tx, name: &str, version: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO derived_versions (name, version) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET version = excluded.version";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(name)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}
