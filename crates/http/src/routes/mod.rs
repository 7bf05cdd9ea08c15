//! Route modules, one per area. Handlers only extract, call one app function, and map the result.

pub mod audit;
pub mod auth;
pub mod customers;
pub mod org;
pub mod people;
pub mod pools;
pub mod roles;
pub mod system;

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
