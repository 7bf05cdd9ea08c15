//! Custom fields (自定义字段): the company's field definitions and the customers' values.

use salesdesk_domain::custom_field::{FieldCondition, FieldKind, FieldOp, StoredValue};
use sqlx::FromRow;
use uuid::Uuid;

use crate::sql::{Arg, Sql, contains_pattern};
use crate::{Error, Result, Tx, on_tx};

#[derive(Debug, Clone, FromRow, serde::Serialize, serde::Deserialize)]
pub struct CustomFieldRow {
    pub id: Uuid,
    pub entity: String,
    pub code: String,
    pub label: String,
    pub kind: String,
    pub options_json: String,
    pub required: bool,
    pub position: i64,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const ROW: &str = "SELECT id, entity, code, label, kind, options_json, required, position, active, created_at, \
     updated_at, version FROM custom_fields WHERE ";

/// What a definition holds besides its identity (code, kind and record type never change).
pub struct FieldFields<'a> {
    pub label: &'a str,
    pub options_json: &'a str,
    pub required: bool,
    pub position: i64,
    pub active: bool,
}

/// The fields of one record type, in their order.
pub async fn of_entity(tx: &mut Tx, entity: &str) -> Result<Vec<CustomFieldRow>> {
    let mut sql = Sql::new(ROW);
    sql.push("entity = ")
        .bind(Arg::Text(entity.to_owned()))
        .push(" ORDER BY position, code");
    sql.fetch_all(tx).await
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<CustomFieldRow>> {
    let mut sql = Sql::new(ROW);
    sql.push("id = ").bind(Arg::Uuid(id));
    Ok(sql.fetch_all(tx).await?.into_iter().next())
}

pub async fn insert(
    tx: &mut Tx,
    id: Uuid,
    entity: &str,
    code: &str,
    kind: &str,
    f: &FieldFields<'_>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "INSERT INTO custom_fields (id, entity, code, label, kind, options_json, required, position, active, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)";
    on_tx!(tx, |x| sqlx::query(SQL)
        .bind(id)
        .bind(entity)
        .bind(code)
        .bind(f.label)
        .bind(kind)
        .bind(f.options_json)
        .bind(f.required)
        .bind(f.position)
        .bind(f.active)
        .bind(now)
        .execute(x)
        .await?
        .rows_affected());
    Ok(())
}

/// Replaces a definition's changeable parts if it is still at `version`.
pub async fn update(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    f: &FieldFields<'_>,
    now: i64,
) -> Result<()> {
    const SQL: &str = "UPDATE custom_fields SET label = $1, options_json = $2, required = $3, position = $4, active = $5, \
         updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8";
    let n = on_tx!(tx, |x| sqlx::query(SQL)
        .bind(f.label)
        .bind(f.options_json)
        .bind(f.required)
        .bind(f.position)
        .bind(f.active)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(x)
        .await?
        .rows_affected());
    if n == 1 { Ok(()) } else { Err(Error::Stale) }
}

/// One stored value row: (customer, field, text, number).
pub type ValueRow = (Uuid, Uuid, String, Option<f64>);

/// The custom field values of these customers, in a stable order.
pub async fn values_of(tx: &mut Tx, customer_ids: &[Uuid]) -> Result<Vec<ValueRow>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT customer_id, field_id, value_text, value_num FROM customer_field_values WHERE customer_id IN ",
    );
    sql.bind_uuids(customer_ids)
        .push(" ORDER BY customer_id, field_id, value_text");
    sql.fetch_all(tx).await
}

/// Replaces one customer's value of one field (no rows: no value).
pub async fn set_value(
    tx: &mut Tx,
    customer_id: Uuid,
    field_id: Uuid,
    values: &[StoredValue],
) -> Result<()> {
    const DELETE: &str =
        "DELETE FROM customer_field_values WHERE customer_id = $1 AND field_id = $2";
    const INSERT: &str = "INSERT INTO customer_field_values (customer_id, field_id, value_text, value_num) \
         VALUES ($1, $2, $3, $4)";
    on_tx!(tx, |x| sqlx::query(DELETE)
        .bind(customer_id)
        .bind(field_id)
        .execute(x)
        .await?
        .rows_affected());
    for v in values {
        on_tx!(tx, |x| sqlx::query(INSERT)
            .bind(customer_id)
            .bind(field_id)
            .bind(&v.text)
            .bind(v.num)
            .execute(x)
            .await?
            .rows_affected());
    }
    Ok(())
}

/// Stores many values at once (demo data, imports): (customer, field, value) rows.
pub async fn insert_values_many(tx: &mut Tx, rows: &[(Uuid, Uuid, StoredValue)]) -> Result<()> {
    const HEAD: &str =
        "INSERT INTO customer_field_values (customer_id, field_id, value_text, value_num) VALUES ";
    crate::customers::insert_chunked(tx, HEAD, rows, 4, |sql, (customer, field, v)| {
        crate::customers::tuple(
            sql,
            vec![
                Arg::Uuid(*customer),
                Arg::Uuid(*field),
                Arg::Text(v.text.clone()),
                Arg::OptF64(v.num),
            ],
        )
    })
    .await
}

/// A merge: the duplicate's values of fields the kept record has no value for move over.
pub async fn fill_from(tx: &mut Tx, keep: Uuid, duplicate: Uuid) -> Result<u64> {
    const SQL: &str = "UPDATE customer_field_values SET customer_id = $1 WHERE customer_id = $2 AND field_id NOT IN \
         (SELECT field_id FROM customer_field_values WHERE customer_id = $1)";
    Ok(on_tx!(tx, |x| sqlx::query(SQL)
        .bind(keep)
        .bind(duplicate)
        .execute(x)
        .await?
        .rows_affected()))
}

/// Appends the list filter's custom field conditions (all must hold).
pub(crate) fn push_conditions(sql: &mut Sql, conds: &[FieldCondition], probe: bool) {
    // Collected (`c.id IN`): the field's matches are read first, best when few match. Probed
    // (`EXISTS`): tested row by row as a list walks its own index, best when many match.
    for cond in conds {
        let unset = cond.op == FieldOp::Unset;
        sql.push(match (unset, probe) {
            (true, false) => " AND c.id NOT IN (SELECT customer_id FROM customer_field_values WHERE field_id = ",
            (false, false) => " AND c.id IN (SELECT customer_id FROM customer_field_values WHERE field_id = ",
            (true, true) => " AND NOT EXISTS (SELECT 1 FROM customer_field_values WHERE customer_id = c.id AND field_id = ",
            (false, true) => " AND EXISTS (SELECT 1 FROM customer_field_values WHERE customer_id = c.id AND field_id = ",
        })
        .bind(Arg::Uuid(cond.field_id));
        push_value_test(sql, cond);
        if probe {
            sql.close_probe();
        } else {
            sql.push(")");
        }
    }
}

/// Appends ` AND <the value test>` on a `customer_field_values` row of the condition's field.
pub(crate) fn push_value_test(sql: &mut Sql, cond: &FieldCondition) {
    let first = || cond.texts.first().cloned().unwrap_or_default();
    let number = cond.kind == FieldKind::Number;
    match cond.op {
        FieldOp::Set | FieldOp::Unset => {}
        FieldOp::Eq if number => {
            sql.push(" AND value_num = ").bind(Arg::OptF64(cond.num));
        }
        FieldOp::Gte if number => {
            sql.push(" AND value_num >= ").bind(Arg::OptF64(cond.num));
        }
        FieldOp::Lte if number => {
            sql.push(" AND value_num <= ").bind(Arg::OptF64(cond.num));
        }
        FieldOp::Eq => {
            sql.push(" AND value_text = ").bind(Arg::Text(first()));
        }
        FieldOp::Gte => {
            sql.push(" AND value_text >= ").bind(Arg::Text(first()));
        }
        FieldOp::Lte => {
            sql.push(" AND value_text <= ").bind(Arg::Text(first()));
        }
        FieldOp::In => {
            sql.push(" AND value_text IN ").bind_texts(&cond.texts);
        }
        FieldOp::Like => {
            sql.push(" AND LOWER(value_text) LIKE ")
                .bind(Arg::Text(contains_pattern(&first())))
                .push(" ESCAPE '\\'");
        }
    }
}
