//! Views of customer imports: the upload with its header mapping, and what a validation or
//! import found and did.

use salesdesk_app::imports::{
    EarlierImport, ImportJob, ImportOptions, ImportProgress, ImportResult, MappedHeader, RowError,
};
use salesdesk_domain::import::{ImportMode, MatchBy};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportHeaderView {
    /// The column's index (0 = A).
    pub index: usize,
    pub text: String,
    /// The merged header above it, in a two-level header.
    pub parent: Option<String>,
    /// The field the column fills (see `GET /customer-imports/fields`); null: not imported.
    pub field: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptionsView {
    pub mapping: Vec<Option<String>>,
    pub mode: ImportMode,
    pub match_by: MatchBy,
    pub default_owner_id: Option<Uuid>,
}

/// One problem of one row. `row` is the row number the spreadsheet shows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportRowErrorView {
    pub row: u32,
    pub column: Option<usize>,
    pub field: Option<String>,
    pub code: String,
    /// The text of `code` in the request's language.
    pub message: String,
    /// The earlier row of the file this one repeats.
    pub other_row: Option<u32>,
    /// With `import.similar_name`: the existing customer whose name is alike.
    pub similar: Option<ImportSimilarNameView>,
}

/// An existing customer whose name is like a new row's; outside the importer's scope the
/// name is masked (北京**科技有限公司) and the id is null.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportSimilarNameView {
    pub customer_id: Option<Uuid>,
    pub name: String,
    /// 0.6 to 1: how alike the names are, rare words weighing most.
    pub score: f64,
    /// The same name under another place (上海博雅新锐 and 广州博雅新锐).
    pub same_core: bool,
    /// The distinctive words both names hold.
    pub shared: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportResultView {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub contacts_added: u64,
    pub contacts_updated: u64,
    /// Rows with at least one error; the file imports only when this is 0.
    pub error_rows: u64,
    /// The first 500 errors (the error file has all).
    pub errors: Vec<ImportRowErrorView>,
    pub warnings: Vec<ImportRowErrorView>,
    pub warning_count: u64,
    pub elapsed_ms: u64,
    /// A problem with the whole file, not a row.
    pub file_error: Option<String>,
    pub file_error_message: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgressView {
    pub rows_done: u64,
    pub rows_per_second: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EarlierImportView {
    pub id: Uuid,
    pub file_name: String,
    pub imported_at: Option<i64>,
}

/// An uploaded file and its import.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportJobView {
    pub id: Uuid,
    pub file_name: String,
    pub file_size: i64,
    /// uploaded | validating | validated | invalid | importing | imported | failed | interrupted
    pub status: String,
    /// The row number of the header row.
    pub header_row: i64,
    pub headers: Vec<ImportHeaderView>,
    /// The first data rows, as read.
    pub samples: Vec<Vec<String>>,
    pub total_rows: i64,
    pub options: Option<ImportOptionsView>,
    pub result: Option<ImportResultView>,
    /// While it runs in this server.
    pub progress: Option<ImportProgressView>,
    /// An earlier import of a file with the same content.
    pub earlier_import: Option<EarlierImportView>,
    pub created_at: i64,
    pub imported_at: Option<i64>,
}

/// A field an import can fill: built in, or company-defined (`cf.<code>`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportFieldView {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    /// A contact's field (one contact per row).
    pub contact: bool,
    /// New customers need it (the name, and required company-defined fields).
    pub required: bool,
}

fn row_error(e: RowError, message: &dyn Fn(&str) -> String) -> ImportRowErrorView {
    ImportRowErrorView {
        message: message(&e.code),
        row: e.row,
        column: e.column,
        field: e.field,
        code: e.code,
        other_row: e.other_row,
        similar: e.similar.map(|m| ImportSimilarNameView {
            customer_id: m.customer_id,
            name: m.name,
            score: m.score,
            same_core: m.same_core,
            shared: m.shared,
        }),
    }
}

impl ImportJobView {
    pub fn new(j: ImportJob, message: &dyn Fn(&str) -> String) -> Self {
        ImportJobView {
            id: j.id,
            file_name: j.file_name,
            file_size: j.file_size,
            status: j.status,
            header_row: j.header_row,
            headers: j
                .headers
                .into_iter()
                .map(|h: MappedHeader| ImportHeaderView {
                    index: h.index,
                    text: h.text,
                    parent: h.parent,
                    field: h.field,
                })
                .collect(),
            samples: j.samples,
            total_rows: j.total_rows,
            options: j.options.map(|o: ImportOptions| ImportOptionsView {
                mapping: o.mapping,
                mode: o.mode,
                match_by: o.match_by,
                default_owner_id: o.default_owner_id,
            }),
            result: j.result.map(|r: ImportResult| ImportResultView {
                rows: r.rows,
                created: r.created,
                updated: r.updated,
                unchanged: r.unchanged,
                contacts_added: r.contacts_added,
                contacts_updated: r.contacts_updated,
                error_rows: r.error_rows,
                errors: r
                    .errors
                    .into_iter()
                    .take(500)
                    .map(|e| row_error(e, message))
                    .collect(),
                warnings: r
                    .warnings
                    .into_iter()
                    .take(200)
                    .map(|e| row_error(e, message))
                    .collect(),
                warning_count: r.warning_count,
                elapsed_ms: r.elapsed_ms,
                file_error_message: r.file_error.as_deref().map(message),
                file_error: r.file_error,
            }),
            progress: j.progress.map(|p: ImportProgress| ImportProgressView {
                rows_done: p.rows_done,
                rows_per_second: p.rows_per_second,
            }),
            earlier_import: j.earlier_import.map(|e: EarlierImport| EarlierImportView {
                id: e.id,
                file_name: e.file_name,
                imported_at: e.imported_at,
            }),
            created_at: j.created_at,
            imported_at: j.imported_at,
        }
    }
}

/// An option a pick-list column's values may be mapped to.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportValueChoiceView {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
}

/// A value of the file that names no option.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportUnknownValueView {
    pub value: String,
    /// Data rows holding it.
    pub rows: u32,
    /// The option a close spelling or a common word suggests (经销商 → 经销商/代理商).
    pub suggested: Option<String>,
    /// The option chosen for this value in an earlier import.
    pub remembered: Option<String>,
}

/// One pick-list column of the upload and its values that name no option.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportValueColumnView {
    pub column: usize,
    /// The field's key, as in the column mapping (`industryCode`, `cf.<code>`).
    pub field: String,
    /// The built-in pick list (type | level | status | industry | source); null for a
    /// company-defined field.
    pub kind: Option<salesdesk_domain::customer::OptionKind>,
    /// The company-defined field (to add an option to it).
    pub custom_field_id: Option<Uuid>,
    pub choices: Vec<ImportValueChoiceView>,
    /// At most 200, most frequent first met first.
    pub values: Vec<ImportUnknownValueView>,
    /// More values than are listed.
    pub more: bool,
}

impl From<salesdesk_app::imports::ValueColumn> for ImportValueColumnView {
    fn from(c: salesdesk_app::imports::ValueColumn) -> Self {
        ImportValueColumnView {
            column: c.column,
            field: c.field,
            kind: c.kind,
            custom_field_id: c.custom_field_id,
            choices: c
                .choices
                .into_iter()
                .map(|x| ImportValueChoiceView {
                    code: x.code,
                    label_zh: x.label_zh,
                    label_en: x.label_en,
                })
                .collect(),
            values: c
                .values
                .into_iter()
                .map(|v| ImportUnknownValueView {
                    value: v.value,
                    rows: v.rows,
                    suggested: v.suggested,
                    remembered: v.remembered,
                })
                .collect(),
            more: c.more,
        }
    }
}
