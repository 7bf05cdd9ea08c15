//! Custom fields (自定义字段): administrators (customers.settings) define fields the customer
//! archive lacks, such as 年采购额 or 决策周期; people fill them in on customers, filter the
//! list on them and find them in exports. Everyone who works with customers reads the
//! definitions (forms and columns need them).

use std::collections::{BTreeMap, HashMap};

use salesdesk_domain::Invalid;
use salesdesk_domain::access::Permission;
use salesdesk_domain::custom_field::{
    FieldDef, FieldInput, FieldKind, FieldOption, FieldSpec, MAX_FIELDS, StoredValue, check_change,
    check_field, parse_value,
};
use salesdesk_domain::validation::Checker;
use salesdesk_store::Tx;
use salesdesk_store::custom_fields::{self as store, CustomFieldRow, FieldFields, ValueRow};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms};

/// The record type custom fields exist for so far.
pub const CUSTOMER: &str = "customer";

/// A field as forms and lists need it.
#[derive(Debug, Clone, Serialize)]
pub struct CustomField {
    pub id: Uuid,
    pub entity: String,
    pub code: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<FieldOption>,
    pub required: bool,
    pub position: i64,
    pub active: bool,
    pub updated_at: i64,
    pub version: i64,
}

fn field_of(r: CustomFieldRow) -> AppResult<CustomField> {
    Ok(CustomField {
        kind: FieldKind::parse(&r.kind).map_err(|e| AppError::Internal(e.into()))?,
        options: serde_json::from_str(&r.options_json)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        id: r.id,
        entity: r.entity,
        code: r.code,
        label: r.label,
        required: r.required,
        position: r.position,
        active: r.active,
        updated_at: r.updated_at,
        version: r.version,
    })
}

impl From<&CustomField> for FieldDef {
    fn from(f: &CustomField) -> Self {
        FieldDef {
            id: f.id,
            code: f.code.clone(),
            label: f.label.clone(),
            kind: f.kind,
            options: f.options.clone(),
            required: f.required,
            active: f.active,
        }
    }
}

/// What an administrator submits. `code` and `kind` are fixed after creation.
pub struct FieldInputDef {
    pub entity: String,
    pub code: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<FieldOption>,
    pub required: bool,
    /// Where it goes among the others (none: last).
    pub position: Option<i64>,
    pub active: bool,
}

fn entity_of(entity: &str) -> AppResult<&'static str> {
    match entity {
        CUSTOMER => Ok(CUSTOMER),
        _ => Err(Invalid::field("entity", "invalid_choice").into()),
    }
}

/// The definitions of one record type, read inside a caller's transaction.
pub async fn defs(tx: &mut Tx, entity: &str) -> AppResult<Vec<FieldDef>> {
    store::of_entity(tx, entity)
        .await?
        .into_iter()
        .map(|r| field_of(r).map(|f| FieldDef::from(&f)))
        .collect()
}

/// Every field of a record type, retired ones last-but-shown (the settings page lists them).
pub async fn list(app: &App, actor: &Actor, entity: &str) -> AppResult<Vec<CustomField>> {
    let entity = entity_of(entity)?;
    if !actor.grants.has(Permission::CustomersView) && !actor.grants.has(Permission::PoolsUse) {
        return Err(AppError::Forbidden);
    }
    let mut tx = app.db.begin_read().await?;
    let rows = store::of_entity(&mut tx, entity).await?;
    tx.commit().await?;
    rows.into_iter().map(field_of).collect()
}

fn options_json(o: &[FieldOption]) -> String {
    serde_json::to_string(o).unwrap_or_else(|_| "[]".into())
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: FieldInputDef,
    meta: &RequestMeta,
) -> AppResult<CustomField> {
    actor.require(Permission::CustomersSettings)?;
    let entity = entity_of(&input.entity)?;
    let spec = check_field(
        &input.code,
        &input.label,
        input.kind,
        input.options,
        input.required,
    )?;
    let mut tx = app.db.begin_write().await?;
    // The limit keeps forms usable; it guards no money or ownership, so two administrators
    // adding the last field at the same instant may end one over it.
    let existing = store::of_entity(&mut tx, entity).await?;
    if existing.len() as i64 >= MAX_FIELDS {
        return Err(Invalid::field("code", "custom_field.too_many").into());
    }
    let position = input
        .position
        .unwrap_or_else(|| existing.iter().map(|f| f.position).max().unwrap_or(0) + 10);
    let id = insert(&mut tx, entity, &spec, position, input.active, now_ms()).await?;
    let row = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let field = field_of(row)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "custom_field.created",
        "custom_field",
        id,
        None::<&()>,
        Some(&field),
    )
    .await?;
    tx.commit().await?;
    Ok(field)
}

/// Stores a checked definition (a new field, or one of the demo company's).
pub async fn insert(
    tx: &mut Tx,
    entity: &str,
    spec: &FieldSpec,
    position: i64,
    active: bool,
    now: i64,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    let options = options_json(&spec.options);
    let fields = FieldFields {
        label: &spec.label,
        options_json: &options,
        required: spec.required,
        position,
        active,
    };
    store::insert(tx, id, entity, &spec.code, spec.kind.as_str(), &fields, now).await?;
    Ok(id)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    input: FieldInputDef,
    meta: &RequestMeta,
) -> AppResult<CustomField> {
    actor.require(Permission::CustomersSettings)?;
    let spec = check_field(
        &input.code,
        &input.label,
        input.kind,
        input.options,
        input.required,
    )?;
    let mut tx = app.db.begin_write().await?;
    let before = field_of(store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?)?;
    if before.entity != input.entity {
        return Err(Invalid::field("entity", "custom_field.entity_fixed").into());
    }
    check_change(&FieldDef::from(&before), &spec)?;
    if before.version != version {
        return Err(AppError::Stale);
    }
    let options = options_json(&spec.options);
    store::update(
        &mut tx,
        id,
        version,
        &FieldFields {
            label: &spec.label,
            options_json: &options,
            required: spec.required,
            position: input.position.unwrap_or(before.position),
            active: input.active,
        },
        now_ms(),
    )
    .await?;
    let field = field_of(store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?)?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "custom_field.updated",
        "custom_field",
        id,
        Some(&before),
        Some(&field),
    )
    .await?;
    tx.commit().await?;
    Ok(field)
}

// ---- values of customers -------------------------------------------------------------------

/// A customer's values keyed by field code, as the API shows them: text, date and single
/// select as a string, numbers as a number, multi select as a list. Only active fields.
pub type Values = BTreeMap<String, serde_json::Value>;

/// Groups stored rows into each customer's [`Values`].
pub(crate) fn values_by_customer(defs: &[FieldDef], rows: &[ValueRow]) -> HashMap<Uuid, Values> {
    let mut out: HashMap<Uuid, Values> = HashMap::new();
    for (customer, field, text, num) in rows {
        let Some(def) = defs.iter().find(|d| d.id == *field && d.active) else {
            continue;
        };
        let value = match (def.kind, num) {
            (FieldKind::Number, Some(n)) => serde_json::json!(n),
            (FieldKind::MultiSelect, _) => serde_json::json!([text]),
            _ => serde_json::json!(text),
        };
        let values = out.entry(*customer).or_default();
        match (values.get_mut(&def.code), value) {
            (Some(serde_json::Value::Array(list)), serde_json::Value::Array(more)) => {
                list.extend(more);
                list.sort_by_key(|v| def.option_rank(v.as_str().unwrap_or_default()));
            }
            (_, v) => {
                values.insert(def.code.clone(), v);
            }
        }
    }
    out
}

/// The values of these customers.
pub(crate) async fn values_of(tx: &mut Tx, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Values>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let defs = defs(tx, CUSTOMER).await?;
    values_with(tx, &defs, ids).await
}

/// [`values_of`] with the customer fields' definitions already read.
pub(crate) async fn values_with(
    tx: &mut Tx,
    defs: &[FieldDef],
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Values>> {
    if ids.is_empty() || defs.is_empty() {
        return Ok(HashMap::new());
    }
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(store::values_of(tx, chunk).await?);
    }
    Ok(values_by_customer(defs, &rows))
}

/// One customer's field definitions and value rows, for [`values_read_with`].
pub(crate) async fn rows_of(
    tx: &mut Tx,
    customer_id: Uuid,
) -> AppResult<(Vec<CustomFieldRow>, Vec<ValueRow>)> {
    Ok((
        store::of_entity(tx, CUSTOMER).await?,
        store::values_of(tx, &[customer_id]).await?,
    ))
}

/// One customer's values from its definitions and value rows read with its page.
pub(crate) fn values_read_with(
    fields: Vec<CustomFieldRow>,
    rows: &[ValueRow],
    customer_id: Uuid,
) -> AppResult<Values> {
    let defs = fields
        .into_iter()
        .map(|r| field_of(r).map(|f| FieldDef::from(&f)))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(values_by_customer(&defs, rows)
        .remove(&customer_id)
        .unwrap_or_default())
}

/// The stored option codes (or texts) of one customer per field, for the rule that a retired
/// option may be kept.
async fn current(tx: &mut Tx, customer_id: Uuid) -> AppResult<HashMap<Uuid, Vec<String>>> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (_, field, text, _) in store::values_of(tx, &[customer_id]).await? {
        out.entry(field).or_default().push(text);
    }
    Ok(out)
}

/// Checked values ready to store: (field, rows; none clears it).
pub(crate) struct ValueChanges(Vec<(Uuid, Vec<StoredValue>)>);

/// For the audit log: each changed field's stored texts.
impl Serialize for ValueChanges {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (field, values) in &self.0 {
            let texts: Vec<&str> = values.iter().map(|v| v.text.as_str()).collect();
            m.serialize_entry(field, &texts)?;
        }
        m.end()
    }
}

/// Checks submitted values against the definitions, reporting each problem under
/// `customFields.<code>`. Fields not submitted keep their value; a new customer must have
/// every required field, and nobody may clear a required one.
pub(crate) async fn check_values(
    tx: &mut Tx,
    c: &mut Checker,
    customer_id: Option<Uuid>,
    inputs: &BTreeMap<String, FieldInput>,
) -> AppResult<ValueChanges> {
    let defs = defs(tx, CUSTOMER).await?;
    let current = match customer_id {
        Some(id) if !inputs.is_empty() => current(tx, id).await?,
        _ => HashMap::new(),
    };
    let mut out = Vec::new();
    for (code, input) in inputs {
        let field = format!("customFields.{code}");
        let Some(def) = defs.iter().find(|d| &d.code == code && d.active) else {
            c.fail(&field, "custom_field.unknown");
            continue;
        };
        let now = current.get(&def.id).map(Vec::as_slice).unwrap_or_default();
        if let Some(values) = c.check(&field, parse_value(def, input, now)) {
            if values.is_empty() && def.required {
                c.fail(&field, "required");
            }
            out.push((def.id, values));
        }
    }
    if customer_id.is_none() {
        for def in defs.iter().filter(|d| d.required_on_create()) {
            if !inputs.contains_key(&def.code) {
                c.fail(&format!("customFields.{}", def.code), "required");
            }
        }
    }
    Ok(ValueChanges(out))
}

/// Stores checked values of one customer.
pub(crate) async fn save_values(
    tx: &mut Tx,
    customer_id: Uuid,
    changes: &ValueChanges,
) -> AppResult<()> {
    for (field, values) in &changes.0 {
        store::set_value(tx, customer_id, *field, values).await?;
    }
    Ok(())
}
