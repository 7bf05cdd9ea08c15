//! Imports (导入): the uploaded file and what each validation or import of it found, the
//! header mappings users chose, and the batch look-ups an import makes per chunk of rows.

use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Sql};
use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ImportJobRow {
    pub id: Uuid,
    pub kind: String,
    pub user_id: Uuid,
    pub file_name: String,
    pub file_sha256: String,
    pub file_size: i64,
    pub header_row: i64,
    pub headers_json: String,
    pub total_rows: i64,
    pub status: String,
    pub options_json: Option<String>,
    pub result_json: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub imported_at: Option<i64>,
    /// The process running it (while validating or importing).
    pub runner_id: Option<Uuid>,
}

const JOB: &str = "SELECT id, kind, user_id, file_name, file_sha256, file_size, header_row, headers_json, total_rows, status, \
     options_json, result_json, created_at, updated_at, imported_at, runner_id FROM import_jobs";

pub struct NewImportJob<'a> {
    pub id: Uuid,
    pub kind: &'a str,
    pub user_id: Uuid,
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub file: &'a [u8],
    pub header_row: i64,
    pub headers_json: &'a str,
    pub total_rows: i64,
    pub now: i64,
}

pub async fn insert_job(tx: &mut Tx, j: &NewImportJob<'_>) -> Result<()> {
    const SQL: &str = "INSERT INTO import_jobs (id, kind, user_id, file_name, file_sha256, file_size, file, header_row, \
         headers_json, total_rows, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'uploaded', $11, $11)";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(j.id)
        .bind(j.kind)
        .bind(j.user_id)
        .bind(j.file_name)
        .bind(j.file_sha256)
        .bind(j.file.len() as i64)
        .bind(j.file)
        .bind(j.header_row)
        .bind(j.headers_json)
        .bind(j.total_rows)
        .bind(j.now)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn get_job(tx: &mut Tx, id: Uuid) -> Result<Option<ImportJobRow>> {
    let mut sql = Sql::new(JOB);
    sql.push(" WHERE id = ").bind(Arg::Uuid(id));
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

/// Every job marked validating or importing.
pub async fn running_jobs(tx: &mut Tx) -> Result<Vec<ImportJobRow>> {
    let mut sql = Sql::new(JOB);
    sql.push(" WHERE status IN ('validating', 'importing')");
    sql.fetch_all(tx).await
}

/// Marks a job whose runner is gone as interrupted (if it is still running as read).
pub async fn mark_interrupted(
    tx: &mut Tx,
    id: Uuid,
    read_updated_at: i64,
    now: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE import_jobs SET status = 'interrupted', updated_at = $1, runner_id = NULL \
         WHERE id = $2 AND updated_at = $3 AND status IN ('validating', 'importing')";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(now)
        .bind(id)
        .bind(read_updated_at)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// A user's recent imports, newest first.
pub async fn recent_jobs(tx: &mut Tx, user_id: Uuid, limit: i64) -> Result<Vec<ImportJobRow>> {
    let mut sql = Sql::new(JOB);
    sql.push(" WHERE user_id = ")
        .bind(Arg::Uuid(user_id))
        .push(" ORDER BY created_at DESC")
        .limit(limit);
    sql.fetch_all(tx).await
}

/// The uploaded file, while it is kept (until it is imported).
pub async fn file(tx: &mut Tx, id: Uuid) -> Result<Option<Vec<u8>>> {
    const SQL: &str = "SELECT file FROM import_jobs WHERE id = $1";
    let f: Option<Option<Vec<u8>>> = on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(id)
        .fetch_optional(c)
        .await?);
    Ok(f.flatten())
}

/// Records a validation's or import's outcome; an import also drops the file.
pub async fn set_outcome(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    options_json: &str,
    result_json: &str,
    imported: bool,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE import_jobs SET status = $1, options_json = $2, result_json = $3, updated_at = $4, runner_id = NULL, \
         imported_at = CASE WHEN $5 THEN $4 ELSE imported_at END, file = CASE WHEN $5 THEN NULL ELSE file END WHERE id = $6";
    on_tx!(tx, |c| sqlx::query(SQL)
        .bind(status)
        .bind(options_json)
        .bind(result_json)
        .bind(now)
        .bind(imported)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(())
}

/// Marks the job running with `options_json` on `runner` if it is still as read
/// (`updated_at`); false when another request started it first.
pub async fn start_run(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    options_json: &str,
    runner: Uuid,
    read_updated_at: i64,
    now: i64,
) -> Result<bool> {
    const SQL: &str = "UPDATE import_jobs SET status = $1, options_json = $2, updated_at = $3, runner_id = $4 WHERE id = $5 AND updated_at = $6";
    let n = on_tx!(tx, |c| sqlx::query(SQL)
        .bind(status)
        .bind(options_json)
        .bind(now)
        .bind(runner)
        .bind(id)
        .bind(read_updated_at)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// The earlier import of a file with the same content, if one landed.
pub async fn earlier_import(tx: &mut Tx, sha256: &str, not: Uuid) -> Result<Option<ImportJobRow>> {
    let mut sql = Sql::new(JOB);
    sql.push(" WHERE file_sha256 = ")
        .bind(Arg::Text(sha256.to_owned()))
        .push(" AND status = 'imported' AND id <> ")
        .bind(Arg::Uuid(not))
        .push(" ORDER BY imported_at DESC LIMIT 1");
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

/// Uploads not imported after `before` lose their file (the record stays).
pub async fn drop_stale_files(tx: &mut Tx, before: i64) -> Result<u64> {
    let mut sql =
        Sql::new("UPDATE import_jobs SET file = NULL WHERE file IS NOT NULL AND created_at < ");
    sql.bind(Arg::I64(before));
    sql.execute(tx).await
}

pub async fn mappings(tx: &mut Tx, user_id: Uuid, kind: &str) -> Result<Vec<(String, String)>> {
    const SQL: &str = "SELECT header, field FROM import_mappings WHERE user_id = $1 AND kind = $2";
    Ok(on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(kind)
        .fetch_all(c)
        .await?))
}

pub async fn save_mappings(
    tx: &mut Tx,
    user_id: Uuid,
    kind: &str,
    pairs: &[(String, String)],
    now: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO import_mappings (user_id, kind, header, field, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, kind, header) DO UPDATE SET field = excluded.field, updated_at = excluded.updated_at";
    for (h, f) in pairs {
        on_tx!(tx, |c| sqlx::query(SQL)
            .bind(user_id)
            .bind(kind)
            .bind(h)
            .bind(f)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
    }
    Ok(())
}

// ---- batch look-ups -----------------------------------------------------------------------

/// The keys an import matches rows by, for every customer holding one of the given keys.
#[derive(Debug, Clone, FromRow)]
pub struct CustomerKeys {
    pub id: Uuid,
    pub name_key: String,
    pub credit_code: Option<String>,
    pub external_id: Option<String>,
}

/// A key column an import matches rows by, with its index named for SQLite. Most customers
/// have no credit code or external id, and `ANALYZE` counts their NULLs as one value held
/// by every customer ("1000000 1000000" in `sqlite_stat1`): SQLite then judges that
/// `credit_code IN (…)` matches the whole table and scans it, 500 times over an import of
/// 100,000 rows into a million customers (130 s of a 140 s validation). An equality on the
/// unique index it plans right; a list of them it must be told. PostgreSQL counts NULLs
/// apart (`null_frac`) and needs no hint.
#[derive(Debug, Clone, Copy)]
pub enum KeyColumn {
    CreditCode,
    NameKey,
    ExternalId,
}

impl KeyColumn {
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            KeyColumn::CreditCode => (" INDEXED BY uq_customers_credit_code", " credit_code IN "),
            KeyColumn::NameKey => (" INDEXED BY ix_customers_name_key", " name_key IN "),
            KeyColumn::ExternalId => (" INDEXED BY uq_customers_external_id", " external_id IN "),
        }
    }
}

/// Appends the look-up of the customers holding any of `keys` in `column`.
pub fn push_key_lookup(sql: &mut Sql, column: KeyColumn, keys: &[String]) {
    let (index, cond) = column.sql();
    sql.push("SELECT id, name_key, credit_code, external_id FROM customers")
        .push_dialect(index, "")
        .push(" WHERE")
        .push(cond)
        .bind_texts(keys);
}

/// Customers holding any of the credit codes, name keys or external ids.
pub async fn customers_by_keys(
    tx: &mut Tx,
    credit_codes: &[String],
    name_keys: &[String],
    external_ids: &[String],
) -> Result<Vec<CustomerKeys>> {
    let mut out: Vec<CustomerKeys> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (column, keys) in [
        (KeyColumn::CreditCode, credit_codes),
        (KeyColumn::NameKey, name_keys),
        (KeyColumn::ExternalId, external_ids),
    ] {
        for chunk in keys.chunks(200) {
            let mut sql = Sql::new("");
            push_key_lookup(&mut sql, column, chunk);
            for k in sql.fetch_all::<CustomerKeys>(tx).await? {
                if seen.insert(k.id) {
                    out.push(k);
                }
            }
        }
    }
    Ok(out)
}

/// (mobile, customer id, customer name) of contacts holding any of the mobiles.
pub async fn contacts_by_mobiles(tx: &mut Tx, mobiles: &[String]) -> Result<Vec<(String, Uuid)>> {
    let mut out = Vec::new();
    for chunk in mobiles.chunks(200) {
        let mut sql =
            Sql::new("SELECT mobile, customer_id FROM customer_contacts WHERE mobile IN ");
        sql.bind_texts(chunk);
        let rows: Vec<(String, Uuid)> = sql.fetch_all(tx).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Who can be named as an owner in a file: every active user, with what places them in a
/// data scope.
#[derive(Debug, Clone, FromRow)]
pub struct OwnerCandidate {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub mobile: Option<String>,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub report_path: String,
}

pub async fn owner_candidates(tx: &mut Tx) -> Result<Vec<OwnerCandidate>> {
    let sql = Sql::new(
        "SELECT u.id, u.username, u.display_name, u.mobile, u.unit_id, ou.path AS unit_path, u.report_path \
         FROM users u JOIN org_units ou ON ou.id = u.unit_id WHERE u.active",
    );
    sql.fetch_all(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;

    // Where most customers have no credit code or external id, SQLite's statistics say every
    // customer holds the same one; an import's look-up by a list of them still takes the index.
    #[tokio::test]
    async fn key_lookups_take_their_index_whatever_the_statistics_say() {
        let path = std::env::temp_dir().join(format!("salesdesk-keys-{}.db", Uuid::now_v7()));
        let url = format!("sqlite://{}", path.display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let Db::Sqlite(p) = &db else { unreachable!() };
        sqlx::query("ANALYZE").execute(p).await.unwrap();
        for (idx, stat) in [
            ("uq_customers_credit_code", "1000000 1000000"),
            ("uq_customers_external_id", "1000000 1000000"),
            ("ix_customers_name_key", "1000000 1"),
        ] {
            sqlx::query("DELETE FROM sqlite_stat1 WHERE idx = ?1")
                .bind(idx)
                .execute(p)
                .await
                .unwrap();
            sqlx::query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('customers', ?1, ?2)")
                .bind(idx)
                .bind(stat)
                .execute(p)
                .await
                .unwrap();
        }
        db.close().await;
        // Statistics are read as a connection opens.
        let db = Db::connect(&url).await.unwrap();
        let mut tx = db.begin_read().await.unwrap();
        let keys: Vec<String> = (0..200).map(|i| format!("91310000MA1K{i:06}")).collect();
        for column in [
            KeyColumn::CreditCode,
            KeyColumn::NameKey,
            KeyColumn::ExternalId,
        ] {
            let mut sql = Sql::new("EXPLAIN QUERY PLAN ");
            push_key_lookup(&mut sql, column, &keys);
            let plan: Vec<(i64, i64, i64, String)> = sql.fetch_all(&mut tx).await.unwrap();
            let steps: Vec<&str> = plan.iter().map(|r| r.3.as_str()).collect();
            assert!(
                steps.iter().all(|s| !s.starts_with("SCAN"))
                    && steps.iter().any(|s| s.contains("USING")),
                "{column:?}: {steps:?}"
            );
        }
        drop(tx);
        db.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
