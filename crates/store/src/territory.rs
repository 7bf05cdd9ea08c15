//! Territory design (区域设计): units, their adjacency, scenarios and their assignments.

use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Sql};
use crate::{Error, Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub x_km: f64,
    pub y_km: f64,
    pub area_km2: Option<f64>,
    pub perimeter_km: Option<f64>,
    pub potential: f64,
    pub workload: f64,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
}

/// A unit to write, with its outline (GeoJSON geometry) when known.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub x_km: f64,
    pub y_km: f64,
    pub area_km2: Option<f64>,
    pub perimeter_km: Option<f64>,
    pub potential: f64,
    pub workload: f64,
    pub shape: Option<String>,
    pub owner_id: Option<Uuid>,
}

/// Units in code order (the order the engine indexes them by).
pub async fn units(tx: &mut Tx) -> Result<Vec<UnitRow>> {
    const SQL: &str = "SELECT t.code, t.name, t.province, t.city, t.district, t.lon, t.lat, t.x_km, t.y_km, t.area_km2, \
         t.perimeter_km, t.potential, t.workload, t.owner_id, u.display_name AS owner_name \
         FROM territory_units t LEFT JOIN users u ON u.id = t.owner_id ORDER BY t.code";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL).fetch_all(x).await?))
}

/// (code, GeoJSON geometry) of the units with an outline.
pub async fn shapes(tx: &mut Tx) -> Result<Vec<(String, String)>> {
    const SQL: &str =
        "SELECT code, shape FROM territory_units WHERE shape IS NOT NULL ORDER BY code";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL).fetch_all(x).await?))
}

/// (a, b, border km or None for a link), a < b.
pub async fn edges(tx: &mut Tx) -> Result<Vec<(String, String, Option<f64>)>> {
    const SQL: &str = "SELECT a, b, border_km FROM territory_edges ORDER BY a, b";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL).fetch_all(x).await?))
}

pub async fn insert_unit(tx: &mut Tx, u: &NewUnit) -> Result<()> {
    const SQL: &str = "INSERT INTO territory_units (code, name, province, city, district, lon, lat, x_km, y_km, area_km2, \
         perimeter_km, potential, workload, shape, owner_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(&u.code)
        .bind(&u.name)
        .bind(&u.province)
        .bind(&u.city)
        .bind(&u.district)
        .bind(u.lon)
        .bind(u.lat)
        .bind(u.x_km)
        .bind(u.y_km)
        .bind(u.area_km2)
        .bind(u.perimeter_km)
        .bind(u.potential)
        .bind(u.workload)
        .bind(&u.shape)
        .bind(u.owner_id)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

/// Updates a unit that exists (its owner only when `u.owner_id` is set) and reports
/// whether one did.
pub async fn update_unit(tx: &mut Tx, u: &NewUnit) -> Result<bool> {
    const SQL: &str = "UPDATE territory_units SET name = $1, province = $2, city = $3, district = $4, lon = $5, lat = $6, \
         x_km = $7, y_km = $8, area_km2 = $9, perimeter_km = $10, potential = $11, workload = $12, \
         shape = COALESCE($13, shape), owner_id = COALESCE($14, owner_id) WHERE code = $15";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(&u.name)
        .bind(&u.province)
        .bind(&u.city)
        .bind(&u.district)
        .bind(u.lon)
        .bind(u.lat)
        .bind(u.x_km)
        .bind(u.y_km)
        .bind(u.area_km2)
        .bind(u.perimeter_km)
        .bind(u.potential)
        .bind(u.workload)
        .bind(&u.shape)
        .bind(u.owner_id)
        .bind(&u.code)
        .execute(x)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Deletes every adjacency row with an end among `codes`.
pub async fn delete_edges_touching(tx: &mut Tx, codes: &[String]) -> Result<()> {
    for chunk in codes.chunks(400) {
        let mut sql = Sql::new("DELETE FROM territory_edges WHERE a IN ");
        sql.bind_texts(chunk).push(" OR b IN ");
        sql.bind_texts(chunk);
        sql.execute(tx).await?;
    }
    Ok(())
}

pub async fn insert_edge(tx: &mut Tx, a: &str, b: &str, border_km: Option<f64>) -> Result<()> {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    const SQL: &str = "INSERT INTO territory_edges (a, b, border_km) VALUES ($1, $2, $3)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(a)
        .bind(b)
        .bind(border_km)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn set_unit_owner(tx: &mut Tx, code: &str, owner: Option<Uuid>) -> Result<()> {
    const SQL: &str = "UPDATE territory_units SET owner_id = $1 WHERE code = $2";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(owner)
        .bind(code)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn set_unit_figures(
    tx: &mut Tx,
    code: &str,
    potential: f64,
    workload: f64,
) -> Result<()> {
    const SQL: &str = "UPDATE territory_units SET potential = $1, workload = $2 WHERE code = $3";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(potential)
        .bind(workload)
        .bind(code)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ScenarioRow {
    pub id: Uuid,
    pub name: String,
    pub k: i64,
    pub balance: String,
    pub seed: i64,
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
    pub applied_by: Option<Uuid>,
    pub applied_at: Option<i64>,
    pub version: i64,
}

const SCENARIO: &str = "SELECT id, name, k, balance, seed, status, created_by, created_at, updated_at, applied_by, applied_at, version \
     FROM territory_scenarios";

pub async fn scenarios(tx: &mut Tx) -> Result<Vec<ScenarioRow>> {
    let sql = format!("{SCENARIO} ORDER BY created_at DESC, id");
    Ok(on_tx!(tx, |x| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(x)
        .await?))
}

pub async fn scenario(tx: &mut Tx, id: Uuid) -> Result<Option<ScenarioRow>> {
    let sql = format!("{SCENARIO} WHERE id = $1");
    Ok(on_tx!(tx, |x| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(x)
        .await?))
}

pub struct NewScenario<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub k: i64,
    pub balance: &'a str,
    pub seed: i64,
    pub created_by: Uuid,
    pub now: i64,
}

pub async fn insert_scenario(tx: &mut Tx, s: &NewScenario<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO territory_scenarios (id, name, k, balance, seed, status, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $7, 1)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(s.id)
        .bind(s.name)
        .bind(s.k)
        .bind(s.balance)
        .bind(s.seed)
        .bind(s.created_by)
        .bind(s.now)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

/// Marks a draft changed (or applied), only if nobody changed it since `version`.
pub async fn touch_scenario(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    applied_by: Option<Uuid>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE territory_scenarios SET updated_at = $1, version = version + 1, \
         status = CASE WHEN $2 THEN 'applied' ELSE status END, \
         applied_by = COALESCE($3, applied_by), applied_at = CASE WHEN $2 THEN $1 ELSE applied_at END \
         WHERE id = $4 AND version = $5 AND status = 'draft'";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(now)
        .bind(applied_by.is_some())
        .bind(applied_by)
        .bind(id)
        .bind(version)
        .execute(x)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

pub async fn delete_scenario(tx: &mut Tx, id: Uuid) -> Result<()> {
    for sql in [
        "DELETE FROM territory_scenario_units WHERE scenario_id = $1",
        "DELETE FROM territory_scenario_territories WHERE scenario_id = $1",
        "DELETE FROM territory_scenarios WHERE id = $1",
    ] {
        on_tx!(tx, |x| sqlx::query(sql)
            .bind(id)
            .execute(x)
            .await?
            .rows_affected());
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct TerritoryRow {
    pub idx: i64,
    pub label: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub compensation: f64,
}

pub async fn territories(tx: &mut Tx, scenario: Uuid) -> Result<Vec<TerritoryRow>> {
    const SQL: &str = "SELECT t.idx, t.label, t.owner_id, u.display_name AS owner_name, t.compensation \
         FROM territory_scenario_territories t LEFT JOIN users u ON u.id = t.owner_id \
         WHERE t.scenario_id = $1 ORDER BY t.idx";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL)
        .bind(scenario)
        .fetch_all(x)
        .await?))
}

pub async fn put_territory(
    tx: &mut Tx,
    scenario: Uuid,
    idx: i64,
    label: &str,
    owner: Option<Uuid>,
    compensation: f64,
) -> Result<()> {
    const DEL: &str =
        "DELETE FROM territory_scenario_territories WHERE scenario_id = $1 AND idx = $2";
    const INS: &str = "INSERT INTO territory_scenario_territories (scenario_id, idx, label, owner_id, compensation) \
         VALUES ($1, $2, $3, $4, $5)";
    on_tx!(tx, |x| sqlx::query(DEL)
        .bind(scenario)
        .bind(idx)
        .execute(x)
        .await?
        .rows_affected());
    on_tx!(tx, |x| sqlx::query(INS)
        .bind(scenario)
        .bind(idx)
        .bind(label)
        .bind(owner)
        .bind(compensation)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

/// (unit code, territory index, locked), in unit code order.
pub async fn assignment(tx: &mut Tx, scenario: Uuid) -> Result<Vec<(String, i64, bool)>> {
    const SQL: &str = "SELECT unit_code, idx, locked FROM territory_scenario_units WHERE scenario_id = $1 ORDER BY unit_code";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL)
        .bind(scenario)
        .fetch_all(x)
        .await?))
}

/// Replaces a scenario's whole assignment.
pub async fn set_assignment(
    tx: &mut Tx,
    scenario: Uuid,
    rows: &[(String, i64, bool)],
) -> Result<()> {
    const DEL: &str = "DELETE FROM territory_scenario_units WHERE scenario_id = $1";
    on_tx!(tx, |x| sqlx::query(DEL)
        .bind(scenario)
        .execute(x)
        .await?
        .rows_affected());
    for chunk in rows.chunks(200) {
        let mut sql = Sql::new(
            "INSERT INTO territory_scenario_units (scenario_id, unit_code, idx, locked) VALUES ",
        );
        for (i, (code, idx, locked)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(Arg::Uuid(scenario)).push(", ");
            sql.bind(Arg::Text(code.clone())).push(", ");
            sql.bind(Arg::I64(*idx)).push(", ");
            sql.bind(Arg::Bool(*locked)).push(")");
        }
        sql.execute(tx).await?;
    }
    Ok(())
}

/// Customers owned by `owner` in a unit (matched by district and city, with or without
/// the 市 suffix, as addresses are written both ways).
pub async fn customers_in_unit(
    tx: &mut Tx,
    unit: &UnitRow,
    owner: Uuid,
) -> Result<Vec<(Uuid, String)>> {
    const SQL: &str = "SELECT id, name FROM customers WHERE owner_id = $1 AND district = $2 AND (city = $3 OR city = $4) \
         ORDER BY name, id";
    let short = unit.city.strip_suffix('市').unwrap_or(&unit.city);
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL)
        .bind(owner)
        .bind(&unit.district)
        .bind(&unit.city)
        .bind(short)
        .fetch_all(x)
        .await?))
}

/// (city, district, level, customers) of customers with a district, owned or pooled.
pub async fn level_counts_by_district(
    tx: &mut Tx,
) -> Result<Vec<(String, String, Option<String>, i64)>> {
    const SQL: &str = "SELECT COALESCE(city, ''), district, level_code, CAST(COUNT(*) AS BIGINT) FROM customers \
         WHERE district IS NOT NULL GROUP BY COALESCE(city, ''), district, level_code";
    Ok(on_tx!(tx, |x| sqlx::query_as(SQL).fetch_all(x).await?))
}
