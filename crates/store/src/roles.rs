//! Roles (what they grant) and positions (岗位, each with a default role).

use sqlx::FromRow;
use uuid::Uuid;

use crate::{Error, Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct RoleRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub builtin: bool,
    pub locked: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// A role with what it grants, as stored (codes are parsed by the app layer).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RoleWithGrants {
    pub role: RoleRow,
    pub permissions: Vec<String>,
    pub scopes: Vec<(String, String)>,
    pub user_count: i64,
}

pub struct NewRole<'a> {
    pub id: Uuid,
    pub code: &'a str,
    pub name: &'a str,
    pub name_en: &'a str,
    pub description: &'a str,
    pub builtin: bool,
    pub locked: bool,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, r: &NewRole<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO roles (id, code, name, name_en, description, builtin, locked, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(r.id)
        .bind(r.code)
        .bind(r.name)
        .bind(r.name_en)
        .bind(r.description)
        .bind(r.builtin)
        .bind(r.locked)
        .bind(r.now)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Replaces what a role grants.
pub async fn set_grants(
    tx: &mut Tx,
    role_id: Uuid,
    permissions: &[&str],
    scopes: &[(&str, &str)],
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM role_permissions WHERE role_id = $1"
    )
    .bind(role_id)
    .execute(c)
    .await?
    .rows_affected());
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM role_scopes WHERE role_id = $1"
    )
    .bind(role_id)
    .execute(c)
    .await?
    .rows_affected());
    for p in permissions {
        const SQL: &str = "INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)";
        on_tx!(tx, |c| sqlx::query(SQL)
            .bind(role_id)
            .bind(*p)
            .execute(c)
            .await?
            .rows_affected());
    }
    for (m, s) in scopes {
        const SQL: &str = "INSERT INTO role_scopes (role_id, module, scope) VALUES ($1, $2, $3)";
        on_tx!(tx, |c| sqlx::query(SQL)
            .bind(role_id)
            .bind(*m)
            .bind(*s)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

pub async fn update(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    name: &str,
    name_en: &str,
    description: &str,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE roles SET name = $1, name_en = $2, description = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(name)
        .bind(name_en)
        .bind(description)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

/// Deletes a role no user holds and no position defaults to.
pub async fn delete_unused(tx: &mut Tx, id: Uuid, version: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM roles WHERE id = $1 AND version = $2 AND NOT builtin \
         AND NOT EXISTS (SELECT 1 FROM user_roles WHERE role_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM positions WHERE default_role_id = $1)";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 {
        Ok(())
    } else {
        Err(Error::Conflict("role.in_use"))
    }
}

const ROLE_COLUMNS_BY_ID: &str = "SELECT id, code, name, name_en, description, builtin, locked, created_at, updated_at, version FROM roles WHERE id = $1";

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<RoleWithGrants>> {
    let role: Option<RoleRow> = on_tx!(tx, |c| sqlx::query_as(ROLE_COLUMNS_BY_ID)
        .bind(id)
        .fetch_optional(c)
        .await?);
    match role {
        None => Ok(None),
        Some(role) => Ok(Some(with_grants(tx, role).await?)),
    }
}

pub async fn get_by_code(tx: &mut Tx, code: &str) -> Result<Option<RoleRow>> {
    const SQL: &str = "SELECT id, code, name, name_en, description, builtin, locked, created_at, updated_at, version FROM roles WHERE code = $1";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(code)
        .fetch_optional(c)
        .await?))
}

pub async fn list(tx: &mut Tx) -> Result<Vec<RoleWithGrants>> {
    const SQL: &str = "SELECT id, code, name, name_en, description, builtin, locked, created_at, updated_at, version FROM roles \
         ORDER BY builtin DESC, created_at, code";
    let roles: Vec<RoleRow> = on_tx!(tx, |c| sqlx::query_as(SQL).fetch_all(c).await?);
    let mut out = Vec::with_capacity(roles.len());
    for r in roles {
        out.push(with_grants(tx, r).await?);
    }
    Ok(out)
}

async fn with_grants(tx: &mut Tx, role: RoleRow) -> Result<RoleWithGrants> {
    const PERMS: &str =
        "SELECT permission FROM role_permissions WHERE role_id = $1 ORDER BY permission";
    const SCOPES: &str = "SELECT module, scope FROM role_scopes WHERE role_id = $1 ORDER BY module";
    const USERS: &str = "SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.role_id = $1 AND u.active";
    let permissions: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(PERMS)
        .bind(role.id)
        .fetch_all(c)
        .await?);
    let scopes: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(SCOPES)
        .bind(role.id)
        .fetch_all(c)
        .await?);
    let user_count: i64 = on_tx!(tx, |c| sqlx::query_scalar(USERS)
        .bind(role.id)
        .fetch_one(c)
        .await?);
    Ok(RoleWithGrants {
        role,
        permissions,
        scopes,
        user_count,
    })
}

/// Every (permission) and every (module, scope) granted to a user through any of their roles.
pub async fn grants_of_user(
    tx: &mut Tx,
    user_id: Uuid,
) -> Result<(Vec<String>, Vec<(String, String)>)> {
    const PERMS: &str = "SELECT DISTINCT rp.permission FROM user_roles ur JOIN role_permissions rp ON rp.role_id = ur.role_id \
         WHERE ur.user_id = $1";
    const SCOPES: &str = "SELECT rs.module, rs.scope FROM user_roles ur JOIN role_scopes rs ON rs.role_id = ur.role_id WHERE ur.user_id = $1";
    let perms: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(PERMS)
        .bind(user_id)
        .fetch_all(c)
        .await?);
    let scopes: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(SCOPES)
        .bind(user_id)
        .fetch_all(c)
        .await?);
    Ok((perms, scopes))
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct PositionRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub default_role_id: Option<Uuid>,
    pub sort_order: i64,
    pub active: bool,
    pub version: i64,
}

pub struct NewPosition<'a> {
    pub id: Uuid,
    pub code: &'a str,
    pub name: &'a str,
    pub name_en: &'a str,
    pub default_role_id: Option<Uuid>,
    pub sort_order: i64,
    pub now: i64,
}

pub async fn insert_position(tx: &mut Tx, p: &NewPosition<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO positions (id, code, name, name_en, default_role_id, sort_order, active, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7, 1)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(p.id)
        .bind(p.code)
        .bind(p.name)
        .bind(p.name_en)
        .bind(p.default_role_id)
        .bind(p.sort_order)
        .bind(p.now)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// A position's editable fields.
pub struct PositionChange<'a> {
    pub name: &'a str,
    pub name_en: &'a str,
    pub default_role_id: Option<Uuid>,
    pub active: bool,
}

pub async fn update_position(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    p: &PositionChange<'_>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE positions SET name = $1, name_en = $2, default_role_id = $3, active = $4, updated_at = $5, \
         version = version + 1 WHERE id = $6 AND version = $7";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(p.name)
        .bind(p.name_en)
        .bind(p.default_role_id)
        .bind(p.active)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

pub async fn list_positions(tx: &mut Tx) -> Result<Vec<PositionRow>> {
    const SQL: &str = "SELECT id, code, name, name_en, default_role_id, sort_order, active, version FROM positions ORDER BY sort_order, code";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL).fetch_all(c).await?))
}

pub async fn get_position(tx: &mut Tx, id: Uuid) -> Result<Option<PositionRow>> {
    const SQL: &str = "SELECT id, code, name, name_en, default_role_id, sort_order, active, version FROM positions WHERE id = $1";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?))
}
