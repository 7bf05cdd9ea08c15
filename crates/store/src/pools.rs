//! Customer pools (公海): where customers without an owner wait to be claimed, per org unit,
//! with the rules for claiming and reclaiming.

use sqlx::FromRow;
use uuid::Uuid;

use crate::customers::{CustomerFilter, CustomerRow, CustomerSort, push_filter, push_sort};
use crate::sql::{Arg, Page, Sql};
use crate::{Error, Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct PoolRow {
    pub id: Uuid,
    pub name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub unit_path: String,
    pub no_followup_days: Option<i64>,
    pub no_deal_days: Option<i64>,
    pub remind_days: Option<i64>,
    pub cooldown_days: i64,
    pub daily_claim_limit: Option<i64>,
    pub hide_contacts: bool,
    pub active: bool,
    /// JSON: the reclaim rules of particular customer levels.
    pub level_rules: String,
    pub customer_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const SELECT: &str = "SELECT p.id, p.name, p.unit_id, u.name AS unit_name, u.path AS unit_path, p.no_followup_days, \
     p.no_deal_days, p.remind_days, p.cooldown_days, p.daily_claim_limit, p.hide_contacts, p.active, p.level_rules, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM customers c WHERE c.pool_id = p.id) AS customer_count, \
     p.created_at, p.updated_at, p.version FROM customer_pools p JOIN org_units u ON u.id = p.unit_id";

#[derive(Debug, Clone, serde::Serialize)]
pub struct PoolFields {
    pub name: String,
    pub unit_id: Uuid,
    pub no_followup_days: Option<i64>,
    pub no_deal_days: Option<i64>,
    pub remind_days: Option<i64>,
    pub cooldown_days: i64,
    pub daily_claim_limit: Option<i64>,
    pub hide_contacts: bool,
    pub active: bool,
    /// JSON: the reclaim rules of particular customer levels.
    pub level_rules: String,
}

pub async fn list(tx: &mut Tx) -> Result<Vec<PoolRow>> {
    let sql = format!("{SELECT} ORDER BY u.path, p.name");
    Ok(on_tx!(tx, |x| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(x)
        .await?))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<PoolRow>> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    Ok(on_tx!(tx, |x| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(x)
        .await?))
}

pub async fn insert(tx: &mut Tx, id: Uuid, f: &PoolFields, now: i64) -> Result<()> {
    const SQL: &str = "INSERT INTO customer_pools (id, name, unit_id, no_followup_days, no_deal_days, remind_days, cooldown_days, \
         daily_claim_limit, hide_contacts, active, level_rules, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(id)
        .bind(&f.name)
        .bind(f.unit_id)
        .bind(f.no_followup_days)
        .bind(f.no_deal_days)
        .bind(f.remind_days)
        .bind(f.cooldown_days)
        .bind(f.daily_claim_limit)
        .bind(f.hide_contacts)
        .bind(f.active)
        .bind(&f.level_rules)
        .bind(now)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn update(tx: &mut Tx, id: Uuid, version: i64, f: &PoolFields, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE customer_pools SET name = $1, unit_id = $2, no_followup_days = $3, no_deal_days = $4, remind_days = $5, \
         cooldown_days = $6, daily_claim_limit = $7, hide_contacts = $8, active = $9, level_rules = $10, updated_at = $11, \
         version = version + 1 WHERE id = $12 AND version = $13";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(&f.name)
        .bind(f.unit_id)
        .bind(f.no_followup_days)
        .bind(f.no_deal_days)
        .bind(f.remind_days)
        .bind(f.cooldown_days)
        .bind(f.daily_claim_limit)
        .bind(f.hide_contacts)
        .bind(f.active)
        .bind(&f.level_rules)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(x)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

const CUSTOMER_SELECT: &str = "SELECT c.id, c.seq, c.name, c.short_name, c.credit_code, c.external_id, c.type_code, c.level_code, c.status_code, \
     c.industry_code, c.source_code, c.province, c.city, c.district, c.address, c.lat, c.lon, c.owner_id, \
     CAST(NULL AS TEXT) AS owner_name, c.unit_id, ou.name AS unit_name, c.pool_id, p.name AS pool_name, c.locked, c.notes, \
     (SELECT k.name FROM customer_contacts k WHERE k.customer_id = c.id AND k.is_primary) AS primary_contact, \
     (SELECT k.mobile FROM customer_contacts k WHERE k.customer_id = c.id AND k.is_primary) AS primary_mobile, \
     c.last_followup_at, c.next_followup_at, c.owned_since, c.created_at, c.updated_at, c.version \
     FROM customers c JOIN org_units ou ON ou.id = c.unit_id JOIN customer_pools p ON p.id = c.pool_id WHERE c.pool_id = ";

/// A page of one pool's customers.
pub async fn customers(
    tx: &mut Tx,
    pool_id: Uuid,
    f: &CustomerFilter,
    sort: CustomerSort,
    desc: bool,
    page: Page,
) -> Result<(Vec<CustomerRow>, i64)> {
    let mut sql = Sql::new(CUSTOMER_SELECT);
    sql.bind(Arg::Uuid(pool_id));
    push_filter(&mut sql, f);
    push_sort(&mut sql, sort, desc);
    sql.page(page);
    let rows = sql.fetch_all(tx).await?;
    let mut count = Sql::new("SELECT COUNT(*) FROM customers c WHERE c.pool_id = ");
    count.bind(Arg::Uuid(pool_id));
    push_filter(&mut count, f);
    Ok((rows, count.fetch_count(tx).await?))
}

/// A customer a pool's rules would take back (回收), and why.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ReclaimRow {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub level_code: Option<String>,
    pub status_code: Option<String>,
    pub last_followup_at: Option<i64>,
    pub owned_since: Option<i64>,
    /// When the owner last touched it: the last follow-up, else since they own it.
    pub idle_since: i64,
}

/// The rule cut-offs for one pool: customers idle since before `no_followup_before`, or not
/// won and owned since before `no_deal_before`, are due.
pub struct ReclaimRule<'a> {
    pub unit_range: (String, String),
    /// Units covered by deeper pools, whose own rules apply there.
    pub excluded_ranges: &'a [(String, String)],
    pub no_followup_before: Option<i64>,
    pub no_deal_before: Option<i64>,
    pub owner_id: Option<Uuid>,
    pub levels: LevelScope,
}

/// Which customer levels a rule covers: a level with rules of its own, or every other level
/// (customers without a level included).
#[derive(Debug, Clone)]
pub enum LevelScope {
    Only(String),
    Except(Vec<String>),
}

/// The owned, unlocked customers of a pool's units that its rules make due, oldest first.
pub async fn reclaim_candidates(
    tx: &mut Tx,
    r: &ReclaimRule<'_>,
    limit: i64,
) -> Result<Vec<ReclaimRow>> {
    if r.no_followup_before.is_none() && r.no_deal_before.is_none() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT c.id, c.name, c.owner_id, o.display_name AS owner_name, c.level_code, c.status_code, c.last_followup_at, \
         c.owned_since, COALESCE(c.last_followup_at, c.owned_since, c.created_at) AS idle_since \
         FROM customers c JOIN users o ON o.id = c.owner_id WHERE NOT c.locked \
         AND c.unit_id IN (SELECT id FROM org_units WHERE path >= ",
    );
    sql.bind(Arg::Text(r.unit_range.0.clone()))
        .push(" AND path < ")
        .bind(Arg::Text(r.unit_range.1.clone()))
        .push(")");
    for (lo, hi) in r.excluded_ranges {
        sql.push(" AND c.unit_id NOT IN (SELECT id FROM org_units WHERE path >= ")
            .bind(Arg::Text(lo.clone()))
            .push(" AND path < ")
            .bind(Arg::Text(hi.clone()))
            .push(")");
    }
    if let Some(o) = r.owner_id {
        sql.push(" AND c.owner_id = ").bind(Arg::Uuid(o));
    }
    match &r.levels {
        LevelScope::Only(code) => {
            sql.push(" AND c.level_code = ")
                .bind(Arg::Text(code.clone()));
        }
        LevelScope::Except(codes) if !codes.is_empty() => {
            sql.push(" AND (c.level_code IS NULL OR c.level_code NOT IN ")
                .bind_texts(codes)
                .push(")");
        }
        LevelScope::Except(_) => {}
    }
    sql.push(" AND (1=0");
    if let Some(t) = r.no_followup_before {
        sql.push(" OR COALESCE(c.last_followup_at, c.owned_since, c.created_at) < ")
            .bind(Arg::I64(t));
    }
    if let Some(t) = r.no_deal_before {
        sql.push(" OR ((c.status_code IS NULL OR c.status_code <> 'won') AND COALESCE(c.owned_since, c.created_at) < ")
            .bind(Arg::I64(t))
            .push(")");
    }
    sql.push(") ORDER BY COALESCE(c.last_followup_at, c.owned_since, c.created_at), c.seq")
        .limit(limit);
    sql.fetch_all(tx).await
}
