//! Route modules, one per area. Handlers only extract, call one app function, and map the result.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod custom_fields;
pub mod customers;
pub mod imports;
pub mod notifications;
pub mod org;
pub mod people;
pub mod pools;
pub mod roles;
pub mod system;
pub mod territory;
pub mod views;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// A JSON response with the record's version as its ETag (the client sends it back in If-Match).
pub fn with_etag<T: serde::Serialize>(version: i64, body: T) -> Response {
    let mut r = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// The body cap of a route whose body is a file (an import up to 30 MiB, an attachment up to
/// 20 MiB); None for every other route (1 MiB of JSON).
pub fn upload_limit(path: &str) -> Option<usize> {
    if path == imports::UPLOAD_PATH {
        Some(salesdesk_app::imports::MAX_FILE_BYTES)
    } else if attachments::is_upload_path(path) {
        Some(salesdesk_domain::attachment::MAX_FILE_BYTES)
    } else {
        None
    }
}

/// A file to save (export, template, error file): the name as RFC 5987 UTF-8, with an ASCII
/// name beside it for clients that read only that.
pub fn attachment(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    file_response(name, content_type, false, bytes)
}

/// A stored file: shown in the page only when `inline` (pictures), else saved.
pub fn file_response(name: &str, content_type: &str, inline: bool, bytes: Vec<u8>) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let ascii = if encoded == name {
        name.to_owned()
    } else {
        format!("download.{}", name.rsplit('.').next().unwrap_or("bin"))
    };
    let how = if inline { "inline" } else { "attachment" };
    let disposition = format!("{how}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The `If-Match` header of updates: the version the client read, as `"3"` (or `3`).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct VersionHeader {
    /// The record version read (its ETag).
    #[serde(rename = "If-Match")]
    #[param(pattern = r#"^(W/)?"?[1-9][0-9]{0,17}"?$"#)]
    if_match: String,
}

/// Paging as the OpenAPI documents it: page 1-100000, pageSize 1-200. Out of range is a field
/// error, not silently clamped, so a client learns its request was wrong.
pub fn paging(
    page: Option<u32>,
    page_size: Option<u32>,
    default_size: u32,
) -> Result<salesdesk_app::PageRequest, salesdesk_domain::Invalid> {
    let mut c = salesdesk_domain::validation::Checker::new();
    let page = page.unwrap_or(1);
    let page_size = page_size.unwrap_or(default_size);
    if !(1..=100_000).contains(&page) {
        c.fail("page", "out_of_range");
    }
    if !(1..=salesdesk_app::MAX_PAGE_SIZE).contains(&page_size) {
        c.fail("pageSize", "out_of_range");
    }
    c.finish()?;
    Ok(salesdesk_app::PageRequest { page, page_size })
}

/// Text query parameters longer than documented are field errors (`too_long`).
pub fn check_lengths(
    fields: &[(&str, &Option<String>, usize)],
) -> Result<(), salesdesk_domain::Invalid> {
    let mut c = salesdesk_domain::validation::Checker::new();
    for (field, value, max) in fields {
        if value.as_ref().is_some_and(|v| v.chars().count() > *max) {
            c.fail(field, "too_long");
        }
    }
    c.finish()
}
