//! Saved views (保存的视图): each user's named filters, sort and columns per list.

use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Sql};
use crate::{Error, Result, Tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct SavedViewRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub name: String,
    pub query_json: String,
    pub columns_json: String,
    pub is_default: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const ROW: &str = "SELECT id, user_id, kind, name, query_json, columns_json, is_default, created_at, updated_at, version \
     FROM saved_views WHERE ";

/// What a view holds besides its owner and list.
pub struct ViewFields<'a> {
    pub name: &'a str,
    pub query_json: &'a str,
    pub columns_json: &'a str,
    pub is_default: bool,
}

/// A user's views of one list, by name.
pub async fn of_user(tx: &mut Tx, user_id: Uuid, kind: &str) -> Result<Vec<SavedViewRow>> {
    let mut sql = Sql::new(ROW);
    sql.push("user_id = ")
        .bind(Arg::Uuid(user_id))
        .push(" AND kind = ")
        .bind(Arg::Text(kind.to_owned()))
        .push(" ORDER BY name");
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
    let mut sql = Sql::new(
        "INSERT INTO saved_views (id, user_id, kind, name, query_json, columns_json, is_default, created_at, updated_at) VALUES (",
    );
    sql.bind(Arg::Uuid(id))
        .push(", ")
        .bind(Arg::Uuid(user_id))
        .push(", ")
        .bind(Arg::Text(kind.to_owned()))
        .push(", ")
        .bind(Arg::Text(f.name.to_owned()))
        .push(", ")
        .bind(Arg::Text(f.query_json.to_owned()))
        .push(", ")
        .bind(Arg::Text(f.columns_json.to_owned()))
        .push(", ")
        .bind(Arg::Bool(f.is_default))
        .push(", ")
        .bind(Arg::I64(now))
        .push(", ")
        .bind(Arg::I64(now))
        .push(")");
    sql.execute(tx).await?;
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
    let mut sql = Sql::new("UPDATE saved_views SET name = ");
    sql.bind(Arg::Text(f.name.to_owned()))
        .push(", query_json = ")
        .bind(Arg::Text(f.query_json.to_owned()))
        .push(", columns_json = ")
        .bind(Arg::Text(f.columns_json.to_owned()))
        .push(", is_default = ")
        .bind(Arg::Bool(f.is_default))
        .push(", updated_at = ")
        .bind(Arg::I64(now))
        .push(", version = version + 1 WHERE id = ")
        .bind(Arg::Uuid(id))
        .push(" AND version = ")
        .bind(Arg::I64(version));
    if sql.execute(tx).await? != 1 {
        return Err(Error::Stale);
    }
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<u64> {
    let mut sql = Sql::new("DELETE FROM saved_views WHERE id = ");
    sql.bind(Arg::Uuid(id));
    sql.execute(tx).await
}
