//! API tokens for integrations: stored hashed, scoped to a subset of the owner's
//! permissions, revocable, optionally expiring.

use sqlx::FromRow;
use uuid::Uuid;

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub token_prefix: String,
    /// Space-separated permission codes.
    pub permissions: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub struct NewApiToken<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub token_prefix: &'a str,
    pub permissions: &'a str,
    pub now: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, t: &NewApiToken<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO api_tokens (id, user_id, name, token_hash, token_prefix, permissions, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(t.id)
        .bind(t.user_id)
        .bind(t.name)
        .bind(t.token_hash)
        .bind(t.token_prefix)
        .bind(t.permissions)
        .bind(t.now)
        .bind(t.expires_at)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// A usable token: not revoked, not expired, its owner active.
pub async fn find_live(tx: &mut Tx, token_hash: &str, now: i64) -> Result<Option<ApiTokenRow>> {
    const SQL: &str = "SELECT t.id, t.user_id, t.name, t.token_prefix, t.permissions, t.created_at, t.expires_at, t.last_used_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active";

    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(c)
        .await?))
}

pub async fn mark_used(tx: &mut Tx, id: Uuid, now: i64) -> Result<()> {
    // At most one write a minute per token: reads must not turn into a write storm.
    const SQL: &str = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(id)
        .bind(now - 60_000)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn list_for_user(tx: &mut Tx, user_id: Uuid) -> Result<Vec<ApiTokenRow>> {
    const SQL: &str = "SELECT t.id, t.user_id, t.name, t.token_prefix, t.permissions, t.created_at, t.expires_at, t.last_used_at, t.revoked_at \
         FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.created_at DESC";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_all(c)
        .await?))
}

/// Revokes one of the user's own tokens; false when there is no such live token.
pub async fn revoke(tx: &mut Tx, user_id: Uuid, id: Uuid, now: i64) -> Result<bool> {
    const SQL: &str = "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
    Ok(on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(id)
        .bind(user_id)
        .execute(c)
        .await?
        .rows_affected())
        == 1)
}

/// Revokes every token of a user (deactivation).
pub async fn revoke_all(tx: &mut Tx, user_id: Uuid, now: i64) -> Result<u64> {
    const SQL: &str =
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL";
    Ok(on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(user_id)
        .execute(c)
        .await?
        .rows_affected()))
}
