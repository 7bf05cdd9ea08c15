//! Request extractors: the signed-in actor, JSON bodies that reject unknown fields with our
//! error body, the If-Match version, and what the audit log records about a request.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use salesdesk_app::{Actor, AppError, RequestMeta};
use salesdesk_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{ApiError, error_response};

/// The signed-in actor, fully authorised. A user who must change a temporary password gets
/// 403 `auth.password_change_required` everywhere except the routes that take [`SignedIn`].
pub struct Auth(pub Actor);

/// A signed-in actor who may still have to change their password.
pub struct SignedIn(pub Actor);

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Actor, ApiError> {
    // Every credential a request presents must be valid: a stale or empty session cookie next
    // to a good token (or the reverse) is refused rather than silently ignored.
    let session = match cookie_value(&parts.headers, state.web.cookie_name()) {
        Some(c) => Some(salesdesk_app::auth::authenticate_session(&state.app, &c).await?),
        None => None,
    };
    let token = match parts.headers.get(header::AUTHORIZATION) {
        Some(h) => {
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(AppError::Unauthenticated)?;
            Some(salesdesk_app::auth::authenticate_api_token(&state.app, token.trim()).await?)
        }
        None => None,
    };
    match (session, token) {
        (Some(s), None) => Ok(s),
        (None, Some(t)) => Ok(t),
        (Some(s), Some(t)) if s.user_id == t.user_id => Ok(t),
        _ => Err(AppError::Unauthenticated.into()),
    }
}

/// The value of a cookie when the request carries it at all, even empty: an empty session
/// cookie is a credential too, and an invalid one.
fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .map(|v| v.trim_matches('"').to_owned())
        })
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await.map(SignedIn)
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let actor = authenticate(parts, state).await?;
        if actor.must_change_password {
            return Err(AppError::PasswordChangeRequired.into());
        }
        Ok(Auth(actor))
    }
}

/// A JSON body. Unknown fields, wrong types and bad JSON answer 422 (415 without a JSON
/// content type) with our error body; nothing reaches the use case.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = axum::response::Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(error_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.unsupported_media_type",
                vec![],
                None,
            ));
        }
        let bytes = match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(rej) => {
                let status = rej.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "request.too_large"
                } else {
                    "request.invalid_body"
                };
                return Err(error_response(status, code, vec![], None));
            }
        };
        parse_json_body(&bytes).map(ApiJson).map_err(|field| {
            let fields = field
                .map(|f| {
                    vec![FieldError {
                        field: f,
                        code: "request.invalid_body",
                    }]
                })
                .unwrap_or_default();
            error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_body",
                fields,
                None,
            )
        })
    }
}

/// `application/json` or a `+json` type, as axum's own Json extractor accepts.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or_default().trim();
    let Some(sub) = essence
        .to_ascii_lowercase()
        .strip_prefix("application/")
        .map(str::to_owned)
    else {
        return false;
    };
    sub == "json" || sub.ends_with("+json")
}

/// Parses a body, or names the field it fails on (None when it is not JSON at all): the path
/// serde was at when the value did not fit (`lat`, `contacts[0].mobile`), or the unknown or
/// missing field. The offending value is never echoed (it may be anything the client sent).
fn parse_json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Option<String>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            // Bad JSON has no field, unless a number out of range broke it inside one.
            return (inner.to_string().contains("number out of range") && path != ".")
                .then_some(path);
        }
        body_error_field(&format!("{path}: {inner}"))
    })?;
    de.end().map_err(|_| None)?;
    Ok(value)
}

/// The field a body or query error is about, from the rejection text. axum reports the
/// serde path ("a.b[0]: message"); unknown and missing fields are named in the message. The
/// offending value is never returned (it may be anything the client sent).
fn body_error_field(text: &str) -> Option<String> {
    let detail = text
        .rsplit_once("target type: ")
        .map(|x| x.1)
        .or_else(|| text.split_once("query string: ").map(|x| x.1))
        .unwrap_or(text);
    let is_path =
        |p: &str| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "._[]".contains(c));
    let (path, msg) = match detail.split_once(": ") {
        Some((p, m)) if is_path(p) => (p.trim_start_matches('.'), m),
        _ => ("", detail),
    };
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|pre| {
            let rest = &msg[msg.find(pre)? + pre.len()..];
            Some(rest[..rest.find('`')?].to_owned())
        });
    match (named, path) {
        (Some(n), "") => Some(n),
        (Some(n), p)
            if p == n || p.ends_with(&format!(".{n}")) || p.ends_with(&format!("]{n}")) =>
        {
            Some(p.to_owned())
        }
        (Some(n), p) => Some(format!("{p}.{n}")),
        (None, "") => None,
        (None, p) => Some(p.to_owned()),
    }
}

/// A path parameter. One that does not parse (a malformed id) names nothing that exists: 404.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(_) => Err(error_response(
                StatusCode::NOT_FOUND,
                "not_found",
                vec![],
                None,
            )),
        }
    }
}

/// Query parameters; bad ones answer 422 `request.invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or_default();
        serde_urlencoded_from(q).map(ApiQuery).map_err(|field| {
            let fields = field
                .map(|f| {
                    vec![FieldError {
                        field: f,
                        code: "request.invalid_query",
                    }]
                })
                .unwrap_or_default();
            error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_query",
                fields,
                None,
            )
        })
    }
}

fn serde_urlencoded_from<T: DeserializeOwned>(q: &str) -> Result<T, Option<String>> {
    axum::extract::Query::<T>::try_from_uri(&format!("/?{q}").parse().map_err(|_| None)?)
        .map(|axum::extract::Query(v)| v)
        .map_err(|e| body_error_field(&e.body_text()))
}

/// The record version from `If-Match: "7"` (or `7`). Required on every update of a
/// versioned record: missing answers 428, stale answers 412 later.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let v = parts
            .headers
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(|s| {
                s.trim()
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .to_owned()
            });
        match v.and_then(|s| s.parse::<i64>().ok()) {
            Some(n) if n > 0 => Ok(IfMatch(n)),
            _ => Err(error_response(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition.required",
                vec![],
                None,
            )),
        }
    }
}

/// Request id, client address (proxy headers trusted only from configured proxies) and agent.
pub struct Meta(pub RequestMeta);

impl FromRequestParts<AppState> for Meta {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let ip = client_ip(
            peer,
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok()),
            &state.web.trusted_proxies,
        );
        Ok(Meta(RequestMeta {
            request_id: parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            ip: ip.map(|i| i.to_string()).unwrap_or_else(|| "local".into()),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect(),
        }))
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the
/// right-most X-Forwarded-For entry that is not itself a trusted proxy.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let chain = forwarded_for.unwrap_or_default();
    for hop in chain.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_even_when_empty_and_never_by_prefix() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; __Host-sd_session=; b=2".parse().unwrap(),
        );
        assert_eq!(cookie_value(&h, "__Host-sd_session"), Some(String::new()));
        h.insert(header::COOKIE, "__Host-sd_sessionx=1".parse().unwrap());
        assert_eq!(cookie_value(&h, "__Host-sd_session"), None);
        h.insert(
            header::COOKIE,
            "x=1; __Host-sd_session=abc".parse().unwrap(),
        );
        assert_eq!(cookie_value(&h, "__Host-sd_session"), Some("abc".into()));
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(client_ip(Some(peer), Some("1.2.3.4"), &[]), Some(peer));
    }

    #[test]
    fn forwarded_for_is_used_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let got = client_ip(
            Some(proxy),
            Some("9.9.9.9, 198.51.100.7, 10.0.0.2"),
            &[proxy],
        );
        assert_eq!(got, Some("198.51.100.7".parse().unwrap()));
    }

    #[test]
    fn serde_messages_name_the_field() {
        assert_eq!(
            body_error_field("Failed to deserialize: unknown field `owner`, expected one of"),
            Some("owner".into())
        );
    }
}
