//! /api/v1/users: people within the caller's data scope.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::with_etag;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IfMatch, Meta};
use crate::views::{CreatedUserView, TemporaryPasswordView, UserDetailView, UserPage};
use salesdesk_app::people;
use salesdesk_app::records::UserSort;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reassign_user))
        .routes(routes!(set_user_roles))
        .routes(routes!(deactivate_user))
        .routes(routes!(reactivate_user))
        .routes(routes!(reset_user_password))
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    Name,
    Username,
    CreatedAt,
    Unit,
}

#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of a name, username or mobile.
    #[param(max_length = 60)]
    pub q: Option<String>,
    /// People in this unit and the units below it.
    pub unit_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub active: Option<bool>,
    #[param(inline)]
    pub sort: Option<SortField>,
    #[param(inline)]
    pub order: Option<SortOrder>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<u32>,
}

/// People I may see, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/users", tag = "people", operation_id = "listUsers", params(ListQuery), responses((status = 200, body = UserPage)))]
async fn list_users(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<UserPage>, ApiError> {
    let sort = match q.sort.unwrap_or(SortField::Name) {
        SortField::Name => UserSort::Name,
        SortField::Username => UserSort::Username,
        SortField::CreatedAt => UserSort::CreatedAt,
        SortField::Unit => UserSort::Unit,
    };
    let desc = matches!(q.order, Some(SortOrder::Desc));
    let page = super::paging(q.page, q.page_size, 20)?;
    let query = people::ListQuery {
        q: q.q,
        unit_id: q.unit_id,
        position_id: q.position_id,
        role_id: q.role_id,
        active: q.active,
        sort,
        desc,
        page,
    };
    let p = people::list(&s.app, &actor, query).await?;
    Ok(Json(UserPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewUserBody {
    /// 3-32 of a-z, 0-9, '.', '_', '-', starting with a letter (stored lower-case).
    #[schema(pattern = "^[A-Za-z][A-Za-z0-9._-]{2,31}$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 40)]
    pub display_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub unit_id: Uuid,
    pub position_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    /// Omit to give the position's default role.
    pub role_ids: Option<Vec<Uuid>>,
    /// Omit to have a temporary password generated (returned once).
    #[schema(max_length = 128)]
    pub password: Option<String>,
}

/// Add a person. They must change the password at first sign-in.
#[utoipa::path(post, path = "/api/v1/users", tag = "people", operation_id = "createUser", request_body = NewUserBody,
    responses((status = 201, body = CreatedUserView)))]
async fn create_user(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<CreatedUserView>), ApiError> {
    let input = people::CreateUser {
        username: b.username,
        display_name: b.display_name,
        mobile: b.mobile,
        email: b.email,
        unit_id: b.unit_id,
        position_id: b.position_id,
        manager_id: b.manager_id,
        role_ids: b.role_ids,
        password: b.password,
    };
    let c = people::create(&s.app, &actor, input, &meta).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUserView {
            user: c.user.into(),
            temporary_password: c.temporary_password,
        }),
    ))
}

/// One person, with roles and placement history.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "people", operation_id = "getUser", params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDetailView)))]
async fn get_user(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let d = people::get(&s.app, &actor, id).await?;
    Ok(with_etag(d.user.version, UserDetailView::from(d)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileBody {
    #[schema(min_length = 1, max_length = 40)]
    pub display_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
}

/// Change a person's name and contact details.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "people", operation_id = "updateUser", request_body = ProfileBody,
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = UserDetailView)))]
async fn update_user(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ProfileBody>,
) -> Result<Response, ApiError> {
    let d = people::update_profile(
        &s.app,
        &actor,
        id,
        v,
        people::UpdateProfile {
            display_name: b.display_name,
            mobile: b.mobile,
            email: b.email,
        },
        &meta,
    )
    .await?;
    Ok(with_etag(d.user.version, UserDetailView::from(d)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReassignBody {
    pub unit_id: Uuid,
    pub position_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
}

/// Move a person to another unit, position or manager (history kept).
#[utoipa::path(post, path = "/api/v1/users/{id}/reassign", tag = "people", operation_id = "reassignUser", request_body = ReassignBody,
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = UserDetailView)))]
async fn reassign_user(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ReassignBody>,
) -> Result<Response, ApiError> {
    let d = people::reassign(
        &s.app,
        &actor,
        id,
        v,
        people::Reassign {
            unit_id: b.unit_id,
            position_id: b.position_id,
            manager_id: b.manager_id,
        },
        &meta,
    )
    .await?;
    Ok(with_etag(d.user.version, UserDetailView::from(d)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RolesBody {
    pub role_ids: Vec<Uuid>,
}

/// Replace a person's roles (never more than the caller holds).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "people", operation_id = "setUserRoles", request_body = RolesBody,
    params(("id" = Uuid, Path)), responses((status = 200, body = UserDetailView)))]
async fn set_user_roles(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<RolesBody>,
) -> Result<Response, ApiError> {
    let d = people::set_roles(&s.app, &actor, id, b.role_ids, &meta).await?;
    Ok(with_etag(d.user.version, UserDetailView::from(d)))
}

/// Deactivate: records and history stay; every session and token ends now.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "people", operation_id = "deactivateUser",
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = UserDetailView)))]
async fn deactivate_user(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
) -> Result<Response, ApiError> {
    let d = people::set_active(&s.app, &actor, id, v, false, &meta).await?;
    Ok(with_etag(d.user.version, UserDetailView::from(d)))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "people", operation_id = "reactivateUser",
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = UserDetailView)))]
async fn reactivate_user(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
) -> Result<Response, ApiError> {
    let d = people::set_active(&s.app, &actor, id, v, true, &meta).await?;
    Ok(with_etag(d.user.version, UserDetailView::from(d)))
}

/// Give a person a new temporary password (shown once); their sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", tag = "people", operation_id = "resetUserPassword",
    params(("id" = Uuid, Path)), responses((status = 200, body = TemporaryPasswordView)))]
async fn reset_user_password(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TemporaryPasswordView>, ApiError> {
    let p = people::reset_password(&s.app, &actor, id, &meta).await?;
    Ok(Json(TemporaryPasswordView {
        temporary_password: p,
    }))
}
