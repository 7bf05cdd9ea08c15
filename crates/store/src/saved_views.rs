//! Saved views (保存的视图): each user's named filters, sort and columns per list.

use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Sql};
use crate::{Error, Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct SavedViewRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub name: String,
    pub query_json: String,
    pub columns_json: String,
    pub is_default: bool,
    /// 公共视图: listed to everyone who uses the list.
    pub shared: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const ROW: &str = "SELECT id, user_id, kind, name, query_json, columns_json, is_default, shared, created_at, updated_at, \
     version FROM saved_views WHERE ";

/// What a view holds besides its owner and list.
pub struct ViewFields<'a> {
    pub name: &'a str,
    pub query_json: &'a str,
    pub columns_json: &'a str,
    pub is_default: bool,
    pub shared: bool,
}

/// A user's views of one list and the shared ones, their own first, by name.
pub async fn of_user(tx: &mut Tx, user_id: Uuid, kind: &str) -> Result<Vec<SavedViewRow>> {
    let mut sql = Sql::new(ROW);
    sql.push("(user_id = ")
        .bind(Arg::Uuid(user_id))
        .push(" OR shared) AND kind = ")
        .bind(Arg::Text(kind.to_owned()))
        .push(" ORDER BY shared, name");
    sql.fetch_all(tx).await
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<SavedViewRow>> {
    let mut sql = Sql::new(ROW);
    sql.push("id = ").bind(Arg::Uuid(id));
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

pub async fn count(tx: &mut Tx, user_id: Uuid, kind: &str) -> Result<i64> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM saved_views WHERE user_id = ");
    sql.bind(Arg::Uuid(user_id))
        .push(" AND kind = ")
        .bind(Arg::Text(kind.to_owned()));
    sql.fetch_count(tx).await
}

/// Makes no view of this user's list the default (before another becomes it).
pub async fn clear_default(tx: &mut Tx, user_id: Uuid, kind: &str) -> Result<()> {
    let mut sql =
        Sql::new("UPDATE saved_views SET is_default = FALSE WHERE is_default AND user_id = ");
    sql.bind(Arg::Uuid(user_id))
        .push(" AND kind = ")
        .bind(Arg::Text(kind.to_owned()));
    sql.execute(tx).await?;
    Ok(())
}

pub async fn insert(
    tx: &mut Tx,
    id: Uuid,
    user_id: Uuid,
    kind: &str,
    f: &ViewFields<'_>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO saved_views (id, user_id, kind, name, query_json, columns_json, is_default, shared, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(id)
        .bind(user_id)
        .bind(kind)
        .bind(f.name)
        .bind(f.query_json)
        .bind(f.columns_json)
        .bind(f.is_default)
        .bind(f.shared)
        .bind(now)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

/// Replaces a view's fields if it is still at `version`.
pub async fn update(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    f: &ViewFields<'_>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE saved_views SET name = $1, query_json = $2, columns_json = $3, is_default = $4, \
         shared = $8, updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(f.name)
        .bind(f.query_json)
        .bind(f.columns_json)
        .bind(f.is_default)
        .bind(now)
        .bind(id)
        .bind(version)
        .bind(f.shared)
        .execute(x)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<u64> {
    let mut sql = Sql::new("DELETE FROM saved_views WHERE id = ");
    sql.bind(Arg::Uuid(id));
    sql.execute(tx).await
}
