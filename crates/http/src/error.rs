//! One error body everywhere: `{ code, message, fields, requestId }`. Handlers return
//! [`ApiError`]; it carries the code and field errors as a response extension, and the
//! [`finish_errors`] middleware writes the localised body with the request id. So every error
//! (ours, the router's 404/405, the body limit's 413, CSRF's 403, a panic's 500) has one shape.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use salesdesk_app::AppError;
use salesdesk_domain::FieldError;
use serde_json::json;

use crate::messages::{Locale, message};

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// What `finish_errors` needs to write the body.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub fields: Vec<FieldError>,
    /// Logged once with the request id, never sent.
    pub detail: Option<String>,
}

pub fn error_response(
    status: StatusCode,
    code: &'static str,
    fields: Vec<FieldError>,
    detail: Option<String>,
) -> Response {
    let mut r = status.into_response();
    r.extensions_mut().insert(ErrorInfo {
        code,
        fields,
        detail,
    });
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use AppError as E;
        match self.0 {
            E::Invalid(i) => {
                error_response(StatusCode::UNPROCESSABLE_ENTITY, "validation", i.0, None)
            }
            E::Unauthenticated => error_response(
                StatusCode::UNAUTHORIZED,
                "auth.unauthenticated",
                vec![],
                None,
            ),
            E::InvalidCredentials => error_response(
                StatusCode::UNAUTHORIZED,
                "auth.invalid_credentials",
                vec![],
                None,
            ),
            E::PasswordChangeRequired => error_response(
                StatusCode::FORBIDDEN,
                "auth.password_change_required",
                vec![],
                None,
            ),
            E::Forbidden => error_response(StatusCode::FORBIDDEN, "auth.forbidden", vec![], None),
            E::NotFound => error_response(StatusCode::NOT_FOUND, "not_found", vec![], None),
            E::Conflict(code) => error_response(
                StatusCode::CONFLICT,
                code,
                conflict_field(code)
                    .map(|f| {
                        vec![FieldError {
                            field: f.into(),
                            code,
                        }]
                    })
                    .unwrap_or_default(),
                None,
            ),
            E::Duplicate(i) => {
                error_response(StatusCode::CONFLICT, "customer.duplicate", i.0, None)
            }
            E::Stale => error_response(
                StatusCode::PRECONDITION_FAILED,
                "precondition.failed",
                vec![],
                None,
            ),
            E::RateLimited { retry_after_s } => {
                let mut r = error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "auth.rate_limited",
                    vec![],
                    None,
                );
                if let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                r
            }
            E::Busy => {
                let mut r = error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service.busy",
                    vec![],
                    None,
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                r
            }
            E::Internal(detail) => error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                vec![],
                Some(detail),
            ),
        }
    }
}

/// The input field a uniqueness conflict is about, so forms can show it on that field.
fn conflict_field(code: &str) -> Option<&'static str> {
    match code {
        "user.username_taken" => Some("username"),
        "user.mobile_taken" => Some("mobile"),
        "org_unit.name_taken"
        | "role.name_taken"
        | "position.name_taken"
        | "pool.name_taken"
        | "view.name_taken" => Some("name"),
        "customer.credit_code_taken" => Some("creditCode"),
        _ => None,
    }
}

/// Writes the error body for every error response (see the module comment).
pub async fn finish_errors(req: Request, next: Next) -> Response {
    let locale = Locale::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let info = match res.extensions_mut().remove::<ErrorInfo>() {
        Some(info) => info,
        None => {
            // Errors from layers and the router, which know nothing of our body.
            let code = match status {
                StatusCode::NOT_FOUND => "route.not_found",
                StatusCode::METHOD_NOT_ALLOWED => "method.not_allowed",
                StatusCode::PAYLOAD_TOO_LARGE => "request.too_large",
                StatusCode::FORBIDDEN => "request.cross_site",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "request.unsupported_media_type",
                StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                    "request.invalid_body"
                }
                _ if status.is_server_error() => "internal",
                _ => "request.invalid_body",
            };
            ErrorInfo {
                code,
                fields: vec![],
                detail: None,
            }
        }
    };
    if status.is_server_error() {
        tracing::error!(
            request_id,
            path,
            status = status.as_u16(),
            detail = info.detail.as_deref().unwrap_or(""),
            "request failed"
        );
    }
    let mut fields = serde_json::Map::new();
    for f in &info.fields {
        fields
            .entry(f.field.clone())
            .or_insert_with(|| json!({ "code": f.code, "message": message(f.code, locale) }));
    }
    let body = json!({ "code": info.code, "message": message(info.code, locale), "fields": fields, "requestId": request_id });
    let (mut parts, _) = res.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

/// The body of a panicking handler: a generic 500; the server keeps serving.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        vec![],
        Some(format!("panic: {detail}")),
    )
}
