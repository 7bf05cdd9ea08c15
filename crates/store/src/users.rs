//! Users: who they are, where they sit (unit, position, manager), their roles, and the
//! history of where they sat. Password hashes are read only by the sign-in path.

use salesdesk_domain::access::RecordScope;
use salesdesk_domain::org::OrgPath;
use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Page, ScopeColumns, Sql, contains_pattern, push_scope};
use crate::{Error, Result, Tx, on_tx};

/// A user as others see them: never the password hash.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct UserRow {
    pub id: Uuid,
    pub seq: i64,
    pub username: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub display_name: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub unit_path: String,
    pub position_id: Option<Uuid>,
    pub position_name: Option<String>,
    pub manager_id: Option<Uuid>,
    pub manager_name: Option<String>,
    pub report_path: String,
    pub must_change_password: bool,
    pub active: bool,
    pub locale: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const SELECT: &str = "SELECT u.id, u.seq, u.username, u.mobile, u.email, u.display_name, u.unit_id, ou.name AS unit_name, \
     ou.path AS unit_path, u.position_id, p.name AS position_name, u.manager_id, m.display_name AS manager_name, u.report_path, \
     u.must_change_password, u.active, u.locale, u.created_at, u.updated_at, u.version \
     FROM users u JOIN org_units ou ON ou.id = u.unit_id LEFT JOIN positions p ON p.id = u.position_id \
     LEFT JOIN users m ON m.id = u.manager_id WHERE 1=1";

const USER_SCOPE: ScopeColumns = ScopeColumns {
    owner: "u.id",
    unit: "u.unit_id",
};

pub struct NewUser<'a> {
    pub id: Uuid,
    pub seq: i64,
    pub username: &'a str,
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
    pub display_name: &'a str,
    pub unit_id: Uuid,
    pub position_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub report_path: &'a OrgPath,
    pub password_hash: Option<&'a str>,
    pub must_change_password: bool,
    pub locale: &'a str,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO users (id, seq, username, mobile, email, display_name, unit_id, position_id, manager_id, report_path, \
         password_hash, must_change_password, active, locale, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, TRUE, $13, $14, $14, 1)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(u.id)
        .bind(u.seq)
        .bind(u.username)
        .bind(u.mobile)
        .bind(u.email)
        .bind(u.display_name)
        .bind(u.unit_id)
        .bind(u.position_id)
        .bind(u.manager_id)
        .bind(u.report_path.as_str())
        .bind(u.password_hash)
        .bind(u.must_change_password)
        .bind(u.locale)
        .bind(u.now)
        .execute(c)
        .await?
        .rows_affected());
    open_assignment(tx, u.id, u.unit_id, u.position_id, u.manager_id, u.now).await
}

/// One user, if they are within `scope`.
pub async fn get(tx: &mut Tx, scope: &RecordScope, id: Uuid) -> Result<Option<UserRow>> {
    let mut sql = Sql::new(SELECT);
    push_scope(&mut sql, scope, &USER_SCOPE);
    sql.push(" AND u.id = ").bind(Arg::Uuid(id));
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    Name,
    Username,
    CreatedAt,
    Unit,
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Substring of name, username or mobile.
    pub q: Option<String>,
    /// Users in this unit's subtree.
    pub unit_path: Option<OrgPath>,
    pub position_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub active: Option<bool>,
}

fn filtered(base: &'static str, scope: &RecordScope, f: &UserFilter) -> Sql {
    let mut sql = Sql::new(base);
    push_scope(&mut sql, scope, &USER_SCOPE);
    if let Some(q) = &f.q {
        let p = contains_pattern(q);
        sql.push(" AND (LOWER(u.display_name) LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\'");
        sql.push(" OR u.username LIKE ")
            .bind(Arg::Text(p.clone()))
            .push(" ESCAPE '\\'");
        sql.push(" OR u.mobile LIKE ")
            .bind(Arg::Text(p))
            .push(" ESCAPE '\\')");
    }
    if let Some(path) = &f.unit_path {
        let (lo, hi) = path.subtree_range();
        sql.push(" AND ou.path >= ")
            .bind(Arg::Text(lo))
            .push(" AND ou.path < ")
            .bind(Arg::Text(hi));
    }
    if let Some(p) = f.position_id {
        sql.push(" AND u.position_id = ").bind(Arg::Uuid(p));
    }
    if let Some(r) = f.role_id {
        sql.push(" AND u.id IN (SELECT user_id FROM user_roles WHERE role_id = ")
            .bind(Arg::Uuid(r))
            .push(")");
    }
    if let Some(a) = f.active {
        sql.push(" AND u.active = ").bind(Arg::Bool(a));
    }
    sql
}

/// A page of the users within `scope` that match `filter`, and how many match in all.
pub async fn list(
    tx: &mut Tx,
    scope: &RecordScope,
    filter: &UserFilter,
    sort: UserSort,
    desc: bool,
    page: Page,
) -> Result<(Vec<UserRow>, i64)> {
    let mut sql = filtered(SELECT, scope, filter);
    sql.push(match sort {
        UserSort::Name => " ORDER BY u.display_name",
        UserSort::Username => " ORDER BY u.username",
        UserSort::CreatedAt => " ORDER BY u.created_at",
        UserSort::Unit => " ORDER BY ou.path",
    });
    sql.push(if desc { " DESC" } else { " ASC" })
        .push(", u.seq");
    sql.page(page);
    let rows = sql.fetch_all(tx).await?;
    let count = filtered(
        "SELECT COUNT(*) FROM users u JOIN org_units ou ON ou.id = u.unit_id WHERE 1=1",
        scope,
        filter,
    );
    let total = count.fetch_count(tx).await?;
    Ok((rows, total))
}

/// What sign-in needs, looked up by username or mobile.
#[derive(Debug, Clone, FromRow)]
pub struct Credentials {
    pub id: Uuid,
    pub username: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
}

pub async fn credentials_by_login(
    tx: &mut Tx,
    username: Option<&str>,
    mobile: Option<&str>,
) -> Result<Option<Credentials>> {
    const SQL: &str = "SELECT id, username, password_hash, active, must_change_password FROM users WHERE username = $1 OR mobile = $2";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(username)
        .bind(mobile)
        .fetch_optional(c)
        .await?))
}

pub async fn credentials_by_id(tx: &mut Tx, id: Uuid) -> Result<Option<Credentials>> {
    const SQL: &str =
        "SELECT id, username, password_hash, active, must_change_password FROM users WHERE id = $1";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub async fn set_password(
    tx: &mut Tx,
    id: Uuid,
    hash: &str,
    must_change: bool,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3, version = version + 1 WHERE id = $4";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(hash)
        .bind(must_change)
        .bind(now)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::NotFound) }
}

pub async fn set_locale(tx: &mut Tx, id: Uuid, locale: &str, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(locale)
        .bind(now)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

pub struct ProfileUpdate<'a> {
    pub display_name: &'a str,
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
}

pub async fn update_profile(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    p: &ProfileUpdate<'_>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE users SET display_name = $1, mobile = $2, email = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(p.display_name)
        .bind(p.mobile)
        .bind(p.email)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

pub async fn set_active(tx: &mut Tx, id: Uuid, version: i64, active: bool, now: i64) -> Result<()> {
    const SQL: &str = "UPDATE users SET active = $1, deactivated_at = CASE WHEN $1 THEN NULL ELSE $2 END, updated_at = $2, \
         version = version + 1 WHERE id = $3 AND version = $4";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(active)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

/// Moves a user to a new unit, position and/or manager, closes the current assignment period
/// and opens a new one, and re-roots the reporting line below them when the manager changes.
pub async fn reassign(
    tx: &mut Tx,
    user: &UserRow,
    version: i64,
    unit_id: Uuid,
    position_id: Option<Uuid>,
    manager: Option<&UserRow>,
    now: i64,
) -> Result<()> {
    let old_path = OrgPath::parse(&user.report_path).map_err(|_| Error::NotFound)?;
    let new_path = match manager {
        Some(m) => OrgPath::parse(&m.report_path)
            .map_err(|_| Error::NotFound)?
            .child(user.seq),
        None => OrgPath::root(user.seq),
    };
    const SQL: &str = "UPDATE users SET unit_id = $1, position_id = $2, manager_id = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(unit_id)
        .bind(position_id)
        .bind(manager.map(|m| m.id))
        .bind(now)
        .bind(user.id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected());
    if n != 1 {
        return Err(Error::Stale);
    }
    if new_path != old_path {
        let (lo, hi) = old_path.subtree_range();
        const REPATH: &str = "UPDATE users SET report_path = $1 || SUBSTR(report_path, $2) WHERE report_path >= $3 AND report_path < $4";
        let from = old_path.as_str().len() as i32 + 1;
        on_tx!(tx, |c| sqlx::query(REPATH)
            .bind(new_path.as_str())
            .bind(from)
            .bind(&lo)
            .bind(&hi)
            .execute(c)
            .await?
            .rows_affected());
    }
    const CLOSE: &str =
        "UPDATE user_assignments SET valid_to = $1 WHERE user_id = $2 AND valid_to IS NULL";
    on_tx!(tx, |c| sqlx::query(CLOSE)
        .bind(now)
        .bind(user.id)
        .execute(c)
        .await?
        .rows_affected());
    open_assignment(
        tx,
        user.id,
        unit_id,
        position_id,
        manager.map(|m| m.id),
        now,
    )
    .await
}

async fn open_assignment(
    tx: &mut Tx,
    user_id: Uuid,
    unit_id: Uuid,
    position_id: Option<Uuid>,
    manager_id: Option<Uuid>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO user_assignments (id, user_id, unit_id, position_id, manager_id, valid_from, valid_to) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(Uuid::now_v7())
        .bind(user_id)
        .bind(unit_id)
        .bind(position_id)
        .bind(manager_id)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct AssignmentRow {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub position_id: Option<Uuid>,
    pub position_name: Option<String>,
    pub manager_id: Option<Uuid>,
    pub manager_name: Option<String>,
    pub valid_from: i64,
    pub valid_to: Option<i64>,
}

/// Where a user sat and when, oldest first.
pub async fn assignments(tx: &mut Tx, user_id: Uuid) -> Result<Vec<AssignmentRow>> {
    const SQL: &str = "SELECT a.unit_id, ou.name AS unit_name, a.position_id, p.name AS position_name, a.manager_id, \
         m.display_name AS manager_name, a.valid_from, a.valid_to FROM user_assignments a JOIN org_units ou ON ou.id = a.unit_id \
         LEFT JOIN positions p ON p.id = a.position_id LEFT JOIN users m ON m.id = a.manager_id WHERE a.user_id = $1 \
         ORDER BY a.valid_from, a.id";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(user_id)
        .fetch_all(c)
        .await?))
}

/// The unit a user sat in at instant `at` (performance is attributed by the org at the time).
pub async fn unit_at(tx: &mut Tx, user_id: Uuid, at: i64) -> Result<Option<Uuid>> {
    const SQL: &str = "SELECT unit_id FROM user_assignments WHERE user_id = $1 AND valid_from <= $2 \
         AND (valid_to IS NULL OR valid_to > $2) ORDER BY valid_from DESC LIMIT 1";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(at)
        .fetch_optional(c)
        .await?))
}

pub async fn role_ids(tx: &mut Tx, user_id: Uuid) -> Result<Vec<Uuid>> {
    const SQL: &str = "SELECT role_id FROM user_roles WHERE user_id = $1 ORDER BY role_id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user_id)
        .fetch_all(c)
        .await?))
}

pub async fn set_roles(tx: &mut Tx, user_id: Uuid, role_ids: &[Uuid]) -> Result<()> {
    const DEL: &str = "DELETE FROM user_roles WHERE user_id = $1";
    const INS: &str = "INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)";
    on_tx!(tx, |c| sqlx::query(DEL)
        .bind(user_id)
        .execute(c)
        .await?
        .rows_affected());
    for r in role_ids {
        on_tx!(tx, |c| sqlx::query(INS)
            .bind(user_id)
            .bind(*r)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

pub async fn count_all(tx: &mut Tx) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(c)
    .await?))
}

/// Reporting paths must equal the manager's path plus the user's own number, and every
/// user must have exactly one open assignment.
pub async fn invariant_problems(tx: &mut Tx) -> Result<Vec<String>> {
    const PATHS: &str = "SELECT u.id FROM users u LEFT JOIN users m ON m.id = u.manager_id \
         WHERE (u.manager_id IS NULL AND u.report_path <> ('/' || CAST(u.seq AS TEXT) || '/')) \
            OR (u.manager_id IS NOT NULL AND (m.id IS NULL OR u.report_path <> (m.report_path || CAST(u.seq AS TEXT) || '/')))";
    const OPEN: &str = "SELECT u.id FROM users u WHERE (SELECT COUNT(*) FROM user_assignments a WHERE a.user_id = u.id AND a.valid_to IS NULL) <> 1";
    let bad_paths: Vec<Uuid> = on_tx!(tx, |c| sqlx::query_scalar(PATHS).fetch_all(c).await?);
    let bad_open: Vec<Uuid> = on_tx!(tx, |c| sqlx::query_scalar(OPEN).fetch_all(c).await?);
    Ok(bad_paths
        .into_iter()
        .map(|id| format!("user {id} has a reporting path that does not match their manager's"))
        .chain(
            bad_open
                .into_iter()
                .map(|id| format!("user {id} does not have exactly one open assignment")),
        )
        .collect())
}
