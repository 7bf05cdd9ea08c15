//! /api/v1/roles and the permission catalogue.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::with_etag;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, Auth, IfMatch, Meta};
use crate::views::{CatalogueView, RoleView};
use salesdesk_app::roles;
use salesdesk_domain::access::{DataScope, Permission, ScopeModule};

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_roles, create_role))
        .routes(routes!(update_role, delete_role))
        .routes(routes!(catalogue))
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", operation_id = "listRoles", responses((status = 200, body = Vec<RoleView>)))]
async fn list_roles(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    Ok(Json(
        roles::list(&s.app, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScopeBody {
    pub module: ScopeModule,
    pub scope: DataScope,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleBody {
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    #[schema(max_length = 60)]
    pub name_en: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    pub permissions: Vec<Permission>,
    pub scopes: Vec<ScopeBody>,
}

impl From<RoleBody> for roles::RoleInput {
    fn from(b: RoleBody) -> Self {
        roles::RoleInput {
            name: b.name,
            name_en: b.name_en,
            description: b.description,
            permissions: b
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            scopes: b
                .scopes
                .into_iter()
                .map(|s| (s.module.as_str().to_owned(), s.scope.as_str().to_owned()))
                .collect(),
        }
    }
}

/// Create a role (at most the caller's own grants).
#[utoipa::path(post, path = "/api/v1/roles", tag = "roles", operation_id = "createRole", request_body = RoleBody, responses((status = 201, body = RoleView)))]
async fn create_role(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<RoleBody>,
) -> Result<(StatusCode, Response), ApiError> {
    let r = roles::create(&s.app, &actor, b.into(), &meta).await?;
    Ok((
        StatusCode::CREATED,
        with_etag(r.role.version, RoleView::from(r)),
    ))
}

#[utoipa::path(put, path = "/api/v1/roles/{id}", tag = "roles", operation_id = "updateRole", request_body = RoleBody,
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = RoleView)))]
async fn update_role(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<RoleBody>,
) -> Result<Response, ApiError> {
    let r = roles::update(&s.app, &actor, id, v, b.into(), &meta).await?;
    Ok(with_etag(r.role.version, RoleView::from(r)))
}

/// Delete a custom role nobody holds.
#[utoipa::path(delete, path = "/api/v1/roles/{id}", tag = "roles", operation_id = "deleteRole",
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 204, description = "Deleted")))]
async fn delete_role(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
) -> Result<StatusCode, ApiError> {
    roles::delete(&s.app, &actor, id, v, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every permission, scope module and data scope a role can set.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "roles", operation_id = "getPermissionCatalogue", responses((status = 200, body = CatalogueView)))]
async fn catalogue(Auth(_actor): Auth) -> Json<CatalogueView> {
    Json(CatalogueView {
        permissions: Permission::ALL
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        modules: ScopeModule::ALL
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        scopes: DataScope::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
    })
}
