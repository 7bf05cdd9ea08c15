//! /api/v1/customer-imports: upload a spreadsheet, map its columns, validate it (a dry run
//! reporting every bad row), import it all or nothing, download the error file or a template.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use salesdesk_app::imports::{self, ImportOptions, TemplateFormat};
use salesdesk_domain::import::{ImportMode, MatchBy};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::attachment;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, Meta};
use crate::messages::{Locale, message};
use crate::views::imports::{ImportFieldView, ImportJobView, ImportValueColumnView};

/// The upload path: the only one whose body may be larger than 1 MiB.
pub const UPLOAD_PATH: &str = "/api/v1/customer-imports";

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_imports, upload_import))
        .routes(routes!(list_import_fields))
        .routes(routes!(download_import_template))
        .routes(routes!(get_import))
        .routes(routes!(validate_import))
        .routes(routes!(run_import))
        .routes(routes!(download_import_errors))
        .routes(routes!(list_import_values))
}

fn locale(h: &HeaderMap) -> Locale {
    Locale::from_accept_language(h.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

fn view(j: imports::ImportJob, l: Locale) -> ImportJobView {
    ImportJobView::new(j, &|code| message(code, l).to_owned())
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name, as the user picked it.
    #[param(min_length = 1, max_length = 200)]
    pub file_name: String,
}

/// Upload a file to import (XLSX, or CSV in UTF-8, UTF-8 with BOM, UTF-16 or GBK/GB18030),
/// at most 30 MiB and 200,000 rows; the body is the file itself. Finds the header row and
/// proposes which column is which field.
#[utoipa::path(post, path = "/api/v1/customer-imports", tag = "customers", operation_id = "uploadImport",
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImportJobView)))]
async fn upload_import(
    State(s): State<AppState>,
    headers: HeaderMap,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let j = imports::upload(&s.app, &actor, &q.file_name, body.to_vec(), &meta).await?;
    Ok((StatusCode::CREATED, Json(view(j, locale(&headers)))).into_response())
}

/// The caller's recent imports, newest first.
#[utoipa::path(get, path = "/api/v1/customer-imports", tag = "customers", operation_id = "listImports",
    responses((status = 200, body = Vec<ImportJobView>)))]
async fn list_imports(
    State(s): State<AppState>,
    headers: HeaderMap,
    Auth(actor): Auth,
) -> Result<Json<Vec<ImportJobView>>, ApiError> {
    let l = locale(&headers);
    let jobs = imports::recent(&s.app, &actor).await?;
    Ok(Json(jobs.into_iter().map(|j| view(j, l)).collect()))
}

/// The fields a column can be mapped to.
#[utoipa::path(get, path = "/api/v1/customer-imports/fields", tag = "customers", operation_id = "listImportFields",
    responses((status = 200, body = Vec<ImportFieldView>)))]
async fn list_import_fields(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<ImportFieldView>>, ApiError> {
    Ok(Json(
        imports::fields(&s.app, &actor)
            .await?
            .into_iter()
            .map(|f| ImportFieldView {
                key: f.key,
                label_zh: f.label_zh,
                label_en: f.label_en,
                contact: f.contact,
                required: f.required,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub enum TemplateFormatParam {
    Xlsx,
    Csv,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    #[param(inline)]
    pub format: Option<TemplateFormatParam>,
}

/// The import template: the columns with an example row, and a sheet of notes and allowed
/// values (in the request's language).
#[utoipa::path(get, path = "/api/v1/customer-imports/template", tag = "customers", operation_id = "downloadImportTemplate",
    params(TemplateQuery),
    responses((status = 200, description = "The template (XLSX, or UTF-8 CSV with a BOM)", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
async fn download_import_template(
    State(s): State<AppState>,
    headers: HeaderMap,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.unwrap_or(TemplateFormatParam::Xlsx) {
        TemplateFormatParam::Xlsx => TemplateFormat::Xlsx,
        TemplateFormatParam::Csv => TemplateFormat::Csv,
    };
    let zh = locale(&headers) == Locale::ZhCn;
    let (name, ct, bytes) = imports::template(&s.app, &actor, format, zh).await?;
    Ok(attachment(&name, ct, bytes))
}

/// One of the caller's imports, with its progress while it runs.
#[utoipa::path(get, path = "/api/v1/customer-imports/{id}", tag = "customers", operation_id = "getImport",
    params(("id" = Uuid, Path)), responses((status = 200, body = ImportJobView)))]
async fn get_import(
    State(s): State<AppState>,
    headers: HeaderMap,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ImportJobView>, ApiError> {
    Ok(Json(view(
        imports::get(&s.app, &actor, id).await?,
        locale(&headers),
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImportOptionsBody {
    /// The field each column fills, by column index (null: leave the column out).
    #[schema(max_items = 100)]
    pub mapping: Vec<Option<String>>,
    pub mode: ImportMode,
    pub match_by: MatchBy,
    /// Owner of new customers whose row names none (default: the caller).
    pub default_owner_id: Option<Uuid>,
    /// 值对应: per pick-list field (`typeCode`, `cf.<code>`), the file's values and the option
    /// code each means (see listImportValues).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

impl From<ImportOptionsBody> for ImportOptions {
    fn from(b: ImportOptionsBody) -> Self {
        ImportOptions {
            mapping: b.mapping,
            mode: b.mode,
            match_by: b.match_by,
            default_owner_id: b.default_owner_id,
            values: b.values,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImportValuesBody {
    /// The field each column fills, by column index, as it will be submitted.
    #[schema(max_items = 100)]
    pub mapping: Vec<Option<String>>,
}

/// 值对应: with this column mapping, the values of the upload's pick-list columns that name no
/// option, each with its row count, a suggested option and the one chosen last time.
#[utoipa::path(post, path = "/api/v1/customer-imports/{id}/values", tag = "customers", operation_id = "listImportValues",
    params(("id" = Uuid, Path)), request_body = ImportValuesBody,
    responses((status = 200, body = Vec<ImportValueColumnView>)))]
async fn list_import_values(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<ImportValuesBody>,
) -> Result<Json<Vec<ImportValueColumnView>>, ApiError> {
    if b.mapping.iter().flatten().any(|m| m.chars().count() > 40) {
        return Err(salesdesk_domain::Invalid::field("mapping", "too_long").into());
    }
    let v = imports::unknown_values(&s.app, &actor, id, b.mapping).await?;
    Ok(Json(v.into_iter().map(Into::into).collect()))
}

fn check_mapping(b: &ImportOptionsBody) -> Result<(), ApiError> {
    if b.mapping.len() > 100 {
        return Err(salesdesk_domain::Invalid::field("mapping", "too_many").into());
    }
    if b.mapping.iter().flatten().any(|m| m.chars().count() > 40) {
        return Err(salesdesk_domain::Invalid::field("mapping", "too_long").into());
    }
    Ok(())
}

/// Validate the upload with this mapping (a dry run in the background): every bad row and
/// column is reported; nothing changes.
#[utoipa::path(post, path = "/api/v1/customer-imports/{id}/validate", tag = "customers", operation_id = "validateImport",
    params(("id" = Uuid, Path)), request_body = ImportOptionsBody,
    responses((status = 202, body = ImportJobView)))]
async fn validate_import(
    State(s): State<AppState>,
    headers: HeaderMap,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<ImportOptionsBody>,
) -> Result<Response, ApiError> {
    start(&s, &headers, &meta, &actor, id, b, false).await
}

/// Starts a validation (`apply` false) or an import; 202 with the job.
async fn start(
    s: &AppState,
    headers: &HeaderMap,
    meta: &salesdesk_app::RequestMeta,
    actor: &salesdesk_app::Actor,
    id: Uuid,
    b: ImportOptionsBody,
    apply: bool,
) -> Result<Response, ApiError> {
    check_mapping(&b)?;
    let j = imports::start(&s.app, actor, id, b.into(), apply, meta).await?;
    Ok((StatusCode::ACCEPTED, Json(view(j, locale(headers)))).into_response())
}

/// Import the upload (in the background, in one transaction): it lands whole only if no row
/// has an error; rows that change nothing are left alone.
#[utoipa::path(post, path = "/api/v1/customer-imports/{id}/run", tag = "customers", operation_id = "runImport",
    params(("id" = Uuid, Path)), request_body = ImportOptionsBody,
    responses((status = 202, body = ImportJobView)))]
async fn run_import(
    State(s): State<AppState>,
    headers: HeaderMap,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<ImportOptionsBody>,
) -> Result<Response, ApiError> {
    start(&s, &headers, &meta, &actor, id, b, true).await
}

/// The upload as XLSX with an error column naming each bad row's problems.
#[utoipa::path(get, path = "/api/v1/customer-imports/{id}/errors", tag = "customers", operation_id = "downloadImportErrors",
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The error workbook", content(
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
async fn download_import_errors(
    State(s): State<AppState>,
    headers: HeaderMap,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let l = locale(&headers);
    let (name, bytes) = imports::error_file(&s.app, &actor, id, l == Locale::ZhCn, move |c| {
        message(c, l).to_owned()
    })
    .await?;
    Ok(attachment(
        &name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
