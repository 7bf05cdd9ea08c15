//! The audit log: one append-only row per change, written in the change's own transaction.
//! The tables' triggers refuse UPDATE and DELETE.

use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Page, Sql};
use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: i64,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: String,
    pub ip: String,
}

pub async fn insert(tx: &mut Tx, r: &AuditRow) -> Result<()> {
    const SQL: &str = "INSERT INTO audit_log (id, at, actor_id, actor_name, action, entity_type, entity_id, before_json, after_json, request_id, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(r.id)
        .bind(r.at)
        .bind(r.actor_id)
        .bind(&r.actor_name)
        .bind(&r.action)
        .bind(&r.entity_type)
        .bind(&r.entity_id)
        .bind(&r.before_json)
        .bind(&r.after_json)
        .bind(&r.request_id)
        .bind(&r.ip)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

fn filtered(base: &'static str, f: &AuditFilter) -> Sql {
    let mut sql = Sql::new(base);
    if let Some(a) = f.actor_id {
        sql.push(" AND actor_id = ").bind(Arg::Uuid(a));
    }
    if let Some(a) = &f.action {
        sql.push(" AND action = ").bind(Arg::Text(a.clone()));
    }
    if let Some(e) = &f.entity_type {
        sql.push(" AND entity_type = ").bind(Arg::Text(e.clone()));
    }
    if let Some(e) = &f.entity_id {
        sql.push(" AND entity_id = ").bind(Arg::Text(e.clone()));
    }
    if let Some(t) = f.from {
        sql.push(" AND at >= ").bind(Arg::I64(t));
    }
    if let Some(t) = f.to {
        sql.push(" AND at < ").bind(Arg::I64(t));
    }
    sql
}

/// Newest first.
pub async fn list(tx: &mut Tx, f: &AuditFilter, page: Page) -> Result<(Vec<AuditRow>, i64)> {
    let mut sql = filtered(
        "SELECT id, at, actor_id, actor_name, action, entity_type, entity_id, before_json, after_json, request_id, ip FROM audit_log WHERE 1=1",
        f,
    );
    sql.push(" ORDER BY at DESC, id DESC");
    sql.page(page);
    let rows = sql.fetch_all(tx).await?;
    let total = filtered("SELECT COUNT(*) FROM audit_log WHERE 1=1", f)
        .fetch_count(tx)
        .await?;
    Ok((rows, total))
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log"
    )
    .fetch_one(c)
    .await?))
}
