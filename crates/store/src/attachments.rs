//! Attachments (附件) of customers and their follow-ups: the rows that say whose a stored file
//! is. The bytes themselves are the app's business (under the data directory).

use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Sql};
use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub followup_id: Option<Uuid>,
    pub uploaded_by: Uuid,
    pub uploader_name: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: i64,
}

const ROW: &str = "SELECT a.id, a.customer_id, a.followup_id, a.uploaded_by, u.display_name AS uploader_name, \
     a.file_name, a.content_type, a.size_bytes, a.sha256, a.created_at \
     FROM customer_attachments a JOIN users u ON u.id = a.uploaded_by WHERE ";

pub struct NewAttachment<'a> {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub uploaded_by: Uuid,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, a: &NewAttachment<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO customer_attachments (id, customer_id, uploaded_by, file_name, content_type, size_bytes, \
         sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(a.id)
        .bind(a.customer_id)
        .bind(a.uploaded_by)
        .bind(a.file_name)
        .bind(a.content_type)
        .bind(a.size_bytes)
        .bind(a.sha256)
        .bind(a.now)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<AttachmentRow>> {
    let mut sql = Sql::new(ROW);
    sql.push("a.id = ").bind(Arg::Uuid(id));
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

/// A customer's attachments, newest first (those of its follow-ups included).
pub async fn of_customer(tx: &mut Tx, customer_id: Uuid) -> Result<Vec<AttachmentRow>> {
    let mut sql = Sql::new(ROW);
    sql.push("a.customer_id = ")
        .bind(Arg::Uuid(customer_id))
        .push(" ORDER BY a.created_at DESC, a.id DESC LIMIT 1000");
    sql.fetch_all(tx).await
}

/// The attachments of some follow-ups, oldest first (the order they were added).
pub async fn of_followups(tx: &mut Tx, followup_ids: &[Uuid]) -> Result<Vec<AttachmentRow>> {
    if followup_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(ROW);
    sql.push("a.followup_id IN ")
        .bind_uuids(followup_ids)
        .push(" ORDER BY a.created_at, a.id");
    sql.fetch_all(tx).await
}

/// How many files and bytes a customer holds (limits).
pub async fn totals_of_customer(tx: &mut Tx, customer_id: Uuid) -> Result<(i64, i64)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM customer_attachments WHERE customer_id = ");
    count.bind(Arg::Uuid(customer_id));
    let n = count.fetch_count(tx).await?;
    let mut bytes = Sql::new(
        "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM customer_attachments WHERE customer_id = ",
    );
    bytes.bind(Arg::Uuid(customer_id));
    Ok((n, bytes.fetch_count(tx).await?))
}

/// Ties files a user uploaded to a customer to the follow-up they belong to. Only files of that
/// customer, by that user and not yet with a follow-up move; the count says how many did.
pub async fn link_to_followup(
    tx: &mut Tx,
    ids: &[Uuid],
    customer_id: Uuid,
    uploaded_by: Uuid,
    followup_id: Uuid,
) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new("UPDATE customer_attachments SET followup_id = ");
    sql.bind(Arg::Uuid(followup_id))
        .push(" WHERE customer_id = ")
        .bind(Arg::Uuid(customer_id))
        .push(" AND uploaded_by = ")
        .bind(Arg::Uuid(uploaded_by))
        .push(" AND followup_id IS NULL AND id IN ")
        .bind_uuids(ids);
    sql.execute(tx).await
}

/// Every attachment's id (for `salesdesk check`).
pub async fn all_ids(tx: &mut Tx) -> Result<Vec<Uuid>> {
    const SQL: &str = "SELECT id FROM customer_attachments";
    Ok(on_tx!(tx, |x| sqlx::query_scalar(SQL).fetch_all(x).await?))
}

pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<u64> {
    let mut sql = Sql::new("DELETE FROM customer_attachments WHERE id = ");
    sql.bind(Arg::Uuid(id));
    sql.execute(tx).await
}
