//! /api/v1/auth and /api/v1/me: sign-in, sign-out, own account, sessions and API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth, Meta, SignedIn};
use crate::views::{ApiTokenView, MeView, NewApiTokenView, SessionView};
use crate::{AppState, WebConfig};
use salesdesk_app::auth;
use salesdesk_domain::access::Permission;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(set_locale))
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

fn session_cookie(web: &WebConfig, token: &str, max_age: i64) -> HeaderValue {
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        web.cookie_name()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoginBody {
    /// Username or mobile number.
    #[schema(max_length = 64)]
    pub login: String,
    #[schema(max_length = 128)]
    pub password: String,
}

/// Sign in. Sets the session cookie (a new session id every time).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login", request_body = LoginBody, security(()),
    responses((status = 200, description = "Signed in", body = MeView)))]
async fn login(
    State(s): State<AppState>,
    Meta(meta): Meta,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let signed = auth::login(&s.app, &b.login, &b.password, &meta).await?;
    let cookie = session_cookie(&s.web, &signed.token, s.web.session_max_age_s);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(MeView::from(&signed.actor)),
    )
        .into_response())
}

/// Sign out: ends this session and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout", responses((status = 204, description = "Signed out")))]
async fn logout(
    State(s): State<AppState>,
    Meta(meta): Meta,
    SignedIn(actor): SignedIn,
) -> Result<Response, ApiError> {
    auth::logout(&s.app, &actor, &meta).await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&s.web, "", 0))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

/// Who I am, what I may do, and on which records.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", operation_id = "getMe", responses((status = 200, body = MeView)))]
async fn me(SignedIn(actor): SignedIn) -> Json<MeView> {
    Json(MeView::from(&actor))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangePasswordBody {
    #[schema(max_length = 128)]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// Change my password. Every other session of mine ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", operation_id = "changePassword", request_body = ChangePasswordBody,
    responses((status = 204, description = "Changed")))]
async fn change_password(
    State(s): State<AppState>,
    Meta(meta): Meta,
    SignedIn(actor): SignedIn,
    ApiJson(b): ApiJson<ChangePasswordBody>,
) -> Result<StatusCode, ApiError> {
    auth::change_password(&s.app, &actor, &b.current_password, &b.new_password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LocaleBody {
    pub locale: LocaleCode,
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
pub enum LocaleCode {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en-US")]
    EnUs,
}

/// Remember my UI language.
#[utoipa::path(put, path = "/api/v1/me/locale", tag = "auth", operation_id = "setLocale", request_body = LocaleBody, responses((status = 204, description = "Saved")))]
async fn set_locale(
    State(s): State<AppState>,
    Meta(meta): Meta,
    SignedIn(actor): SignedIn,
    ApiJson(b): ApiJson<LocaleBody>,
) -> Result<StatusCode, ApiError> {
    let locale = match b.locale {
        LocaleCode::ZhCn => "zh-CN",
        LocaleCode::EnUs => "en-US",
    };
    auth::set_my_locale(&s.app, &actor, locale, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My live sessions (devices), newest activity first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", operation_id = "listMySessions", responses((status = 200, body = Vec<SessionView>)))]
async fn list_sessions(
    State(s): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    Ok(Json(
        auth::my_sessions(&s.app, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// End one of my sessions (sign a device out).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "auth", operation_id = "endMySession", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Ended")))]
async fn end_session(
    State(s): State<AppState>,
    Meta(meta): Meta,
    SignedIn(actor): SignedIn,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    auth::end_my_session(&s.app, &actor, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My API tokens (never the secrets).
#[utoipa::path(get, path = "/api/v1/me/api-tokens", tag = "auth", operation_id = "listMyApiTokens", responses((status = 200, body = Vec<ApiTokenView>)))]
async fn list_tokens(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<ApiTokenView>>, ApiError> {
    Ok(Json(
        auth::my_api_tokens(&s.app, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewTokenBody {
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// At most what the creator holds.
    #[schema(min_items = 1)]
    pub permissions: Vec<Permission>,
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

/// Create an API token for an integration. The secret is in this response only.
#[utoipa::path(post, path = "/api/v1/me/api-tokens", tag = "auth", operation_id = "createApiToken", request_body = NewTokenBody,
    responses((status = 201, body = NewApiTokenView)))]
async fn create_token(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<NewTokenBody>,
) -> Result<(StatusCode, Json<NewApiTokenView>), ApiError> {
    let perms: Vec<String> = b
        .permissions
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    let t =
        auth::create_api_token(&s.app, &actor, &b.name, &perms, b.expires_in_days, &meta).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewApiTokenView {
            token: t.token,
            api_token: t.row.into(),
        }),
    ))
}

/// Revoke one of my API tokens.
#[utoipa::path(delete, path = "/api/v1/me/api-tokens/{id}", tag = "auth", operation_id = "revokeApiToken", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Revoked")))]
async fn revoke_token(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    auth::revoke_api_token(&s.app, &actor, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
