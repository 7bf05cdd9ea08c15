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

/// Every action the log holds, once each.
pub async fn distinct_actions(tx: &mut Tx) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT action FROM audit_log ORDER BY action"
    )
    .fetch_all(c)
    .await?))
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log"
    )
    .fetch_one(c)
    .await?))
}

/// The kinds of record the audit log names by their name rather than their id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Named {
    Customer,
    User,
    /// A sign-in session: named by whose it is.
    Session,
    OrgUnit,
    Role,
    Position,
    Pool,
    CustomField,
    SavedView,
    Scenario,
    Import,
    ApiToken,
}

impl Named {
    /// The kind an audit row's `entity_type` names, if its records have names.
    pub fn of(entity_type: &str) -> Option<Named> {
        Some(match entity_type {
            "customer" => Named::Customer,
            "user" => Named::User,
            "session" => Named::Session,
            "org_unit" => Named::OrgUnit,
            "role" => Named::Role,
            "position" => Named::Position,
            "pool" => Named::Pool,
            "custom_field" => Named::CustomField,
            "saved_view" => Named::SavedView,
            "territory_scenario" => Named::Scenario,
            "import" => Named::Import,
            "api_token" => Named::ApiToken,
            _ => return None,
        })
    }

    fn select(self) -> &'static str {
        match self {
            Named::Customer => "SELECT id, name FROM customers WHERE id IN ",
            Named::User => "SELECT id, display_name FROM users WHERE id IN ",
            Named::Session => {
                "SELECT s.id, u.display_name FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id IN "
            }
            Named::OrgUnit => "SELECT id, name FROM org_units WHERE id IN ",
            Named::Role => "SELECT id, name FROM roles WHERE id IN ",
            Named::Position => "SELECT id, name FROM positions WHERE id IN ",
            Named::Pool => "SELECT id, name FROM customer_pools WHERE id IN ",
            Named::CustomField => "SELECT id, label FROM custom_fields WHERE id IN ",
            Named::SavedView => "SELECT id, name FROM saved_views WHERE id IN ",
            Named::Scenario => "SELECT id, name FROM territory_scenarios WHERE id IN ",
            Named::Import => "SELECT id, file_name FROM import_jobs WHERE id IN ",
            Named::ApiToken => "SELECT id, name FROM api_tokens WHERE id IN ",
        }
    }
}

/// The names of records of one kind (those that still exist).
pub async fn entity_names(tx: &mut Tx, kind: Named, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(kind.select());
    sql.bind_uuids(ids);
    sql.fetch_all(tx).await
}
