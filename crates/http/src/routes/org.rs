//! /api/v1/org: the unit tree and positions.

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
use crate::views::{MovePreviewView, PositionView, UnitView};
use salesdesk_app::{org, roles};
use salesdesk_domain::org::{OrgUnitKind, OrganisingBasis};

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_units, create_unit))
        .routes(routes!(update_unit, delete_unit))
        .routes(routes!(move_preview))
        .routes(routes!(move_unit))
        .routes(routes!(list_positions, create_position))
        .routes(routes!(update_position))
}

/// The whole org tree, parents before children.
#[utoipa::path(get, path = "/api/v1/org/units", tag = "org", operation_id = "listUnits", responses((status = 200, body = Vec<UnitView>)))]
async fn list_units(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<UnitView>>, ApiError> {
    Ok(Json(
        org::tree(&s.app, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewUnitBody {
    pub parent_id: Uuid,
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// Not `company`: only the root is one.
    pub kind: OrgUnitKind,
    pub basis: OrganisingBasis,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub sort_order: i64,
}

/// Create a unit under a parent.
#[utoipa::path(post, path = "/api/v1/org/units", tag = "org", operation_id = "createUnit", request_body = NewUnitBody,
    responses((status = 201, body = UnitView)))]
async fn create_unit(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<NewUnitBody>,
) -> Result<(StatusCode, Response), ApiError> {
    let input = org::UnitInput {
        name: b.name,
        kind: b.kind.as_str().into(),
        basis: b.basis.as_str().into(),
        sort_order: b.sort_order,
    };
    let u = org::create(&s.app, &actor, b.parent_id, input, &meta).await?;
    Ok((StatusCode::CREATED, with_etag(u.version, UnitView::from(u))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnitBody {
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// `company` for the root only.
    pub kind: OrgUnitKind,
    pub basis: OrganisingBasis,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub sort_order: i64,
}

/// Rename a unit or change its kind, organising basis or order.
#[utoipa::path(put, path = "/api/v1/org/units/{id}", tag = "org", operation_id = "updateUnit", request_body = UnitBody,
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = UnitView)))]
async fn update_unit(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<UnitBody>,
) -> Result<Response, ApiError> {
    let u = org::update(
        &s.app,
        &actor,
        id,
        v,
        org::UnitInput {
            name: b.name,
            kind: b.kind.as_str().into(),
            basis: b.basis.as_str().into(),
            sort_order: b.sort_order,
        },
        &meta,
    )
    .await?;
    Ok(with_etag(u.version, UnitView::from(u)))
}

/// Delete an empty unit (no sub-units, nobody ever placed in it).
#[utoipa::path(delete, path = "/api/v1/org/units/{id}", tag = "org", operation_id = "deleteUnit",
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 204, description = "Deleted")))]
async fn delete_unit(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
) -> Result<StatusCode, ApiError> {
    org::delete(&s.app, &actor, id, v, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MoveQuery {
    pub new_parent_id: Uuid,
}

/// What moving a unit would move (for the confirmation).
#[utoipa::path(get, path = "/api/v1/org/units/{id}/move-preview", tag = "org", operation_id = "previewUnitMove",
    params(("id" = Uuid, Path), MoveQuery), responses((status = 200, body = MovePreviewView)))]
async fn move_preview(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<MoveQuery>,
) -> Result<Json<MovePreviewView>, ApiError> {
    let p = org::move_preview(&s.app, &actor, id, q.new_parent_id).await?;
    Ok(Json(MovePreviewView {
        unit_name: p.unit_name,
        from_parent: p.from_parent,
        to_parent: p.to_parent,
        units: p.units,
        people: p.people,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MoveBody {
    pub new_parent_id: Uuid,
}

/// Move a unit and everything under it to a new parent (the move is kept in history).
#[utoipa::path(post, path = "/api/v1/org/units/{id}/move", tag = "org", operation_id = "moveUnit", request_body = MoveBody,
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = UnitView)))]
async fn move_unit(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<MoveBody>,
) -> Result<Response, ApiError> {
    let u = org::move_unit(&s.app, &actor, id, v, b.new_parent_id, &meta).await?;
    Ok(with_etag(u.version, UnitView::from(u)))
}

/// Positions (岗位) with their default roles.
#[utoipa::path(get, path = "/api/v1/org/positions", tag = "org", operation_id = "listPositions", responses((status = 200, body = Vec<PositionView>)))]
async fn list_positions(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<PositionView>>, ApiError> {
    Ok(Json(
        roles::positions(&s.app, &actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PositionBody {
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    #[schema(max_length = 60)]
    pub name_en: Option<String>,
    pub default_role_id: Option<Uuid>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl From<PositionBody> for roles::PositionInput {
    fn from(b: PositionBody) -> Self {
        roles::PositionInput {
            name: b.name,
            name_en: b.name_en,
            default_role_id: b.default_role_id,
            active: b.active,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/org/positions", tag = "org", operation_id = "createPosition", request_body = PositionBody,
    responses((status = 201, body = PositionView)))]
async fn create_position(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<PositionBody>,
) -> Result<(StatusCode, Response), ApiError> {
    let p = roles::create_position(&s.app, &actor, b.into(), &meta).await?;
    Ok((
        StatusCode::CREATED,
        with_etag(p.version, PositionView::from(p)),
    ))
}

#[utoipa::path(put, path = "/api/v1/org/positions/{id}", tag = "org", operation_id = "updatePosition", request_body = PositionBody,
    params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = PositionView)))]
async fn update_position(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<PositionBody>,
) -> Result<Response, ApiError> {
    let p = roles::update_position(&s.app, &actor, id, v, b.into(), &meta).await?;
    Ok(with_etag(p.version, PositionView::from(p)))
}
