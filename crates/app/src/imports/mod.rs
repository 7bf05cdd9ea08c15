//! Importing customers and contacts (导入) from XLSX or CSV.
//!
//! An upload is kept with its header row found and its rows counted. A *validation* (dry
//! run) reads every row and reports every bad row and column at once; an *import* does the
//! same inside one write transaction and commits only if no row failed, so a file lands
//! whole or not at all. Both run as background jobs whose progress (rows done, rows per
//! second) the job's reader sees. Rows match existing customers by credit code, name or
//! external id; insert-only, update-only and upsert modes. A row that changes nothing is
//! left alone, so importing the same file twice changes nothing the second time.
//!
//! Rows repeating a customer (same key) with no other customer cells, or the same ones, add
//! another contact to it (the layout of a sheet with one row per contact, or with the
//! customer's cells merged down); with different customer cells they are duplicates.

pub mod reader;
mod template;
mod values;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use salesdesk_domain::Invalid;
use salesdesk_domain::access::{Permission, ScopeModule};
use salesdesk_domain::credit_code::CreditCode;
use salesdesk_domain::custom_field::{FieldDef, StoredValue, parse_value};
use salesdesk_domain::customer::{OptionKind, OwnerChange};
use salesdesk_domain::dedupe::{
    COMMON_GRAM, NameMatch, SIMILAR_NAME_THRESHOLD, company_name_grams, compare_names,
    grams_to_probe, mask_company_name, normalise_company_name,
};
use salesdesk_domain::import::{
    CUSTOM_FIELD_PREFIX, ImportField, ImportMode, MatchBy, clean_cell, contact_role_code,
    custom_field_input, custom_field_key, loose_date, match_custom_header, match_header,
    normalise_header, split_tags,
};
use salesdesk_domain::org::OrgPath;
use salesdesk_domain::validation::Checker;
use salesdesk_store::Tx;
use salesdesk_store::customers::{
    self, BulkCustomer, ContactFields, ContactRow, CustomerFields, CustomerRow, LimitRow,
    NewOwnerChange, OptionRow,
};
use salesdesk_store::imports::{self, ImportJobRow, NewImportJob, OwnerCandidate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{By, record};
use crate::custom_fields::{self, CUSTOMER};
use crate::customers::{
    ContactInput, CustomerInput, charge, parse_contact, parse_fields, recipient, viewer,
};
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms, runners};

pub use reader::{HeaderCell, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS};
pub use template::{TemplateFormat, template};
pub use values::{UnknownValue, ValueChoice, ValueColumn, unknown_values};

const KIND: &str = "customers";
/// Rows read, checked and written together.
const CHUNK: usize = 500;
/// Row errors kept for the report and the error file; the count is always exact.
const MAX_KEPT_ERRORS: usize = 20_000;
const MAX_KEPT_WARNINGS: usize = 1_000;
/// Uploads never imported lose their file after this long.
const FILE_KEEP_MS: i64 = 7 * 24 * 3600 * 1000;

// ---- progress ------------------------------------------------------------------------------

/// The imports running in this process, for their progress.
#[derive(Default)]
pub struct ImportBoard {
    running: Mutex<HashMap<Uuid, Arc<Progress>>>,
}

pub struct Progress {
    pub rows_done: AtomicU64,
    pub started: Instant,
}

impl ImportBoard {
    fn get(&self, id: Uuid) -> Option<Arc<Progress>> {
        self.running.lock().ok()?.get(&id).cloned()
    }

    /// Registers a run of `id`, replacing a finished run's entry that is still being let go.
    fn claim(&self, id: Uuid) -> Arc<Progress> {
        let p = Arc::new(Progress {
            rows_done: AtomicU64::new(0),
            started: Instant::now(),
        });
        if let Ok(mut m) = self.running.lock() {
            m.insert(id, p.clone());
        }
        p
    }

    /// Lets go of this run's entry (not a newer run's).
    fn release(&self, id: Uuid, run: &Arc<Progress>) {
        if let Ok(mut m) = self.running.lock()
            && m.get(&id).is_some_and(|p| Arc::ptr_eq(p, run))
        {
            m.remove(&id);
        }
    }
}

// ---- views ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    /// The field each column fills, by column index; None leaves the column out.
    pub mapping: Vec<Option<String>>,
    pub mode: ImportMode,
    pub match_by: MatchBy,
    /// Owner of new customers whose row names none (default: the importer).
    pub default_owner_id: Option<Uuid>,
    /// 值对应: per pick-list field (`typeCode`, `cf.<code>`), cell values the file holds and
    /// the option each means.
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

/// One problem of one row: the row number a spreadsheet shows, the column's header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub row: u32,
    pub column: Option<usize>,
    pub field: Option<String>,
    pub code: String,
    /// Another row of the file this one conflicts with.
    pub other_row: Option<u32>,
    /// The existing customer whose name this row's is like (a warning of 查重).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similar: Option<SimilarName>,
}

/// An existing customer whose name is like a new row's, as the importer may see it: outside
/// their data scope the name is masked and the id left out, as in the duplicate check.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SimilarName {
    pub customer_id: Option<Uuid>,
    pub name: String,
    /// How alike the names are (rarity-weighted Dice of their cores), 0.6 to 1.
    pub score: f64,
    /// The same name under another place (上海博雅新锐 and 广州博雅新锐).
    pub same_core: bool,
    /// The distinctive words both names hold.
    pub shared: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub contacts_added: u64,
    pub contacts_updated: u64,
    pub error_rows: u64,
    pub errors: Vec<RowError>,
    /// Not blocking: a contact mobile another customer has too.
    pub warnings: Vec<RowError>,
    pub warning_count: u64,
    pub elapsed_ms: u64,
    /// A problem with the whole file or the options, not a row.
    pub file_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MappedHeader {
    pub index: usize,
    pub text: String,
    pub parent: Option<String>,
    /// The field this column fills: the user's choice, what they chose before for this
    /// header, or what the header names.
    pub field: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub rows_done: u64,
    pub rows_per_second: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EarlierImport {
    pub id: Uuid,
    pub file_name: String,
    pub imported_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportJob {
    pub id: Uuid,
    pub file_name: String,
    pub file_size: i64,
    /// uploaded, validating, validated, invalid, importing, imported, failed, interrupted
    pub status: String,
    pub header_row: i64,
    pub headers: Vec<MappedHeader>,
    pub samples: Vec<Vec<String>>,
    pub total_rows: i64,
    pub options: Option<ImportOptions>,
    pub result: Option<ImportResult>,
    pub progress: Option<ImportProgress>,
    pub earlier_import: Option<EarlierImport>,
    pub created_at: i64,
    pub imported_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct StoredHeaders {
    headers: Vec<HeaderCell2>,
    samples: Vec<Vec<String>>,
}

#[derive(Serialize, Deserialize, Clone)]
struct HeaderCell2 {
    index: usize,
    text: String,
    parent: Option<String>,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

async fn view(
    tx: &mut Tx,
    app: &App,
    mut row: ImportJobRow,
    saved: &[(String, String)],
    defs: &[FieldDef],
) -> AppResult<ImportJob> {
    let progress = app.imports.get(row.id).map(|p| {
        let done = p.rows_done.load(Ordering::Relaxed);
        let secs = p.started.elapsed().as_secs_f64().max(0.001);
        ImportProgress {
            rows_done: done,
            rows_per_second: (done as f64 / secs) as u64,
        }
    });
    let running = |r: &ImportJobRow| matches!(r.status.as_str(), "validating" | "importing");
    let mut status = row.status.clone();
    if running(&row)
        && !runners::still_running(tx, app, row.runner_id, row.updated_at, progress.is_some())
            .await?
    {
        // This process lets go of a run only after recording its outcome: read the job again
        // (a new transaction sees that outcome) before calling it interrupted.
        let mut again = app.db.begin_read().await?;
        let now = imports::get_job(&mut again, row.id).await?;
        again.commit().await?;
        match now {
            Some(j) if !running(&j) => {
                status = j.status.clone();
                row = j;
            }
            _ => status = "interrupted".to_owned(),
        }
    }
    let stored: StoredHeaders = serde_json::from_str(&row.headers_json).map_err(internal)?;
    let options: Option<ImportOptions> = row
        .options_json
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok());
    let headers = stored
        .headers
        .iter()
        .map(|h| {
            let chosen = options
                .as_ref()
                .and_then(|o| o.mapping.get(h.index).cloned().flatten());
            let remembered = saved
                .iter()
                .find(|(k, _)| *k == header_key(h.parent.as_deref(), &h.text))
                .map(|(_, f)| f.clone());
            let named = match_header(h.parent.as_deref(), &h.text)
                .map(|f| f.key().to_owned())
                .or_else(|| match_custom_header(defs, &h.text).map(|d| custom_field_key(&d.code)));
            MappedHeader {
                index: h.index,
                text: h.text.clone(),
                parent: h.parent.clone(),
                field: if options.is_some() {
                    chosen
                } else {
                    remembered.or(named).filter(|f| f != "-")
                },
            }
        })
        .collect();
    let earlier = imports::earlier_import(tx, &row.file_sha256, row.id)
        .await?
        .map(|e| EarlierImport {
            id: e.id,
            file_name: e.file_name,
            imported_at: e.imported_at,
        });
    Ok(ImportJob {
        id: row.id,
        file_name: row.file_name,
        file_size: row.file_size,
        status,
        header_row: row.header_row,
        headers,
        samples: stored.samples,
        total_rows: row.total_rows,
        options,
        result: row
            .result_json
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok()),
        progress,
        earlier_import: earlier,
        created_at: row.created_at,
        imported_at: row.imported_at,
    })
}

/// How a header is remembered: its normalised text, under its parent's.
fn header_key(parent: Option<&str>, text: &str) -> String {
    match parent {
        Some(p) => format!("{}/{}", normalise_header(p), normalise_header(text)),
        None => normalise_header(text),
    }
}

// ---- upload, read ----------------------------------------------------------------------------

fn require_import(actor: &Actor) -> AppResult<()> {
    actor.require(Permission::CustomersImport)
}

/// Keeps an uploaded file: checks its size and kind, finds its header row and counts its rows
/// (on a blocking thread), and suggests which column is which field.
pub async fn upload(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
    meta: &RequestMeta,
) -> AppResult<ImportJob> {
    require_import(actor)?;
    let mut c = Checker::new();
    let name = file_name.trim();
    if name.is_empty() {
        c.fail("fileName", "required");
    } else if name.chars().count() > 200 {
        c.fail("fileName", "too_long");
    }
    c.finish()?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Invalid::field("file", "import.file_too_large").into());
    }
    let (bytes, scan) = tokio::task::spawn_blocking(move || {
        let s = reader::scan(&bytes);
        (bytes, s)
    })
    .await
    .map_err(internal)?;
    let scan = scan.map_err(|code| AppError::from(Invalid::field("file", code)))?;
    if scan.data_rows > MAX_ROWS {
        return Err(Invalid::field("file", "import.too_many_rows").into());
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    let stored = StoredHeaders {
        headers: scan
            .headers
            .iter()
            .map(|h| HeaderCell2 {
                index: h.index,
                text: h.text.clone(),
                parent: h.parent.clone(),
            })
            .collect(),
        samples: scan
            .samples
            .iter()
            .map(|r| r.iter().map(|c| c.chars().take(100).collect()).collect())
            .collect(),
    };
    let id = Uuid::now_v7();
    let now = now_ms();
    let mut tx = app.db.begin_write().await?;
    imports::drop_stale_files(&mut tx, now - FILE_KEEP_MS).await?;
    imports::insert_job(
        &mut tx,
        &NewImportJob {
            id,
            kind: KIND,
            user_id: actor.user_id,
            file_name: name,
            file_sha256: &sha,
            file: &bytes,
            header_row: i64::from(scan.header_row),
            headers_json: &serde_json::to_string(&stored).map_err(internal)?,
            total_rows: i64::from(scan.data_rows),
            now,
        },
    )
    .await?;
    let row = imports::get_job(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // What came in, and from whom: the file's fingerprint identifies it later.
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "import.uploaded",
        "import",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "fileName": name,
            "sha256": sha,
            "size": row.file_size,
            "rows": scan.data_rows,
        })),
    )
    .await?;
    let saved = imports::mappings(&mut tx, actor.user_id, KIND).await?;
    let defs = custom_fields::defs(&mut tx, CUSTOMER).await?;
    let v = view(&mut tx, app, row, &saved, &defs).await?;
    tx.commit().await?;
    Ok(v)
}

/// Marks every running import whose runner is gone as interrupted, so it can be run again at
/// once: called as the server starts (the jobs a killed process was running). Returns how
/// many were marked.
pub async fn recover_interrupted(app: &App) -> AppResult<u64> {
    let mut tx = app.db.begin_write().await?;
    let mut marked = 0;
    for job in imports::running_jobs(&mut tx).await? {
        let here = app.imports.get(job.id).is_some();
        if !runners::still_running(&mut tx, app, job.runner_id, job.updated_at, here).await?
            && imports::mark_interrupted(&mut tx, job.id, job.updated_at, now_ms()).await?
        {
            marked += 1;
        }
    }
    tx.commit().await?;
    if marked > 0 {
        tracing::warn!(
            marked,
            "imports whose process had stopped are marked interrupted"
        );
    }
    Ok(marked)
}

/// An import job of the actor's own (others' are not found).
async fn own_job(tx: &mut Tx, actor: &Actor, id: Uuid) -> AppResult<ImportJobRow> {
    require_import(actor)?;
    imports::get_job(tx, id)
        .await?
        .filter(|j| j.user_id == actor.user_id && j.kind == KIND)
        .ok_or(AppError::NotFound)
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<ImportJob> {
    let mut tx = app.db.begin_read().await?;
    let row = own_job(&mut tx, actor, id).await?;
    let saved = imports::mappings(&mut tx, actor.user_id, KIND).await?;
    let defs = custom_fields::defs(&mut tx, CUSTOMER).await?;
    let v = view(&mut tx, app, row, &saved, &defs).await?;
    tx.commit().await?;
    Ok(v)
}

/// A field a column can be mapped to: built in, or company-defined (`cf.<code>`).
#[derive(Debug, Clone)]
pub struct ImportTarget {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub contact: bool,
    pub required: bool,
}

/// The fields a column can be mapped to: the built-in ones, then the active custom fields.
pub async fn fields(app: &App, actor: &Actor) -> AppResult<Vec<ImportTarget>> {
    require_import(actor)?;
    let mut tx = app.db.begin_read().await?;
    let defs = custom_fields::defs(&mut tx, CUSTOMER).await?;
    tx.commit().await?;
    let builtin = ImportField::all().map(|f| ImportTarget {
        key: f.key().to_owned(),
        label_zh: f.label_zh().to_owned(),
        label_en: f.label_en().to_owned(),
        contact: f.is_contact(),
        required: f == ImportField::Name,
    });
    let custom = defs.into_iter().filter(|d| d.active).map(|d| ImportTarget {
        key: custom_field_key(&d.code),
        label_zh: d.label.clone(),
        label_en: d.label,
        contact: false,
        required: d.required,
    });
    Ok(builtin.chain(custom).collect())
}

pub async fn recent(app: &App, actor: &Actor) -> AppResult<Vec<ImportJob>> {
    require_import(actor)?;
    let mut tx = app.db.begin_read().await?;
    let saved = imports::mappings(&mut tx, actor.user_id, KIND).await?;
    let defs = custom_fields::defs(&mut tx, CUSTOMER).await?;
    let mut out = Vec::new();
    for row in imports::recent_jobs(&mut tx, actor.user_id, 20).await? {
        out.push(view(&mut tx, app, row, &saved, &defs).await?);
    }
    tx.commit().await?;
    Ok(out)
}

// ---- validate and import -------------------------------------------------------------------

/// Which column fills which field: built-in fields by column, and the company-defined
/// ones as (column, index into the definitions).
struct Mapping {
    fields: Vec<Option<ImportField>>,
    custom: Vec<(usize, usize)>,
}

fn parse_options(
    opts: &ImportOptions,
    columns: usize,
    defs: &[FieldDef],
    options: &[OptionRow],
    check_keys: bool,
) -> AppResult<Mapping> {
    let mut c = Checker::new();
    if opts.mapping.len() > MAX_COLUMNS {
        c.fail("mapping", "too_many");
    }
    let mut fields: Vec<Option<ImportField>> = Vec::new();
    let mut custom: Vec<(usize, usize)> = Vec::new();
    for (i, m) in opts.mapping.iter().enumerate() {
        let key = m.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(code) = key.and_then(|k| k.strip_prefix(CUSTOM_FIELD_PREFIX)) {
            match defs.iter().position(|d| d.code == code && d.active) {
                Some(d) if custom.iter().any(|(_, e)| *e == d) => {
                    c.fail(&format!("mapping[{i}]"), "import.field_mapped_twice");
                }
                Some(d) => custom.push((i, d)),
                None => c.fail(&format!("mapping[{i}]"), "invalid_choice"),
            }
            fields.push(None);
            continue;
        }
        let f = match key {
            None => None,
            Some(key) => match ImportField::parse(key) {
                Some(f) => Some(f),
                None => {
                    c.fail(&format!("mapping[{i}]"), "invalid_choice");
                    None
                }
            },
        };
        if let Some(f) = f
            && fields.contains(&Some(f))
        {
            c.fail(&format!("mapping[{i}]"), "import.field_mapped_twice");
        }
        fields.push(f);
    }
    if i64::try_from(fields.len()).unwrap_or(i64::MAX)
        > i64::try_from(columns.max(1)).unwrap_or(0) + 1
    {
        c.fail("mapping", "too_many");
    }
    let mut value_errors = Vec::new();
    values::check_value_mappings(
        &opts.values,
        &fields,
        &custom,
        defs,
        options,
        &mut value_errors,
    );
    for e in value_errors {
        c.fail(&e.field, e.code);
    }
    if !check_keys {
        c.finish()?;
        return Ok(Mapping { fields, custom });
    }
    let has = |f: ImportField| fields.contains(&Some(f));
    let key_ok = match opts.match_by {
        MatchBy::Name => has(ImportField::Name),
        MatchBy::CreditCode => has(ImportField::CreditCode) || has(ImportField::Name),
        MatchBy::ExternalId => has(ImportField::ExternalId),
    };
    if !key_ok {
        c.fail("matchBy", "import.match_column_missing");
    }
    if opts.mode != ImportMode::Update && !has(ImportField::Name) {
        c.fail("mapping", "import.name_column_missing");
    }
    c.finish()?;
    Ok(Mapping { fields, custom })
}

/// Starts validating (`apply` false) or importing a kept upload in the background.
pub async fn start(
    app: &App,
    actor: &Actor,
    id: Uuid,
    opts: ImportOptions,
    apply: bool,
    meta: &RequestMeta,
) -> AppResult<ImportJob> {
    let mut tx = app.db.begin_write().await?;
    let job = own_job(&mut tx, actor, id).await?;
    let stored: StoredHeaders = serde_json::from_str(&job.headers_json).map_err(internal)?;
    let defs = custom_fields::defs(&mut tx, CUSTOMER).await?;
    let options = customers::options(&mut tx).await?;
    let Mapping { fields, custom } =
        parse_options(&opts, stored.headers.len(), &defs, &options, true)?;
    match opts.mode {
        ImportMode::Insert => actor.require(Permission::CustomersCreate)?,
        ImportMode::Update => actor.require(Permission::CustomersEdit)?,
        ImportMode::Upsert => {
            actor.require(Permission::CustomersCreate)?;
            actor.require(Permission::CustomersEdit)?;
        }
    }
    if let Some(owner) = opts.default_owner_id {
        recipient(&mut tx, actor, owner, "defaultOwnerId").await?;
    }
    if job.status == "imported" {
        return Err(AppError::Conflict("import.already_imported"));
    }
    let running = matches!(job.status.as_str(), "validating" | "importing");
    let here = app.imports.get(id).is_some();
    if running && runners::still_running(&mut tx, app, job.runner_id, job.updated_at, here).await? {
        return Err(AppError::Conflict("import.busy"));
    }
    let Some(bytes) = imports::file(&mut tx, id).await? else {
        return Err(AppError::Conflict("import.file_gone"));
    };
    let options_json = serde_json::to_string(&opts).map_err(internal)?;
    // Only one start wins: the job must still be as it was read (two at once: one is busy).
    let started = imports::start_run(
        &mut tx,
        id,
        if apply { "importing" } else { "validating" },
        &options_json,
        app.runner.id,
        job.updated_at,
        now_ms().max(job.updated_at + 1),
    )
    .await?;
    if !started {
        return Err(AppError::Conflict("import.busy"));
    }
    // The mapping is remembered for this user's next file with the same headers.
    let pairs: Vec<(String, String)> = stored
        .headers
        .iter()
        .map(|h| {
            (
                header_key(h.parent.as_deref(), &h.text),
                match custom.iter().find(|(col, _)| *col == h.index) {
                    Some((_, d)) => custom_field_key(&defs[*d].code),
                    None => fields
                        .get(h.index)
                        .copied()
                        .flatten()
                        .map_or("-", |f| f.key())
                        .to_owned(),
                },
            )
        })
        .filter(|(k, _)| !k.is_empty())
        .collect();
    imports::save_mappings(&mut tx, actor.user_id, KIND, &pairs, now_ms()).await?;
    // So are the values it maps to options.
    let value_pairs: Vec<(String, String)> = opts
        .values
        .iter()
        .flat_map(|(field, map)| {
            map.iter()
                .map(move |(v, code)| (values::memory_key(field, v), code.clone()))
        })
        .collect();
    imports::save_mappings(
        &mut tx,
        actor.user_id,
        values::VALUES_KIND,
        &value_pairs,
        now_ms(),
    )
    .await?;
    // In hand before the job reads as running, so a reader never sees it running here and
    // not in hand (see `view`).
    let progress = app.imports.claim(id);
    if let Err(e) = tx.commit().await {
        app.imports.release(id, &progress);
        return Err(e.into());
    }

    let (app2, actor2, meta2) = (app.clone(), actor.clone(), meta.clone());
    let header_row = job.header_row as u32;
    let file_name = job.file_name.clone();
    let sha = job.file_sha256.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let work = Work {
            actor: &actor2,
            opts: &opts,
            fields: &fields,
            defs: &defs,
            custom: &custom,
            header_row,
            progress: &progress,
        };
        let outcome = run_job(&app2, &work, id, bytes, apply, &file_name, &sha, &meta2).await;
        if let Err((mut result, e)) = outcome {
            if let Some(e) = e {
                tracing::error!(job = %id, error = %e, "import failed");
                result.file_error = Some(match e {
                    AppError::Invalid(i) => i.0.first().map_or("internal", |f| f.code).to_owned(),
                    AppError::Conflict(code) => code.to_owned(),
                    AppError::Stale => "customer.changed_meanwhile".to_owned(),
                    _ => "internal".to_owned(),
                });
            }
            result.elapsed_ms = started.elapsed().as_millis() as u64;
            let status = if result.file_error.is_some() && result.error_rows == 0 {
                "failed"
            } else {
                "invalid"
            };
            let json = serde_json::to_string(&result).unwrap_or_else(|_| "null".into());
            if let Ok(mut tx) = app2.db.begin_write().await {
                let _ = imports::set_outcome(
                    &mut tx,
                    id,
                    status,
                    &options_json,
                    &json,
                    false,
                    now_ms(),
                )
                .await;
                let _ = tx.commit().await;
            }
        }
        app2.imports.release(id, &progress);
    });
    get(app, actor, id).await
}

struct Work<'a> {
    actor: &'a Actor,
    opts: &'a ImportOptions,
    fields: &'a [Option<ImportField>],
    /// The customer fields the company defined, as they were when the run started.
    defs: &'a [FieldDef],
    /// (column, index into `defs`) of the columns filling company-defined fields.
    custom: &'a [(usize, usize)],
    header_row: u32,
    progress: &'a Progress,
}

type RunError = (ImportResult, Option<AppError>);

/// Reads the file on a blocking thread in chunks and checks (and applies) each chunk. Ok only
/// when the run finished and recorded itself; Err carries what to record otherwise.
#[allow(clippy::too_many_arguments)]
async fn run_job(
    app: &App,
    w: &Work<'_>,
    id: Uuid,
    bytes: Vec<u8>,
    apply: bool,
    file_name: &str,
    sha: &str,
    meta: &RequestMeta,
) -> Result<(), RunError> {
    let started = Instant::now();
    let (send, mut chunks) = tokio::sync::mpsc::channel::<Vec<(u32, Vec<String>)>>(2);
    let header_row = w.header_row;
    let producer = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(CHUNK);
        let mut rows: u32 = 0;
        let r = reader::for_each_row(&bytes, |n, cells| {
            if n <= header_row {
                return Ok(true);
            }
            rows += 1;
            if rows > MAX_ROWS {
                return Err("import.too_many_rows");
            }
            batch.push((n, cells));
            if batch.len() == CHUNK {
                return Ok(send.blocking_send(std::mem::take(&mut batch)).is_ok());
            }
            Ok(true)
        });
        if r.is_ok() && !batch.is_empty() {
            let _ = send.blocking_send(batch);
        }
        r
    });
    let mut tx = if apply {
        app.db.begin_write().await
    } else {
        app.db.begin_read().await
    }
    .map_err(|e| (ImportResult::default(), Some(e.into())))?;
    let mut run = match Run::new(&mut tx, w, apply).await {
        Ok(r) => r,
        Err(e) => return Err((ImportResult::default(), Some(e))),
    };
    while let Some(chunk) = chunks.recv().await {
        let n = chunk.len() as u64;
        if let Err(e) = run.chunk(&mut tx, chunk).await {
            return Err((run.out, Some(e)));
        }
        w.progress.rows_done.fetch_add(n, Ordering::Relaxed);
    }
    match producer.await {
        Ok(Ok(())) => {}
        Ok(Err(code)) => return Err((run.out, Some(Invalid::field("file", code).into()))),
        Err(e) => return Err((run.out, Some(internal(e)))),
    }
    let p = &run.phases;
    tracing::info!(
        job = %id, apply, rows = run.out.rows,
        keys_ms = p.keys.as_millis() as u64, rows_ms = p.rows.as_millis() as u64,
        similar_ms = p.similar.as_millis() as u64, write_ms = p.write.as_millis() as u64,
        "import run read the whole file"
    );
    let mut result = run.out;
    result.elapsed_ms = started.elapsed().as_millis() as u64;
    if result.error_rows > 0 {
        // Nothing was written (or it is rolled back with the transaction).
        drop(tx);
        return Err((result, None));
    }
    let json = serde_json::to_string(&result).map_err(|e| (result.clone(), Some(internal(e))))?;
    let options_json = serde_json::to_string(w.opts).unwrap_or_default();
    let finish = async {
        if apply {
            record(
                &mut tx,
                By::Actor(w.actor),
                meta,
                "customers.imported",
                "import",
                id,
                None::<&()>,
                Some(&serde_json::json!({
                    "fileName": file_name,
                    "sha256": sha,
                    "mode": w.opts.mode,
                    "matchBy": w.opts.match_by,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "contactsAdded": result.contacts_added,
                    "contactsUpdated": result.contacts_updated,
                })),
            )
            .await?;
            imports::set_outcome(
                &mut tx,
                id,
                "imported",
                &options_json,
                &json,
                true,
                now_ms(),
            )
            .await?;
            tx.commit().await?;
        } else {
            tx.commit().await?;
            let mut wtx = app.db.begin_write().await?;
            imports::set_outcome(
                &mut wtx,
                id,
                "validated",
                &options_json,
                &json,
                false,
                now_ms(),
            )
            .await?;
            wtx.commit().await?;
        }
        Ok::<(), AppError>(())
    };
    finish.await.map_err(|e| (result, Some(e)))
}

// ---- one run -------------------------------------------------------------------------------

/// The first row of the file that named a customer, for the rows after it.
struct Seen {
    row: u32,
    customer_id: Uuid,
    /// The customer cells of that row (their fingerprint; 0: none), to tell a further
    /// contact from a duplicate.
    customer_cells: u64,
}

/// A 64-bit fingerprint: what the run remembers of every row's keys, so 200,000 rows cost
/// a few megabytes (a collision is about 10^-9 likely at that size).
fn fingerprint<T: std::hash::Hash + ?Sized>(v: &T) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish().max(1)
}

/// Company-defined values to store: (field, values).
type ValueChanges = Vec<(Uuid, Vec<StoredValue>)>;

/// What one row will do.
enum Action {
    Create(ValueChanges, Box<BulkCustomer>, Option<ContactFields>),
    Update {
        id: Uuid,
        version: i64,
        fields: Option<Box<CustomerFields>>,
        external_id: Option<String>,
        values: ValueChanges,
        contact: Option<ContactChange>,
    },
}

enum ContactChange {
    Add(ContactFields),
    Update(Uuid, i64, ContactFields),
}

struct Run<'a> {
    w: &'a Work<'a>,
    apply: bool,
    options: Vec<OptionRow>,
    owners: Vec<OwnerCandidate>,
    limits: Vec<LimitRow>,
    default_owner: (Uuid, Uuid),
    /// identity key (see `identity`, fingerprinted) -> the first row with it
    seen: HashMap<u64, Seen>,
    /// "cc:…", "nk:…", "ex:…" -> the identity key of the row that first held it (fingerprints)
    keys: HashMap<u64, u64>,
    /// customers (new in this import, or existing) known to have a primary contact
    has_primary: HashSet<Uuid>,
    /// new customers per owner so far: (all levels, per level)
    new_per_owner: HashMap<Uuid, (i64, HashMap<String, i64>)>,
    owned_before: HashMap<(Uuid, Option<String>), i64>,
    /// name gram (fingerprinted) -> customers holding it before the run, counted up to
    /// `COMMON_GRAM`: which grams to look up for similar names
    gram_counts: HashMap<u64, i64>,
    /// An id (time-ordered, UUID v7) made as the run started: the customers there were
    /// before have lower ids. Similar names are looked for among those only, so the
    /// import warns of what its validation did, not of its own earlier rows.
    existing_before: Uuid,
    phases: Phases,
    now: i64,
    out: ImportResult,
}

/// Where a run's time went, for the log: looking up the chunks' keys, checking rows,
/// looking up similar names, writing.
#[derive(Default)]
struct Phases {
    keys: std::time::Duration,
    rows: std::time::Duration,
    similar: std::time::Duration,
    write: std::time::Duration,
}

/// A new customer's name to look up among similar names.
struct NameProbe {
    row: u32,
    column: Option<usize>,
    name: String,
    grams: Vec<String>,
}

/// Why a cell is refused whatever its column: an Excel error value. Text that begins with
/// = + - @ is text like any other (an export neutralises it again).
fn refused_cell(v: &str) -> Option<&'static str> {
    (v == reader::ERROR_CELL).then_some("import.cell_error")
}

/// The cells of one row by field, cleaned, empty ones left out.
type Cells = Vec<(ImportField, usize, String)>;

/// The company-defined fields' cells of one row: (index into the definitions, column,
/// text), empty ones left out.
type CustomCells = Vec<(usize, usize, String)>;

fn cell(cells: &Cells, f: ImportField) -> Option<&str> {
    cells
        .iter()
        .find(|(g, _, _)| *g == f)
        .map(|(_, _, v)| v.as_str())
}

fn column_of(cells: &Cells, fields: &[Option<ImportField>], f: ImportField) -> Option<usize> {
    cells
        .iter()
        .find(|(g, _, _)| *g == f)
        .map(|(_, i, _)| *i)
        .or_else(|| fields.iter().position(|g| *g == Some(f)))
}

/// The customer part of a row (not its keys, owner or contact), to compare repeated rows:
/// its fingerprint, 0 when the row has none.
fn customer_cells(cells: &Cells, custom: &CustomCells) -> u64 {
    let part: Vec<(ImportField, &str)> = cells
        .iter()
        .filter(|(f, _, _)| {
            !f.is_contact()
                && !matches!(
                    f,
                    ImportField::Name
                        | ImportField::CreditCode
                        | ImportField::ExternalId
                        | ImportField::Owner
                )
        })
        .map(|(f, _, v)| (*f, v.as_str()))
        .collect();
    if part.is_empty() && custom.is_empty() {
        0
    } else {
        fingerprint(&(part, custom))
    }
}

/// A pick-list cell as the user mapped it (值对应), or as it is.
fn mapped_value<'a>(opts: &'a ImportOptions, field: &str, raw: &'a str) -> &'a str {
    opts.values
        .get(field)
        .and_then(|m| m.get(raw.trim()))
        .map_or(raw, String::as_str)
}

/// A company-defined select cell as the user mapped it; each value of a multi-select.
fn mapped_custom_value(opts: &ImportOptions, def: &FieldDef, raw: &str) -> String {
    let key = custom_field_key(&def.code);
    match def.kind {
        salesdesk_domain::custom_field::FieldKind::MultiSelect => split_tags(raw)
            .iter()
            .map(|v| mapped_value(opts, &key, v).to_owned())
            .collect::<Vec<_>>()
            .join(","),
        _ => mapped_value(opts, &key, raw).to_owned(),
    }
}

/// A pick-list cell may hold the code, the Chinese or the English label.
fn option_code(options: &[OptionRow], kind: OptionKind, v: &str) -> String {
    let t = v.trim();
    options
        .iter()
        .filter(|o| o.kind == kind.as_str())
        .find(|o| {
            o.code.eq_ignore_ascii_case(t)
                || o.name == t
                || o.name_en.eq_ignore_ascii_case(t)
                || normalise_header(&o.name) == normalise_header(t)
                || normalise_header(&o.name_en) == normalise_header(t)
        })
        .map_or_else(|| t.to_owned(), |o| o.code.clone())
}

fn input_of(row: &CustomerRow, tags: Vec<String>) -> CustomerInput {
    CustomerInput {
        name: row.name.clone(),
        short_name: row.short_name.clone(),
        credit_code: row.credit_code.clone(),
        type_code: row.type_code.clone(),
        level_code: row.level_code.clone(),
        status_code: row.status_code.clone(),
        industry_code: row.industry_code.clone(),
        source_code: row.source_code.clone(),
        province: row.province.clone(),
        city: row.city.clone(),
        district: row.district.clone(),
        address: row.address.clone(),
        lat: row.lat,
        lon: row.lon,
        notes: row.notes.clone(),
        tags,
        custom_fields: Default::default(),
    }
}

fn contact_input_of(k: &ContactRow) -> ContactInput {
    ContactInput {
        name: k.name.clone(),
        title: k.title.clone(),
        role: k.role.clone(),
        mobile: k.mobile.clone(),
        phone: k.phone.clone(),
        email: k.email.clone(),
        wechat: k.wechat.clone(),
        birthday: k.birthday.clone(),
        is_primary: k.is_primary,
        left: k.left_at.is_some(),
    }
}

/// The validation field name of a contact field (see `parse_contact`'s prefix).
fn contact_field(name: &str) -> Option<ImportField> {
    Some(match name {
        "contact.name" => ImportField::ContactName,
        "contact.title" => ImportField::ContactTitle,
        "contact.role" => ImportField::ContactRole,
        "contact.mobile" => ImportField::ContactMobile,
        "contact.phone" => ImportField::ContactPhone,
        "contact.email" => ImportField::ContactEmail,
        "contact.wechat" => ImportField::ContactWechat,
        "contact.birthday" => ImportField::ContactBirthday,
        _ => return None,
    })
}

fn has_contact(cells: &Cells) -> bool {
    cells.iter().any(|(f, _, _)| f.is_contact())
}

fn overlay_contact(base: &mut ContactInput, cells: &Cells) {
    let set = |v: Option<&str>, slot: &mut Option<String>| {
        if let Some(v) = v {
            *slot = Some(v.to_owned());
        }
    };
    if let Some(n) = cell(cells, ImportField::ContactName) {
        base.name = n.to_owned();
    }
    set(cell(cells, ImportField::ContactTitle), &mut base.title);
    if let Some(r) = cell(cells, ImportField::ContactRole) {
        base.role = Some(contact_role_code(r));
    }
    set(cell(cells, ImportField::ContactMobile), &mut base.mobile);
    set(cell(cells, ImportField::ContactPhone), &mut base.phone);
    set(cell(cells, ImportField::ContactEmail), &mut base.email);
    set(cell(cells, ImportField::ContactWechat), &mut base.wechat);
    if let Some(b) = cell(cells, ImportField::ContactBirthday) {
        base.birthday = Some(loose_date(b));
    }
}

fn identity(match_by: MatchBy, cc: Option<&str>, nk: &str, ex: Option<&str>) -> String {
    match (match_by, cc, ex) {
        (MatchBy::ExternalId, _, Some(e)) => format!("ex:{e}"),
        (MatchBy::CreditCode, Some(c), _) => format!("cc:{c}"),
        _ => format!("nk:{nk}"),
    }
}

impl<'a> Run<'a> {
    async fn new(tx: &mut Tx, w: &'a Work<'a>, apply: bool) -> AppResult<Run<'a>> {
        let default_owner = match w.opts.default_owner_id {
            Some(o) => recipient(tx, w.actor, o, "defaultOwnerId").await?,
            None => (w.actor.user_id, w.actor.unit_id),
        };
        Ok(Run {
            w,
            apply,
            options: customers::options(tx).await?,
            owners: imports::owner_candidates(tx).await?,
            limits: customers::limits(tx).await?,
            default_owner,
            seen: HashMap::new(),
            keys: HashMap::new(),
            has_primary: HashSet::new(),
            new_per_owner: HashMap::new(),
            owned_before: HashMap::new(),
            gram_counts: HashMap::new(),
            existing_before: Uuid::now_v7(),
            phases: Phases::default(),
            now: now_ms(),
            out: ImportResult::default(),
        })
    }

    fn fail(
        &mut self,
        row: u32,
        column: Option<usize>,
        f: Option<ImportField>,
        code: &str,
        other: Option<u32>,
    ) {
        self.fail_field(row, column, f.map(|f| f.key().to_owned()), code, other);
    }

    /// An error of a field by its validation name (`customFields.<code>` for the company's).
    fn fail_field(
        &mut self,
        row: u32,
        column: Option<usize>,
        field: Option<String>,
        code: &str,
        other: Option<u32>,
    ) {
        if self.out.errors.len() < MAX_KEPT_ERRORS {
            self.out.errors.push(RowError {
                row,
                column,
                field,
                code: code.to_owned(),
                other_row: other,
                similar: None,
            });
        }
    }

    fn warn(&mut self, row: u32, column: Option<usize>, f: ImportField, code: &str) {
        self.warn_similar(row, column, f, code, None);
    }

    fn warn_similar(
        &mut self,
        row: u32,
        column: Option<usize>,
        f: ImportField,
        code: &str,
        similar: Option<SimilarName>,
    ) {
        self.out.warning_count += 1;
        if self.out.warnings.len() < MAX_KEPT_WARNINGS {
            self.out.warnings.push(RowError {
                row,
                column,
                field: Some(f.key().to_owned()),
                code: code.to_owned(),
                other_row: None,
                similar,
            });
        }
    }

    /// Finds the user an owner cell names: login name, mobile, or a display name only one
    /// active user has.
    fn owner_named(&self, v: &str) -> Result<&OwnerCandidate, &'static str> {
        if let Some(u) = self.owners.iter().find(|u| u.username == v) {
            return Ok(u);
        }
        if let Some(u) = self.owners.iter().find(|u| u.mobile.as_deref() == Some(v)) {
            return Ok(u);
        }
        let mut named = self.owners.iter().filter(|u| u.display_name == v);
        match (named.next(), named.next()) {
            (Some(u), None) => Ok(u),
            (Some(_), Some(_)) => Err("import.owner_ambiguous"),
            _ => Err("user.not_found"),
        }
    }

    fn in_owner_scope(&self, u: &OwnerCandidate) -> bool {
        let (Ok(report), Ok(unit)) = (OrgPath::parse(&u.report_path), OrgPath::parse(&u.unit_path))
        else {
            return false;
        };
        self.w
            .actor
            .scope(ScopeModule::Customers)
            .contains(u.id, &report, u.unit_id, &unit)
    }

    async fn owned(&mut self, tx: &mut Tx, owner: Uuid, level: Option<&str>) -> AppResult<i64> {
        let key = (owner, level.map(str::to_owned));
        if let Some(n) = self.owned_before.get(&key) {
            return Ok(*n);
        }
        let n = customers::count_owned(tx, owner, level).await?;
        self.owned_before.insert(key, n);
        Ok(n)
    }

    /// The ownership limit (客户保护) an owner would pass with one more new customer.
    async fn over_limit(
        &mut self,
        tx: &mut Tx,
        owner: Uuid,
        level: Option<&str>,
    ) -> AppResult<bool> {
        let limits = self.limits.clone();
        let (all_new, per_level) = self.new_per_owner.get(&owner).cloned().unwrap_or_default();
        for l in limits {
            let Some(max) = l.max_owned else { continue };
            let (of_level, new) = if l.level_code == "*" {
                (None, all_new)
            } else if Some(l.level_code.as_str()) == level {
                (level, per_level.get(&l.level_code).copied().unwrap_or(0))
            } else {
                continue;
            };
            let before = self.owned(tx, owner, of_level).await?;
            if before + new + 1 > max {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn chunk(&mut self, tx: &mut Tx, rows: Vec<(u32, Vec<String>)>) -> AppResult<()> {
        let fields = self.w.fields;
        let mode = self.w.opts.mode;
        // 1. Cells by field; error cells are refused.
        let mut parsed: Vec<(u32, Cells, bool)> = Vec::with_capacity(rows.len());
        let mut customs: Vec<CustomCells> = Vec::with_capacity(rows.len());
        let w = self.w;
        for (n, raw) in rows {
            let mut cells: Cells = Vec::new();
            let mut custom: CustomCells = Vec::new();
            let mut bad = false;
            for (col, d) in w.custom {
                let Some(v) = raw.get(*col).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
                    continue;
                };
                if let Some(code) = refused_cell(v) {
                    let field = format!("customFields.{}", w.defs[*d].code);
                    self.fail_field(n, Some(*col), Some(field), code, None);
                    bad = true;
                } else {
                    custom.push((*d, *col, v.to_owned()));
                }
            }
            customs.push(custom);
            for (i, v) in raw.into_iter().enumerate() {
                let Some(Some(f)) = fields.get(i).copied() else {
                    continue;
                };
                if let Some(code) = refused_cell(&v) {
                    self.fail(n, Some(i), Some(f), code, None);
                    bad = true;
                    continue;
                }
                let v = clean_cell(f, &v);
                if !v.is_empty() {
                    cells.push((f, i, v));
                }
            }
            parsed.push((n, cells, bad));
        }
        let t0 = Instant::now();
        // 2. The chunk's keys, and the customers holding them.
        let mut ccs = Vec::new();
        let mut nks = Vec::new();
        let mut exs = Vec::new();
        let mut mobiles = Vec::new();
        for (_, cells, _) in &parsed {
            if let Some(c) =
                cell(cells, ImportField::CreditCode).and_then(|c| CreditCode::parse(c).ok())
            {
                ccs.push(c.as_str().to_owned());
            }
            if let Some(n) = cell(cells, ImportField::Name) {
                let k = normalise_company_name(n);
                if !k.is_empty() {
                    nks.push(k);
                }
            }
            if let Some(e) = cell(cells, ImportField::ExternalId) {
                exs.push(e.to_owned());
            }
            if let Some(m) = cell(cells, ImportField::ContactMobile)
                .and_then(|m| salesdesk_domain::user::Mobile::parse(m).ok())
            {
                mobiles.push(m.as_str().to_owned());
            }
        }
        for v in [&mut ccs, &mut nks, &mut exs, &mut mobiles] {
            v.sort();
            v.dedup();
        }
        let found = imports::customers_by_keys(tx, &ccs, &nks, &exs).await?;
        let by_cc: HashMap<&str, Uuid> = found
            .iter()
            .filter_map(|k| k.credit_code.as_deref().map(|c| (c, k.id)))
            .collect();
        let mut by_nk: HashMap<&str, Vec<Uuid>> = HashMap::new();
        for k in &found {
            by_nk.entry(k.name_key.as_str()).or_default().push(k.id);
        }
        let by_ex: HashMap<&str, Uuid> = found
            .iter()
            .filter_map(|k| k.external_id.as_deref().map(|e| (e, k.id)))
            .collect();
        let mobile_owners = imports::contacts_by_mobiles(tx, &mobiles).await?;
        // 3. Each row's match, then the matched customers in full (those in charge only).
        let match_by = self.w.opts.match_by;
        let match_of =
            |cc: Option<&str>, nk: &str, ex: Option<&str>| -> Result<Option<Uuid>, &'static str> {
                let by_name = || match by_nk.get(nk).map(Vec::as_slice) {
                    Some([one]) => Ok(Some(*one)),
                    Some([_, _, ..]) => Err("import.name_ambiguous"),
                    _ => Ok(None),
                };
                match match_by {
                    MatchBy::ExternalId => Ok(ex.and_then(|e| by_ex.get(e).copied())),
                    MatchBy::CreditCode => match cc {
                        Some(c) => Ok(by_cc.get(c).copied()),
                        None => by_name(),
                    },
                    MatchBy::Name => by_name(),
                }
            };
        let row_keys: Vec<(Option<String>, String, Option<String>)> = parsed
            .iter()
            .map(|(_, cells, _)| {
                (
                    cell(cells, ImportField::CreditCode)
                        .and_then(|c| CreditCode::parse(c).ok())
                        .map(|c| c.as_str().to_owned()),
                    cell(cells, ImportField::Name)
                        .map(normalise_company_name)
                        .unwrap_or_default(),
                    cell(cells, ImportField::ExternalId).map(str::to_owned),
                )
            })
            .collect();
        let mut wanted: Vec<Uuid> = Vec::new();
        for (cc, nk, ex) in &row_keys {
            if let Ok(Some(id)) = match_of(cc.as_deref(), nk, ex.as_deref()) {
                wanted.push(id);
            }
            if let Some(s) = self.seen.get(&fingerprint(&identity(
                match_by,
                cc.as_deref(),
                nk,
                ex.as_deref(),
            ))) {
                wanted.push(s.customer_id);
            }
        }
        wanted.sort();
        wanted.dedup();
        let in_charge: HashSet<Uuid> = customers::visible_ids(tx, &charge(self.w.actor), &wanted)
            .await?
            .into_iter()
            .collect();
        let charged: Vec<Uuid> = wanted
            .iter()
            .copied()
            .filter(|i| in_charge.contains(i))
            .collect();
        let existing: HashMap<Uuid, CustomerRow> = customers::rows_by_ids(tx, &charged)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (id, t) in customers::tags_of(tx, &charged).await? {
            tags.entry(id).or_default().push(t);
        }
        // Their company-defined values, when the file fills any: customer -> field -> texts.
        let mut values: HashMap<Uuid, HashMap<Uuid, Vec<String>>> = HashMap::new();
        if !w.custom.is_empty() {
            for (customer, field, text, _) in
                salesdesk_store::custom_fields::values_of(tx, &charged).await?
            {
                values
                    .entry(customer)
                    .or_default()
                    .entry(field)
                    .or_default()
                    .push(text);
            }
        }
        let mut contacts: HashMap<Uuid, Vec<ContactRow>> = HashMap::new();
        for k in customers::contacts_of_many(tx, &charged).await? {
            if k.is_primary {
                self.has_primary.insert(k.customer_id);
            }
            contacts.entry(k.customer_id).or_default().push(k);
        }

        self.phases.keys += t0.elapsed();
        let t1 = Instant::now();
        // 4. Each row.
        let mut actions: Vec<Action> = Vec::new();
        let mut probes: Vec<NameProbe> = Vec::new();
        for (((n, cells, bad), (cc, nk, ex)), custom) in
            parsed.into_iter().zip(row_keys).zip(customs)
        {
            let mut row_failed = bad;
            macro_rules! fail {
                ($f:expr, $code:expr, $other:expr) => {{
                    let f: Option<ImportField> = $f;
                    let column = f.and_then(|f| column_of(&cells, fields, f));
                    self.fail(n, column, f, $code, $other);
                    row_failed = true;
                }};
            }
            self.out.rows += 1;
            let identity = identity(match_by, cc.as_deref(), &nk, ex.as_deref());
            let key_field = if identity.starts_with("ex:") {
                ImportField::ExternalId
            } else if identity.starts_with("cc:") {
                ImportField::CreditCode
            } else {
                ImportField::Name
            };
            // A customer the file named before: another contact of it, or a duplicate.
            let keyless = identity == "nk:";
            let identity_fp = fingerprint(&identity);
            if let Some(first) = self.seen.get(&identity_fp).filter(|_| !keyless) {
                let same = customer_cells(&cells, &custom);
                let first_row = first.row;
                let first_id = first.customer_id;
                if (same != 0 && same != first.customer_cells) || !has_contact(&cells) {
                    fail!(Some(key_field), "import.duplicate_in_file", Some(first_row));
                } else if !row_failed {
                    let base = existing.get(&first_id);
                    match self.contact_change(
                        n,
                        &cells,
                        first_id,
                        contacts.get(&first_id),
                        &mobile_owners,
                    ) {
                        Ok(Some(ch)) => actions.push(Action::Update {
                            id: first_id,
                            version: base.map_or(0, |b| b.version),
                            fields: None,
                            external_id: None,
                            values: Vec::new(),
                            contact: Some(ch),
                        }),
                        Ok(None) => {}
                        Err(errs) => {
                            for (f, code) in errs {
                                fail!(Some(f), code, None);
                            }
                        }
                    }
                }
                if row_failed {
                    self.out.error_rows += 1;
                }
                continue;
            }
            // Another key of this row already named a different customer of the file.
            for (prefix, v, f) in [
                ("cc:", cc.as_deref(), ImportField::CreditCode),
                (
                    "nk:",
                    Some(nk.as_str()).filter(|k| !k.is_empty()),
                    ImportField::Name,
                ),
                ("ex:", ex.as_deref(), ImportField::ExternalId),
            ] {
                let Some(v) = v else { continue };
                let k = fingerprint(&format!("{prefix}{v}"));
                if let Some(owner) = self.keys.get(&k)
                    && *owner != identity_fp
                {
                    let other = self.seen.get(owner).map(|s| s.row);
                    fail!(Some(f), "import.duplicate_in_file", other);
                }
            }
            let matched = match match_of(cc.as_deref(), &nk, ex.as_deref()) {
                Ok(m) => m,
                Err(code) => {
                    fail!(Some(ImportField::Name), code, None);
                    None
                }
            };
            let customer_id = matched.unwrap_or_else(Uuid::now_v7);
            if !keyless {
                self.seen.insert(
                    identity_fp,
                    Seen {
                        row: n,
                        customer_id,
                        customer_cells: customer_cells(&cells, &custom),
                    },
                );
            }
            for (prefix, v) in [
                ("cc:", cc.as_deref()),
                ("nk:", Some(nk.as_str()).filter(|k| !k.is_empty())),
                ("ex:", ex.as_deref()),
            ] {
                if let Some(v) = v {
                    self.keys
                        .entry(fingerprint(&format!("{prefix}{v}")))
                        .or_insert(identity_fp);
                }
            }
            let base = match (matched, mode) {
                (Some(_), ImportMode::Insert) => {
                    let (f, code) = match key_field {
                        ImportField::ExternalId => {
                            (ImportField::ExternalId, "customer.external_id_taken")
                        }
                        ImportField::CreditCode => {
                            (ImportField::CreditCode, "customer.duplicate_credit_code")
                        }
                        _ => (ImportField::Name, "customer.duplicate_name"),
                    };
                    fail!(Some(f), code, None);
                    None
                }
                (None, ImportMode::Update) => {
                    fail!(Some(key_field), "import.customer_not_found", None);
                    None
                }
                (Some(id), _) => match existing.get(&id) {
                    Some(row) => Some(row),
                    None => {
                        fail!(Some(key_field), "import.customer_outside_scope", None);
                        None
                    }
                },
                (None, _) => None,
            };
            if row_failed && (matched.is_some() || mode == ImportMode::Update) && base.is_none() {
                self.out.error_rows += 1;
                continue;
            }
            // The customer's fields: the existing ones with the row's cells over them.
            let mut input = match base {
                Some(b) => input_of(b, tags.get(&b.id).cloned().unwrap_or_default()),
                None => CustomerInput::default(),
            };
            let text = |f: ImportField| cell(&cells, f).map(str::to_owned);
            if let Some(v) = text(ImportField::Name) {
                input.name = v;
            }
            macro_rules! overlay {
                ($field:expr, $slot:ident) => {
                    if let Some(v) = text($field) {
                        input.$slot = Some(v);
                    }
                };
                ($field:expr, $slot:ident, $kind:expr) => {
                    if let Some(v) = text($field) {
                        let v = mapped_value(w.opts, $field.key(), &v);
                        input.$slot = Some(option_code(&self.options, $kind, v));
                    }
                };
            }
            overlay!(ImportField::ShortName, short_name);
            overlay!(ImportField::CreditCode, credit_code);
            overlay!(ImportField::TypeCode, type_code, OptionKind::Type);
            overlay!(ImportField::LevelCode, level_code, OptionKind::Level);
            overlay!(ImportField::StatusCode, status_code, OptionKind::Status);
            overlay!(
                ImportField::IndustryCode,
                industry_code,
                OptionKind::Industry
            );
            overlay!(ImportField::SourceCode, source_code, OptionKind::Source);
            overlay!(ImportField::Province, province);
            overlay!(ImportField::City, city);
            overlay!(ImportField::District, district);
            overlay!(ImportField::Address, address);
            overlay!(ImportField::Notes, notes);
            if let Some(t) = text(ImportField::Tags) {
                input.tags = split_tags(&t);
            }
            for (f, slot) in [
                (ImportField::Lat, &mut input.lat),
                (ImportField::Lon, &mut input.lon),
            ] {
                if let Some(v) = text(f) {
                    match v.parse::<f64>() {
                        Ok(x) if x.is_finite() => *slot = Some(x),
                        _ => fail!(Some(f), "location.invalid", None),
                    }
                }
            }
            let mut c = Checker::new();
            let new_fields = parse_fields(&mut c, &self.options, &input);
            if let Err(Invalid(errs)) = c.finish() {
                for e in errs {
                    let f = ImportField::parse(&e.field);
                    fail!(f.or(Some(ImportField::Name)), e.code, None);
                }
            }
            // Exact duplicates of another customer: the same credit code or name.
            let others = |k: &str, of: &HashMap<&str, Uuid>| {
                of.get(k).is_some_and(|id| Some(*id) != matched)
            };
            if let Some(code) = &new_fields.credit_code
                && others(code, &by_cc)
            {
                fail!(
                    Some(ImportField::CreditCode),
                    "customer.duplicate_credit_code",
                    None
                );
            }
            if by_nk
                .get(new_fields.name_key.as_str())
                .is_some_and(|ids| ids.iter().any(|id| Some(*id) != matched))
                && matched.is_some()
            {
                fail!(Some(ImportField::Name), "customer.duplicate_name", None);
            }
            if matched.is_none()
                && by_nk.contains_key(new_fields.name_key.as_str())
                && key_field != ImportField::Name
            {
                fail!(Some(ImportField::Name), "customer.duplicate_name", None);
            }
            if let Some(e) = &ex
                && by_ex.get(e.as_str()).is_some_and(|id| Some(*id) != matched)
            {
                fail!(
                    Some(ImportField::ExternalId),
                    "customer.external_id_taken",
                    None
                );
            }
            // Company-defined fields: a filled cell sets the value, an empty one keeps it; a
            // new customer needs every required one.
            let current = base.and_then(|b| values.get(&b.id));
            let mut value_changes: Vec<(Uuid, Vec<StoredValue>)> = Vec::new();
            let mut filled: Vec<usize> = Vec::new();
            for (d, col, v) in &custom {
                let def = &w.defs[*d];
                let now: &[String] = current
                    .and_then(|c| c.get(&def.id))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let v = mapped_custom_value(w.opts, def, v);
                match parse_value(def, &custom_field_input(def, &v), now) {
                    Ok(vals) if vals.is_empty() => {}
                    Ok(vals) => {
                        filled.push(*d);
                        let mut new: Vec<&str> = vals.iter().map(|x| x.text.as_str()).collect();
                        let mut old: Vec<&str> = now.iter().map(String::as_str).collect();
                        new.sort_unstable();
                        old.sort_unstable();
                        if new != old {
                            value_changes.push((def.id, vals));
                        }
                    }
                    Err(code) => {
                        // Filled, wrongly: one error is enough.
                        filled.push(*d);
                        let field = format!("customFields.{}", def.code);
                        self.fail_field(n, Some(*col), Some(field), code, None);
                        row_failed = true;
                    }
                }
            }
            if base.is_none() {
                for (d, def) in w.defs.iter().enumerate() {
                    if def.required_on_create() && !filled.contains(&d) {
                        let col = w.custom.iter().find(|(_, e)| *e == d).map(|(c, _)| *c);
                        let field = format!("customFields.{}", def.code);
                        self.fail_field(n, col, Some(field), "required", None);
                        row_failed = true;
                    }
                }
            }
            // Owner: who gets a new customer; an existing one keeps theirs (transfer moves it).
            let owner = match cell(&cells, ImportField::Owner) {
                Some(v) => match self.owner_named(v) {
                    Ok(u) if base.is_some_and(|b| b.owner_id != Some(u.id)) => {
                        fail!(Some(ImportField::Owner), "import.owner_change", None);
                        None
                    }
                    Ok(u) if base.is_none() && !self.in_owner_scope(u) => {
                        fail!(
                            Some(ImportField::Owner),
                            "customer.recipient_outside_scope",
                            None
                        );
                        None
                    }
                    Ok(u) => Some((u.id, u.unit_id)),
                    Err(code) => {
                        fail!(Some(ImportField::Owner), code, None);
                        None
                    }
                },
                None => Some(self.default_owner),
            };
            if base.is_none()
                && let Some((o, _)) = owner
                && !row_failed
                && self
                    .over_limit(tx, o, new_fields.level_code.as_deref())
                    .await?
            {
                fail!(
                    Some(ImportField::Owner),
                    "customer.owner_limit_reached",
                    None
                );
            }
            // The contact of the row.
            let contact = if has_contact(&cells) {
                match self.contact_change(
                    n,
                    &cells,
                    customer_id,
                    base.and_then(|b| contacts.get(&b.id)),
                    &mobile_owners,
                ) {
                    Ok(ch) => ch,
                    Err(errs) => {
                        for (f, code) in errs {
                            fail!(Some(f), code, None);
                        }
                        None
                    }
                }
            } else {
                None
            };
            if row_failed {
                self.out.error_rows += 1;
                continue;
            }
            match base {
                None => {
                    let (owner_id, unit_id) = owner.unwrap_or(self.default_owner);
                    let e = self.new_per_owner.entry(owner_id).or_default();
                    e.0 += 1;
                    if let Some(l) = &new_fields.level_code {
                        *e.1.entry(l.clone()).or_default() += 1;
                    }
                    self.out.created += 1;
                    probes.push(NameProbe {
                        row: n,
                        column: column_of(&cells, fields, ImportField::Name),
                        name: new_fields.name.clone(),
                        grams: company_name_grams(&new_fields.name),
                    });
                    let contact = contact.map(|ch| match ch {
                        ContactChange::Add(k) | ContactChange::Update(_, _, k) => k,
                    });
                    actions.push(Action::Create(
                        value_changes,
                        Box::new(BulkCustomer {
                            id: customer_id,
                            seq: 0,
                            fields: new_fields,
                            owner_id: Some(owner_id),
                            unit_id,
                            pool_id: None,
                            locked: false,
                            last_followup_at: None,
                            next_followup_at: None,
                            owned_since: Some(self.now),
                            created_by: Some(self.w.actor.user_id),
                            created_at: self.now,
                            external_id: ex.clone(),
                        }),
                        contact,
                    ));
                }
                Some(b) => {
                    let mut c0 = Checker::new();
                    let old_fields = parse_fields(
                        &mut c0,
                        &self.options,
                        &input_of(b, tags.get(&b.id).cloned().unwrap_or_default()),
                    );
                    // Tags are a set: the order they were written in is no change.
                    let sorted = |f: &CustomerFields| {
                        let mut t = f.tags.clone();
                        t.sort();
                        t
                    };
                    let same = CustomerFields {
                        tags: Vec::new(),
                        ..old_fields.clone()
                    } == CustomerFields {
                        tags: Vec::new(),
                        ..new_fields.clone()
                    } && sorted(&old_fields) == sorted(&new_fields);
                    let values_changed = !value_changes.is_empty();
                    // A change of custom values alone still makes a new version of the
                    // customer, so an edit made meanwhile from an older one is refused.
                    let fields_changed = !same || c0.finish().is_err() || values_changed;
                    let ex_changed = ex
                        .as_ref()
                        .is_some_and(|e| b.external_id.as_ref() != Some(e));
                    if fields_changed || ex_changed {
                        self.out.updated += 1;
                    } else if contact.is_none() {
                        self.out.unchanged += 1;
                    }
                    if fields_changed || ex_changed || contact.is_some() {
                        actions.push(Action::Update {
                            id: b.id,
                            version: b.version,
                            fields: fields_changed.then(|| Box::new(new_fields)),
                            external_id: if ex_changed { ex.clone() } else { None },
                            values: value_changes,
                            contact,
                        });
                    }
                }
            }
        }
        self.phases.rows += t1.elapsed();
        let t2 = Instant::now();
        self.warn_similar_names(tx, probes).await?;
        self.phases.similar += t2.elapsed();
        let t3 = Instant::now();
        if self.apply && self.out.error_rows == 0 {
            self.write(tx, actions).await?;
            self.phases.write += t3.elapsed();
        }
        Ok(())
    }

    /// How many of the customers there were before the import hold each gram not met yet.
    async fn learn_gram_counts<'g>(
        &mut self,
        tx: &mut Tx,
        grams: impl Iterator<Item = &'g String>,
    ) -> AppResult<()> {
        let mut unknown: Vec<String> = grams
            .filter(|g| !self.gram_counts.contains_key(&fingerprint(g.as_str())))
            .cloned()
            .collect();
        unknown.sort();
        unknown.dedup();
        let counts =
            customers::gram_frequencies(tx, &unknown, COMMON_GRAM, Some(self.existing_before))
                .await?;
        for (g, n) in unknown.iter().zip(counts) {
            self.gram_counts.insert(fingerprint(g.as_str()), n);
        }
        Ok(())
    }

    /// 查重 of new customers' names against similar names of the customers there were
    /// before the import (the same names are refused above): a warning per row naming the
    /// most alike, masked outside the importer's scope. A chunk's names are looked up
    /// together: the counts of grams not met before, then the postings of each name's
    /// rarest grams (`dedupe::grams_to_probe`), then the candidates' names.
    async fn warn_similar_names(&mut self, tx: &mut Tx, probes: Vec<NameProbe>) -> AppResult<()> {
        if probes.is_empty() {
            return Ok(());
        }
        let grams: Vec<&[String]> = probes.iter().map(|p| p.grams.as_slice()).collect();
        self.learn_gram_counts(tx, grams.iter().flat_map(|g| g.iter()))
            .await?;
        let asks: Vec<Vec<&str>> = grams
            .iter()
            .map(|gs| {
                let counts: Vec<i64> = gs
                    .iter()
                    .map(|g| self.gram_counts[&fingerprint(g.as_str())])
                    .collect();
                grams_to_probe(gs, &counts)
            })
            .collect();
        let mut wanted: Vec<String> = asks
            .iter()
            .flat_map(|a| a.iter().map(|g| (*g).to_owned()))
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut postings: HashMap<String, Vec<Uuid>> = HashMap::new();
        for (g, id) in customers::gram_postings(tx, &wanted, self.existing_before).await? {
            postings.entry(g).or_default().push(id);
        }
        let mut candidates: Vec<(usize, Uuid)> = Vec::new();
        for (i, probe) in asks.iter().enumerate() {
            let mut shared: HashMap<Uuid, usize> = HashMap::new();
            for g in probe {
                for id in postings.get(*g).into_iter().flatten() {
                    *shared.entry(*id).or_default() += 1;
                }
            }
            let mut hits: Vec<(Uuid, usize)> = shared.into_iter().collect();
            hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            hits.truncate(20);
            candidates.extend(hits.into_iter().map(|(id, _)| (i, id)));
        }
        if candidates.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<Uuid> = candidates.iter().map(|(_, id)| *id).collect();
        ids.sort();
        ids.dedup();
        let names: HashMap<Uuid, String> = customers::duplicate_candidates(tx, &ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let visible: HashSet<Uuid> = customers::visible_ids(tx, &viewer(self.w.actor), &ids)
            .await?
            .into_iter()
            .collect();
        let their_grams: Vec<String> = names.values().flat_map(|n| company_name_grams(n)).collect();
        self.learn_gram_counts(tx, their_grams.iter()).await?;
        let counts = &self.gram_counts;
        let held = |g: &str| counts.get(&fingerprint(g)).copied().unwrap_or(0);
        let mut best: HashMap<usize, (NameMatch, Uuid)> = HashMap::new();
        for (i, id) in candidates {
            let Some(other) = names.get(&id) else {
                continue;
            };
            let m = compare_names(&probes[i].name, other, &held);
            // The same name is an error of its own, not a warning.
            if m.same_name || !(m.same_core || m.score >= SIMILAR_NAME_THRESHOLD) {
                continue;
            }
            match best.get(&i) {
                Some((b, _)) if b.score >= m.score => {}
                _ => {
                    best.insert(i, (m, id));
                }
            }
        }
        let mut found: Vec<(usize, NameMatch, Uuid)> =
            best.into_iter().map(|(i, (m, id))| (i, m, id)).collect();
        found.sort_by_key(|f| f.0);
        for (i, m, id) in found {
            let seen = visible.contains(&id);
            let similar = SimilarName {
                customer_id: seen.then_some(id),
                name: if seen {
                    names[&id].clone()
                } else {
                    mask_company_name(&names[&id])
                },
                score: (m.score * 100.0).round() / 100.0,
                same_core: m.same_core,
                shared: m.shared,
            };
            let p = &probes[i];
            self.warn_similar(
                p.row,
                p.column,
                ImportField::Name,
                "import.similar_name",
                Some(similar),
            );
        }
        Ok(())
    }

    /// What a row's contact cells do to the customer's contacts: add one, update the one
    /// with the same mobile (or name), or nothing when that one already reads so.
    #[allow(clippy::type_complexity)]
    fn contact_change(
        &mut self,
        n: u32,
        cells: &Cells,
        customer_id: Uuid,
        current: Option<&Vec<ContactRow>>,
        mobile_owners: &[(String, Uuid)],
    ) -> Result<Option<ContactChange>, Vec<(ImportField, &'static str)>> {
        let mobile = cell(cells, ImportField::ContactMobile)
            .and_then(|m| salesdesk_domain::user::Mobile::parse(m).ok())
            .map(|m| m.as_str().to_owned());
        let name = cell(cells, ImportField::ContactName);
        let found = current.and_then(|list| {
            list.iter()
                .find(|k| mobile.is_some() && k.mobile == mobile)
                .or_else(|| list.iter().find(|k| name.is_some_and(|n| k.name == n)))
        });
        let mut input = found.map(contact_input_of).unwrap_or_default();
        overlay_contact(&mut input, cells);
        if found.is_none() {
            input.is_primary = !self.has_primary.contains(&customer_id);
        }
        let mut c = Checker::new();
        let fields = parse_contact(&mut c, "contact.", &input);
        if let Err(Invalid(errs)) = c.finish() {
            return Err(errs
                .into_iter()
                .map(|e| {
                    (
                        contact_field(&e.field).unwrap_or(ImportField::ContactName),
                        e.code,
                    )
                })
                .collect());
        }
        if let Some(m) = &mobile
            && mobile_owners
                .iter()
                .any(|(mm, id)| mm == m && *id != customer_id)
        {
            let col = column_of(cells, self.w.fields, ImportField::ContactMobile);
            self.warn(
                n,
                col,
                ImportField::ContactMobile,
                "import.mobile_elsewhere",
            );
        }
        match found {
            Some(k) => {
                let mut c0 = Checker::new();
                let old = parse_contact(&mut c0, "contact.", &contact_input_of(k));
                if old == fields {
                    Ok(None)
                } else {
                    self.out.contacts_updated += 1;
                    Ok(Some(ContactChange::Update(k.id, k.version, fields)))
                }
            }
            None => {
                if fields.is_primary {
                    self.has_primary.insert(customer_id);
                }
                self.out.contacts_added += 1;
                Ok(Some(ContactChange::Add(fields)))
            }
        }
    }

    async fn write(&mut self, tx: &mut Tx, actions: Vec<Action>) -> AppResult<()> {
        let creates = actions
            .iter()
            .filter(|a| matches!(a, Action::Create(..)))
            .count() as i64;
        let mut seq = if creates > 0 {
            tx.reserve_seq("customer", creates).await?
        } else {
            0
        };
        let mut new_rows: Vec<BulkCustomer> = Vec::new();
        let mut new_contacts: Vec<(Uuid, Uuid, ContactFields)> = Vec::new();
        let mut new_values: Vec<(Uuid, Uuid, StoredValue)> = Vec::new();
        let now = self.now;
        for a in actions {
            match a {
                Action::Create(values, mut c, contact) => {
                    c.seq = seq;
                    seq += 1;
                    for (field, vals) in values {
                        new_values.extend(vals.into_iter().map(|v| (c.id, field, v)));
                    }
                    if let Some(k) = contact {
                        new_contacts.push((Uuid::now_v7(), c.id, k));
                    }
                    new_rows.push(*c);
                }
                Action::Update {
                    id,
                    version,
                    fields,
                    external_id,
                    values,
                    contact,
                } => {
                    if let Some(f) = fields {
                        customers::update(tx, id, version, &f, now).await?;
                    }
                    for (field, vals) in values {
                        salesdesk_store::custom_fields::set_value(tx, id, field, &vals).await?;
                    }
                    if let Some(e) = external_id {
                        customers::set_external_id(tx, id, &e).await?;
                    }
                    match contact {
                        Some(ContactChange::Add(k)) => {
                            // The customer may be new in this very chunk: insert it first.
                            if new_rows.iter().any(|r| r.id == id) {
                                new_contacts.push((Uuid::now_v7(), id, k));
                            } else {
                                customers::insert_contact(tx, Uuid::now_v7(), id, &k, now).await?;
                            }
                        }
                        Some(ContactChange::Update(kid, v, k)) => {
                            customers::update_contact(tx, kid, v, &k, now).await?;
                        }
                        None => {}
                    }
                }
            }
        }
        customers::insert_many(tx, &new_rows).await?;
        customers::insert_contacts_many(tx, &new_contacts, now).await?;
        salesdesk_store::custom_fields::insert_values_many(tx, &new_values).await?;
        let changes: Vec<NewOwnerChange> = new_rows
            .iter()
            .map(|r| NewOwnerChange {
                customer_id: r.id,
                change: OwnerChange::Created.as_str(),
                from_owner: None,
                to_owner: r.owner_id,
                from_pool: None,
                to_pool: None,
                reason: Some("import"),
                by_user: Some(self.w.actor.user_id),
                at: now,
            })
            .collect();
        customers::insert_owner_changes_many(tx, &changes).await?;
        Ok(())
    }
}

// ---- the error file ------------------------------------------------------------------------

/// The upload again as XLSX with a last column 错误 (Errors) holding each bad row's problems,
/// in `message`'s words: fixed in place, the same workbook can be uploaded again (the error
/// column is not mapped). Every row keeps its place (title rows and blank rows included), so
/// the row numbers the errors give are the workbook's own, as in the uploaded file. Every cell
/// is written as a string.
pub async fn error_file(
    app: &App,
    actor: &Actor,
    id: Uuid,
    zh: bool,
    message: impl Fn(&str) -> String + Send + 'static,
) -> AppResult<(String, Vec<u8>)> {
    let mut tx = app.db.begin_read().await?;
    let job = own_job(&mut tx, actor, id).await?;
    let bytes = imports::file(&mut tx, id).await?;
    tx.commit().await?;
    let Some(bytes) = bytes else {
        return Err(AppError::Conflict("import.file_gone"));
    };
    let result: ImportResult = job
        .result_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let header_row = job.header_row as u32;
    let base = job
        .file_name
        .rsplit_once('.')
        .map_or(job.file_name.as_str(), |(b, _)| b)
        .to_owned();
    let out = tokio::task::spawn_blocking(move || -> AppResult<Vec<u8>> {
        use rust_xlsxwriter::{Color, Format, Workbook};
        let mut by_row: HashMap<u32, Vec<RowError>> = HashMap::new();
        for e in result.errors {
            by_row.entry(e.row).or_default().push(e);
        }
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let red = Format::new().set_font_color(Color::Red);
        let ws = wb.add_worksheet_with_constant_memory();
        let mut header: Vec<String> = Vec::new();
        let mut write_err: Option<rust_xlsxwriter::XlsxError> = None;
        let read = reader::for_each_row(&bytes, |n, cells| {
            // Row n of the upload is row n here (rust_xlsxwriter counts from 0).
            let out_row = n.saturating_sub(1);
            let r = if n < header_row {
                cells
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty())
                    .try_for_each(|(c, v)| ws.write_string(out_row, c as u16, v).map(|_| ()))
            } else if n == header_row {
                header = cells.clone();
                let mut h = cells;
                let col = h.len().max(1);
                h.resize(col, String::new());
                h.push(if zh { "错误".into() } else { "Errors".into() });
                h.into_iter().enumerate().try_for_each(|(c, v)| {
                    ws.write_string_with_format(out_row, c as u16, v, &bold)
                        .map(|_| ())
                })
            } else {
                let errs = by_row.remove(&n).unwrap_or_default();
                let text: Vec<String> = errs
                    .iter()
                    .map(|e| {
                        let col = e
                            .column
                            .and_then(|c| header.get(c).cloned())
                            .filter(|h| !h.is_empty())
                            .or_else(|| {
                                e.field.as_deref().and_then(ImportField::parse).map(|f| {
                                    if zh { f.label_zh() } else { f.label_en() }.to_owned()
                                })
                            });
                        let mut t = match col {
                            Some(c) => format!("{c}: {}", message(&e.code)),
                            None => message(&e.code),
                        };
                        if let Some(o) = e.other_row {
                            t.push_str(&if zh {
                                format!("（表格第 {o} 行）")
                            } else {
                                format!(" (sheet row {o})")
                            });
                        }
                        t
                    })
                    .collect();
                let last = header.len().max(cells.len());
                cells
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty())
                    .try_for_each(|(c, v)| ws.write_string(out_row, c as u16, v).map(|_| ()))
                    .and_then(|_| {
                        if text.is_empty() {
                            Ok(())
                        } else {
                            ws.write_string_with_format(out_row, last as u16, text.join("；"), &red)
                                .map(|_| ())
                        }
                    })
            };
            match r {
                Ok(()) => Ok(true),
                Err(e) => {
                    write_err = Some(e);
                    Ok(false)
                }
            }
        });
        read.map_err(|code| AppError::from(Invalid::field("file", code)))?;
        if let Some(e) = write_err {
            return Err(internal(e));
        }
        wb.save_to_buffer().map_err(internal)
    })
    .await
    .map_err(internal)??;
    Ok((format!("{base}-errors.xlsx"), out))
}
