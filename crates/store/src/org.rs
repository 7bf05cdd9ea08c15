//! Org units (组织架构) and their moves.

use salesdesk_domain::org::OrgPath;
use sqlx::FromRow;
use uuid::Uuid;

use crate::{Error, Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct OrgUnitRow {
    pub id: Uuid,
    pub seq: i64,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub kind: String,
    pub basis: String,
    pub path: String,
    pub sort_order: i64,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

pub struct NewUnit<'a> {
    pub id: Uuid,
    pub seq: i64,
    pub parent_id: Option<Uuid>,
    pub name: &'a str,
    pub kind: &'a str,
    pub basis: &'a str,
    pub path: &'a OrgPath,
    pub sort_order: i64,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, u: &NewUnit<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO org_units (id, seq, parent_id, name, kind, basis, path, sort_order, active, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $9, 1)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(u.id)
        .bind(u.seq)
        .bind(u.parent_id)
        .bind(u.name)
        .bind(u.kind)
        .bind(u.basis)
        .bind(u.path.as_str())
        .bind(u.sort_order)
        .bind(u.now)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<OrgUnitRow>> {
    const SQL: &str = "SELECT id, seq, parent_id, name, kind, basis, path, sort_order, active, created_at, updated_at, version FROM org_units WHERE id = $1";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub async fn root(tx: &mut Tx) -> Result<Option<OrgUnitRow>> {
    const SQL: &str = "SELECT id, seq, parent_id, name, kind, basis, path, sort_order, active, created_at, updated_at, version FROM org_units WHERE parent_id IS NULL";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .fetch_optional(c)
        .await?))
}

/// The whole tree in path order (parents before children).
pub async fn list_all(tx: &mut Tx) -> Result<Vec<OrgUnitRow>> {
    const SQL: &str = "SELECT id, seq, parent_id, name, kind, basis, path, sort_order, active, created_at, updated_at, version FROM org_units ORDER BY path";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL).fetch_all(c).await?))
}

/// A unit's own fields, as changed by an edit.
pub struct UnitChange<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub basis: &'a str,
    pub sort_order: i64,
}

/// Changes a unit's own fields; fails with `Stale` when `version` is not current.
pub async fn update(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    c: &UnitChange<'_>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE org_units SET name = $1, kind = $2, basis = $3, sort_order = $4, updated_at = $5, version = version + 1 \
         WHERE id = $6 AND version = $7";
    let n = on_tx!(tx, |c_| sqlx::query(SQL)
        .bind(c.name)
        .bind(c.kind)
        .bind(c.basis)
        .bind(c.sort_order)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c_)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

/// How many units and users (active or not) live in a subtree: what a move or delete affects.
pub async fn subtree_counts(tx: &mut Tx, path: &OrgPath) -> Result<(i64, i64)> {
    let (lo, hi) = path.subtree_range();
    const UNITS: &str = "SELECT COUNT(*) FROM org_units WHERE path >= $1 AND path < $2";
    const USERS: &str = "SELECT COUNT(*) FROM users WHERE unit_id IN (SELECT id FROM org_units WHERE path >= $1 AND path < $2)";
    let units: i64 = on_tx!(tx, |c| sqlx::query_scalar(UNITS)
        .bind(&lo)
        .bind(&hi)
        .fetch_one(c)
        .await?);
    let users: i64 = on_tx!(tx, |c| sqlx::query_scalar(USERS)
        .bind(&lo)
        .bind(&hi)
        .fetch_one(c)
        .await?);
    Ok((units, users))
}

/// Moves a unit (and its whole subtree) under a new parent and records the move.
pub async fn move_subtree(
    tx: &mut Tx,
    unit: &OrgUnitRow,
    version: i64,
    new_parent: &OrgUnitRow,
    moved_by: Option<Uuid>,
    now: i64,
) -> Result<OrgPath> {
    let old = OrgPath::parse(&unit.path).map_err(|_| Error::NotFound)?;
    let new_prefix = OrgPath::parse(&new_parent.path).map_err(|_| Error::NotFound)?;
    let new = new_prefix.child(unit.seq);
    const BUMP: &str = "UPDATE org_units SET parent_id = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4";
    let n = on_tx!(tx, |c| sqlx::query(BUMP)
        .bind(new_parent.id)
        .bind(now)
        .bind(unit.id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n != 1 {
        return Err(Error::Stale);
    }
    let (lo, hi) = old.subtree_range();
    // `||` and SUBSTR mean the same on both databases; the prefix is replaced in place.
    const REPATH: &str =
        "UPDATE org_units SET path = $1 || SUBSTR(path, $2) WHERE path >= $3 AND path < $4";
    let from = old.as_str().len() as i32 + 1;
    on_tx!(tx, |c| sqlx::query(REPATH)
        .bind(new.as_str())
        .bind(from)
        .bind(&lo)
        .bind(&hi)
        .execute(c)
        .await?
        .rows_affected());
    const LOG: &str = "INSERT INTO org_unit_moves (id, unit_id, old_parent_id, new_parent_id, old_path, new_path, moved_at, moved_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_tx!(tx, |c| sqlx::query(LOG)
        .bind(Uuid::now_v7())
        .bind(unit.id)
        .bind(unit.parent_id)
        .bind(new_parent.id)
        .bind(old.as_str())
        .bind(new.as_str())
        .bind(now)
        .bind(moved_by)
        .execute(c)
        .await?
        .rows_affected());
    Ok(new)
}

/// Deletes an empty leaf unit (no child units, no users ever assigned to it).
pub async fn delete_empty(tx: &mut Tx, id: Uuid, version: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM org_units WHERE id = $1 AND version = $2 \
         AND NOT EXISTS (SELECT 1 FROM org_units c WHERE c.parent_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.unit_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM user_assignments a WHERE a.unit_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM org_unit_moves m WHERE m.unit_id = $1 OR m.new_parent_id = $1 OR m.old_parent_id = $1)";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(Error::Conflict("org_unit.not_empty"))
    }
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct UnitMoveRow {
    pub unit_id: Uuid,
    pub old_parent_id: Option<Uuid>,
    pub new_parent_id: Uuid,
    pub moved_at: i64,
}

pub async fn moves_of(tx: &mut Tx, unit_id: Uuid) -> Result<Vec<UnitMoveRow>> {
    const SQL: &str = "SELECT unit_id, old_parent_id, new_parent_id, moved_at FROM org_unit_moves WHERE unit_id = $1 ORDER BY moved_at";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(unit_id)
        .fetch_all(c)
        .await?))
}

/// Paths must equal the parent's path plus the unit's own number, with exactly one root.
pub async fn invariant_problems(tx: &mut Tx) -> Result<Vec<String>> {
    let units = list_all(tx).await?;
    let by_id: std::collections::HashMap<Uuid, &OrgUnitRow> =
        units.iter().map(|u| (u.id, u)).collect();
    let mut problems = Vec::new();
    let roots = units.iter().filter(|u| u.parent_id.is_none()).count();
    if !units.is_empty() && roots != 1 {
        problems.push(format!("org tree has {roots} roots"));
    }
    for u in &units {
        let expected = match u.parent_id.and_then(|p| by_id.get(&p)) {
            Some(p) => format!("{}{}/", p.path, u.seq),
            None if u.parent_id.is_none() => format!("/{}/", u.seq),
            None => {
                problems.push(format!("unit {} has a missing parent", u.id));
                continue;
            }
        };
        if u.path != expected {
            problems.push(format!(
                "unit {} has path {} but should have {expected}",
                u.id, u.path
            ));
        }
    }
    Ok(problems)
}
