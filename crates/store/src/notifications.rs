//! Notifications (通知) of one person, and the reads the daily reminders are made from: contacts
//! due, and owners' forgotten customers under the 遗忘提醒 rules.

use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Page, Sql};
use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct NotificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub data_json: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub struct NewNotification<'a> {
    pub user_id: Uuid,
    pub kind: &'a str,
    pub entity_type: Option<&'a str>,
    pub entity_id: Option<String>,
    pub data_json: String,
    /// One notification per user and key: inserting it again adds nothing.
    pub dedupe_key: Option<String>,
    pub now: i64,
}

/// Adds a notification unless the user already has one with its dedupe key; true if added.
pub async fn insert(tx: &mut Tx, n: &NewNotification<'_>) -> Result<bool> {
    const SQL: &str = "INSERT INTO notifications (id, user_id, kind, entity_type, entity_id, data_json, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(Uuid::now_v7())
        .bind(n.user_id)
        .bind(n.kind)
        .bind(n.entity_type)
        .bind(&n.entity_id)
        .bind(&n.data_json)
        .bind(&n.dedupe_key)
        .bind(n.now)
        .execute(x)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// A page of a user's notifications, newest first, and how many there are.
pub async fn of_user(
    tx: &mut Tx,
    user_id: Uuid,
    unread_only: bool,
    page: Page,
) -> Result<(Vec<NotificationRow>, i64)> {
    let filter = |sql: &mut Sql| {
        sql.bind(Arg::Uuid(user_id));
        if unread_only {
            sql.push(" AND read_at IS NULL");
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM notifications WHERE user_id = ");
    filter(&mut count);
    let total = count.fetch_count(tx).await?;
    let mut sql = Sql::new(
        "SELECT id, user_id, kind, entity_type, entity_id, data_json, created_at, read_at FROM notifications WHERE user_id = ",
    );
    filter(&mut sql);
    sql.push(" ORDER BY created_at DESC, id DESC").page(page);
    Ok((sql.fetch_all(tx).await?, total))
}

pub async fn unread_count(tx: &mut Tx, user_id: Uuid) -> Result<i64> {
    let mut sql =
        Sql::new("SELECT COUNT(*) FROM notifications WHERE read_at IS NULL AND user_id = ");
    sql.bind(Arg::Uuid(user_id));
    sql.fetch_count(tx).await
}

/// Marks one of the user's notifications read (someone else's matches nothing).
pub async fn mark_read(tx: &mut Tx, user_id: Uuid, id: Uuid, now: i64) -> Result<u64> {
    const SQL: &str =
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3";
    Ok(on_tx!(tx, |x| sqlx::query(SQL)
        .bind(now)
        .bind(id)
        .bind(user_id)
        .execute(x)
        .await?
        .rows_affected()))
}

pub async fn mark_all_read(tx: &mut Tx, user_id: Uuid, now: i64) -> Result<u64> {
    const SQL: &str =
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL";
    Ok(on_tx!(tx, |x| sqlx::query(SQL)
        .bind(now)
        .bind(user_id)
        .execute(x)
        .await?
        .rows_affected()))
}

/// Deletes notifications written before `before` (read or not); returns how many.
pub async fn delete_before(tx: &mut Tx, before: i64) -> Result<u64> {
    const SQL: &str = "DELETE FROM notifications WHERE created_at < $1";
    Ok(on_tx!(tx, |x| sqlx::query(SQL)
        .bind(before)
        .execute(x)
        .await?
        .rows_affected()))
}

/// An owned customer whose next contact falls in a window: (customer, owner, name, next at).
pub type DueRow = (Uuid, Uuid, String, i64);

/// Owned customers whose promised next contact falls in `[from, to)`.
pub async fn due_followups(tx: &mut Tx, from: i64, to: i64) -> Result<Vec<DueRow>> {
    let mut sql = Sql::new(
        "SELECT id, owner_id, name, next_followup_at FROM customers WHERE owner_id IS NOT NULL AND next_followup_at >= ",
    );
    sql.bind(Arg::I64(from))
        .push(" AND next_followup_at < ")
        .bind(Arg::I64(to))
        .push(" ORDER BY owner_id, next_followup_at");
    sql.fetch_all(tx).await
}

/// The 遗忘提醒 rules: (level code or `*`, days).
pub async fn forgotten_rules(tx: &mut Tx) -> Result<Vec<(String, i64)>> {
    let sql = Sql::new("SELECT level_code, days FROM customer_forgotten_rules ORDER BY level_code");
    sql.fetch_all(tx).await
}

pub async fn set_forgotten_rules(tx: &mut Tx, rules: &[(String, i64)]) -> Result<()> {
    const INSERT: &str = "INSERT INTO customer_forgotten_rules (level_code, days) VALUES ($1, $2)";
    Sql::new("DELETE FROM customer_forgotten_rules")
        .execute(tx)
        .await?;
    for (level, days) in rules {
        on_tx!(tx, |x| sqlx::query(INSERT)
            .bind(level)
            .bind(days)
            .execute(x)
            .await?
            .rows_affected());
    }
    Ok(())
}

/// A 遗忘提醒 rule as of now: customers of `level` (None: every level without its own rule)
/// not followed up since `before` (or, never followed up, owned since before it).
#[derive(Debug, Clone, PartialEq)]
pub struct ForgottenRule {
    pub level: Option<String>,
    pub before: i64,
}

/// Appends ` AND (...)`: the customer is forgotten under one of the rules, each rule a
/// level (`None`: customers without one) and the instant it was last attended to before.
/// With `by_level_index` false, SQLite is told not to go by the level's index (`+level_code`):
/// the rows come from another walk.
pub(crate) fn push_forgotten(sql: &mut Sql, rules: &[ForgottenRule], by_level_index: bool) {
    if rules.is_empty() {
        sql.push(" AND 1=0");
        return;
    }
    // Only indexable terms in the OR (no `1=0 OR`), so each is a range of the level index.
    sql.push(" AND (");
    for (i, r) in rules.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        match &r.level {
            Some(level) if by_level_index => {
                sql.push("(c.level_code = ").bind(Arg::Text(level.clone()));
            }
            Some(level) => {
                sql.push_dialect("(+c.level_code = ", "(c.level_code = ")
                    .bind(Arg::Text(level.clone()));
            }
            None if by_level_index => {
                sql.push("(c.level_code IS NULL");
            }
            None => {
                sql.push_dialect("(+c.level_code IS NULL", "(c.level_code IS NULL");
            }
        }
        // PostgreSQL's stored copy of the expression: its index-only scans need the column.
        sql.push_dialect(
            " AND COALESCE(c.last_followup_at, c.owned_since, c.created_at) < ",
            " AND c.idle_since < ",
        )
        .bind(Arg::I64(r.before))
        .push(")");
    }
    sql.push(")");
}

/// How many forgotten customers each owner has under the rules.
pub async fn forgotten_counts(tx: &mut Tx, rules: &[ForgottenRule]) -> Result<Vec<(Uuid, i64)>> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT c.owner_id, CAST(COUNT(*) AS BIGINT) FROM customers c WHERE c.owner_id IS NOT NULL",
    );
    push_forgotten(&mut sql, rules, true);
    sql.push(" GROUP BY c.owner_id");
    sql.fetch_all(tx).await
}
