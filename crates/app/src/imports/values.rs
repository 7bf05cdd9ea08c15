//! 值对应: the values of a file's pick-list columns that name no option (客户类型 `政府机构`,
//! 所属行业 `零售`), each with how many rows hold it, the option a close spelling suggests
//! (`import::suggest_option`) and the one the user chose for it last time. The user maps each to
//! an option (or adds an option, with the right) and the import reads the cell as that option.

use std::collections::{BTreeMap, HashMap};

use salesdesk_domain::FieldError;
use salesdesk_domain::custom_field::{FieldDef, FieldKind};
use salesdesk_domain::customer::OptionKind;
use salesdesk_domain::import::{
    Choice, ImportField, custom_field_input, normalise_header, split_tags, suggest_option,
};
use salesdesk_store::customers::{self, OptionRow};
use salesdesk_store::imports;
use serde::Serialize;
use uuid::Uuid;

use super::{MAX_COLUMNS, StoredHeaders, internal, option_code, own_job, parse_options, reader};
use crate::custom_fields::{self, CUSTOMER};
use crate::{Actor, App, AppError, AppResult};

/// Where chosen value mappings are remembered (per user, like column mappings).
pub(super) const VALUES_KIND: &str = "customers.values";
/// Distinct unknown values listed per column; a file with more is a wrong column.
const MAX_LISTED: usize = 200;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueChoice {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnknownValue {
    pub value: String,
    /// Data rows holding it.
    pub rows: u32,
    /// The option a close spelling suggests.
    pub suggested: Option<String>,
    /// The option chosen for this value in an earlier import.
    pub remembered: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueColumn {
    pub column: usize,
    /// The field's key (`typeCode`, `cf.<code>`), as in the column mapping.
    pub field: String,
    /// Built-in pick list (`type`, `industry`…), or None for a company-defined field.
    pub kind: Option<OptionKind>,
    /// The company-defined field, for adding an option to it.
    pub custom_field_id: Option<Uuid>,
    pub choices: Vec<ValueChoice>,
    pub values: Vec<UnknownValue>,
    /// More distinct unknown values than are listed.
    pub more: bool,
}

/// A column's distinct values in the order first met, with their rows, and where each is.
type Tally = (Vec<(String, u32)>, HashMap<String, usize>);

/// What one mapped column's cells are checked against.
enum Target<'a> {
    Builtin(OptionKind),
    Custom(&'a FieldDef),
}

fn builtin_kind(f: ImportField) -> Option<OptionKind> {
    match f {
        ImportField::TypeCode => Some(OptionKind::Type),
        ImportField::LevelCode => Some(OptionKind::Level),
        ImportField::StatusCode => Some(OptionKind::Status),
        ImportField::IndustryCode => Some(OptionKind::Industry),
        ImportField::SourceCode => Some(OptionKind::Source),
        _ => None,
    }
}

/// The key a value mapping is remembered by: the field and the value as normalised.
pub(super) fn memory_key(field: &str, value: &str) -> String {
    format!("{field}\u{1f}{}", normalise_header(value))
}

/// The values of the upload's pick-list columns, with this column mapping, that name no
/// active option. Read on a blocking thread; nothing changes.
pub async fn unknown_values(
    app: &App,
    actor: &Actor,
    id: Uuid,
    mapping: Vec<Option<String>>,
) -> AppResult<Vec<ValueColumn>> {
    let mut tx = app.db.begin_read().await?;
    let job = own_job(&mut tx, actor, id).await?;
    let stored: StoredHeaders = serde_json::from_str(&job.headers_json).map_err(internal)?;
    let defs = custom_fields::defs(&mut tx, CUSTOMER).await?;
    let options = customers::options(&mut tx).await?;
    let remembered: HashMap<String, String> =
        imports::mappings(&mut tx, actor.user_id, VALUES_KIND)
            .await?
            .into_iter()
            .collect();
    let bytes = imports::file(&mut tx, id).await?;
    tx.commit().await?;
    let Some(bytes) = bytes else {
        return Err(AppError::Conflict("import.file_gone"));
    };
    if mapping.len() > MAX_COLUMNS {
        return Err(salesdesk_domain::Invalid::field("mapping", "too_many").into());
    }
    // Only the columns matter here: the mode and key are checked when the import starts.
    let probe = super::ImportOptions {
        mapping,
        mode: salesdesk_domain::import::ImportMode::Upsert,
        match_by: salesdesk_domain::import::MatchBy::Name,
        default_owner_id: None,
        values: BTreeMap::new(),
    };
    let m = parse_options(&probe, stored.headers.len(), &defs, &options, false)?;
    let mut targets: Vec<(usize, String, Target)> = Vec::new();
    for (col, f) in m.fields.iter().enumerate() {
        if let Some((f, kind)) = f.and_then(|f| builtin_kind(f).map(|k| (f, k))) {
            targets.push((col, f.key().to_owned(), Target::Builtin(kind)));
        }
    }
    for (col, d) in &m.custom {
        let def = &defs[*d];
        if matches!(def.kind, FieldKind::Select | FieldKind::MultiSelect) {
            targets.push((
                *col,
                super::custom_field_key(&def.code),
                Target::Custom(def),
            ));
        }
    }
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let header_row = job.header_row as u32;
    let cols: Vec<usize> = targets.iter().map(|t| t.0).collect();
    // value -> rows, per target column, in the order first met
    let counted = tokio::task::spawn_blocking(move || {
        let mut seen: Vec<Tally> = cols.iter().map(|_| Default::default()).collect();
        reader::for_each_row(&bytes, |n, cells| {
            if n <= header_row {
                return Ok(true);
            }
            for (i, col) in cols.iter().enumerate() {
                let Some(v) = cells.get(*col).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let (list, index) = &mut seen[i];
                match index.get(v) {
                    Some(at) => list[*at].1 += 1,
                    None => {
                        index.insert(v.to_owned(), list.len());
                        list.push((v.to_owned(), 1));
                    }
                }
            }
            Ok(true)
        })
        .map(|()| seen)
    })
    .await
    .map_err(internal)?
    .map_err(|code| AppError::from(salesdesk_domain::Invalid::field("file", code)))?;
    let mut out = Vec::new();
    for ((column, key, target), (values, _)) in targets.into_iter().zip(counted) {
        let choices = choices_of(&target, &options);
        let labels: Vec<Choice> = choices
            .iter()
            .map(|c| Choice {
                code: &c.code,
                labels: vec![&c.label_zh, &c.label_en],
            })
            .collect();
        let known = |v: &str| -> bool {
            match &target {
                Target::Builtin(kind) => {
                    let code = option_code(&options, *kind, v);
                    choices.iter().any(|c| c.code == code)
                }
                Target::Custom(def) => {
                    use salesdesk_domain::custom_field::FieldInput;
                    let is_choice = |code: &String| choices.iter().any(|c| &c.code == code);
                    match custom_field_input(def, v) {
                        FieldInput::Text(code) => is_choice(&code),
                        FieldInput::List(codes) => codes.iter().all(is_choice),
                        _ => false,
                    }
                }
            }
        };
        // A multi-select cell holds several values: each is checked on its own.
        let mut unknown: Vec<(String, u32)> = Vec::new();
        for (v, rows) in values {
            let parts = match &target {
                Target::Custom(def) if def.kind == FieldKind::MultiSelect => split_tags(&v),
                _ => vec![v],
            };
            for p in parts.into_iter().filter(|p| !known(p)) {
                match unknown.iter_mut().find(|u| u.0 == p) {
                    Some(u) => u.1 += rows,
                    None => unknown.push((p, rows)),
                }
            }
        }
        if unknown.is_empty() {
            continue;
        }
        let more = unknown.len() > MAX_LISTED;
        unknown.truncate(MAX_LISTED);
        out.push(ValueColumn {
            column,
            values: unknown
                .into_iter()
                .map(|(value, rows)| UnknownValue {
                    suggested: suggest_option(&value, &labels),
                    remembered: remembered
                        .get(&memory_key(&key, &value))
                        .filter(|c| choices.iter().any(|x| &x.code == *c))
                        .cloned(),
                    value,
                    rows,
                })
                .collect(),
            more,
            kind: match target {
                Target::Builtin(k) => Some(k),
                Target::Custom(_) => None,
            },
            custom_field_id: match target {
                Target::Custom(d) => Some(d.id),
                Target::Builtin(_) => None,
            },
            field: key,
            choices,
        });
    }
    Ok(out)
}

/// The active options a column's cells may name.
fn choices_of(target: &Target, options: &[OptionRow]) -> Vec<ValueChoice> {
    match target {
        Target::Builtin(kind) => options
            .iter()
            .filter(|o| o.kind == kind.as_str() && o.active)
            .map(|o| ValueChoice {
                code: o.code.clone(),
                label_zh: o.name.clone(),
                label_en: o.name_en.clone(),
            })
            .collect(),
        Target::Custom(def) => def
            .options
            .iter()
            .filter(|o| o.active)
            .map(|o| ValueChoice {
                code: o.code.clone(),
                label_zh: o.label.clone(),
                label_en: o.label.clone(),
            })
            .collect(),
    }
}

/// Checks the chosen value mappings: each names a mapped pick-list column's field and an
/// active option of it. Errors are named `values.<field>`.
pub(super) fn check_value_mappings(
    values: &BTreeMap<String, BTreeMap<String, String>>,
    fields: &[Option<ImportField>],
    custom: &[(usize, usize)],
    defs: &[FieldDef],
    options: &[OptionRow],
    errors: &mut Vec<FieldError>,
) {
    for (key, map) in values {
        let field = format!("values.{key}");
        let choices: Option<Vec<ValueChoice>> =
            if let Some(code) = key.strip_prefix(super::CUSTOM_FIELD_PREFIX) {
                custom
                    .iter()
                    .map(|(_, d)| &defs[*d])
                    .find(|d| d.code == code)
                    .filter(|d| matches!(d.kind, FieldKind::Select | FieldKind::MultiSelect))
                    .map(|d| choices_of(&Target::Custom(d), options))
            } else {
                ImportField::parse(key)
                    .filter(|f| fields.contains(&Some(*f)))
                    .and_then(builtin_kind)
                    .map(|k| choices_of(&Target::Builtin(k), options))
            };
        let Some(choices) = choices else {
            errors.push(FieldError {
                field,
                code: "import.values_field_unmapped",
            });
            continue;
        };
        if map.len() > 1000 {
            errors.push(FieldError {
                field,
                code: "too_many",
            });
            continue;
        }
        if map
            .iter()
            .any(|(v, code)| v.chars().count() > 200 || !choices.iter().any(|c| &c.code == code))
        {
            errors.push(FieldError {
                field,
                code: "option.unknown",
            });
        }
    }
}
