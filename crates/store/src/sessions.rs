//! Sign-in sessions, stored so any instance can serve any request. Only a hash of the
//! session token is stored; the token itself lives in the user's cookie.

use sqlx::FromRow;
use uuid::Uuid;

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct SessionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub absolute_expires_at: i64,
    pub ip: String,
    pub user_agent: String,
}

pub struct NewSession<'a> {
    pub id: Uuid,
    pub token_hash: &'a str,
    pub user_id: Uuid,
    pub now: i64,
    pub absolute_expires_at: i64,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn insert(tx: &mut Tx, s: &NewSession<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, absolute_expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(s.id)
        .bind(s.token_hash)
        .bind(s.user_id)
        .bind(s.now)
        .bind(s.absolute_expires_at)
        .bind(s.ip)
        .bind(s.user_agent)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// A live session for a token hash: not ended, not past either timeout, its user active.
pub async fn find_live(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
    idle_ms: i64,
) -> Result<Option<SessionRow>> {
    const SQL: &str = "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.absolute_expires_at, s.ip, s.user_agent \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.absolute_expires_at > $2 AND s.last_seen_at > $3 AND u.active";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(token_hash)
        .bind(now)
        .bind(now - idle_ms)
        .fetch_optional(c)
        .await?))
}

pub async fn touch(tx: &mut Tx, id: Uuid, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Ends one session of a user; false when it was not theirs or already ended.
pub async fn end(tx: &mut Tx, user_id: Uuid, id: Uuid, reason: &str, now: i64) -> Result<bool> {
    const SQL: &str = "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND user_id = $4 AND ended_at IS NULL";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(reason)
        .bind(id)
        .bind(user_id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Ends every session of a user (password change, deactivation), optionally keeping one.
pub async fn end_all(
    tx: &mut Tx,
    user_id: Uuid,
    except: Option<Uuid>,
    reason: &str,
    now: i64,
) -> Result<u64> {
    const SQL: &str = "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND ended_at IS NULL AND id <> $4";
    let keep = except.unwrap_or(Uuid::nil());
    Ok(on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(reason)
        .bind(user_id)
        .bind(keep)
        .execute(c)
        .await?
        .rows_affected()))
}

pub async fn list_live(
    tx: &mut Tx,
    user_id: Uuid,
    now: i64,
    idle_ms: i64,
) -> Result<Vec<SessionRow>> {
    const SQL: &str = "SELECT id, user_id, created_at, last_seen_at, absolute_expires_at, ip, user_agent FROM sessions \
         WHERE user_id = $1 AND ended_at IS NULL AND absolute_expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(now)
        .bind(now - idle_ms)
        .fetch_all(c)
        .await?))
}

/// The counter every change to sessions, accounts, roles, grants or the org tree bumps (by
/// triggers; migration 0019): while it stands, what a session's actor was, still is.
pub async fn auth_generation(tx: &mut Tx) -> Result<i64> {
    const SQL: &str = "SELECT value FROM auth_generation WHERE id = 1";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(SQL).fetch_one(c).await?))
}
