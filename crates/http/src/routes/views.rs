//! /api/v1/me/views: the caller's saved views (保存的视图) of a list — named filters, sort and
//! columns, one of them opened by default.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use salesdesk_app::saved_views::{self, ViewInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::with_etag;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IfMatch, Meta};
use crate::views::saved_views::SavedViewView;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_my_views, create_view))
        .routes(routes!(update_view, delete_view))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SavedViewBody {
    /// customers
    #[schema(max_length = 20)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// The list's query parameters: filters (`levelCode`, `idleDays`...), `sort`, `order`,
    /// `pageSize`. Unknown parameters are refused.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    #[schema(max_items = 40)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub is_default: bool,
    /// 公共视图: list it to everyone who uses the list (administrators only). Each reader
    /// still sees only their own scope through it.
    #[serde(default)]
    pub shared: bool,
}

impl From<SavedViewBody> for ViewInput {
    fn from(b: SavedViewBody) -> Self {
        ViewInput {
            kind: b.kind,
            name: b.name,
            query: b.query,
            columns: b.columns,
            is_default: b.is_default,
            shared: b.shared,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ViewsQuery {
    /// customers
    #[param(max_length = 20)]
    pub kind: String,
}

/// The caller's views of one list, by name.
#[utoipa::path(get, path = "/api/v1/me/views", tag = "me", operation_id = "listMyViews",
    params(ViewsQuery), responses((status = 200, body = Vec<SavedViewView>)))]
async fn list_my_views(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<ViewsQuery>,
) -> Result<Json<Vec<SavedViewView>>, ApiError> {
    let views = saved_views::mine(&s.app, &actor, &q.kind).await?;
    Ok(Json(views.into_iter().map(Into::into).collect()))
}

/// Save the list's current filters, sort and columns under a name (at most 30 per list).
#[utoipa::path(post, path = "/api/v1/me/views", tag = "me", operation_id = "createView",
    request_body = SavedViewBody, responses((status = 201, body = SavedViewView)))]
async fn create_view(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<SavedViewBody>,
) -> Result<(StatusCode, Json<SavedViewView>), ApiError> {
    let v = saved_views::create(&s.app, &actor, b.into(), &meta).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Rename a view, replace what it holds or make it the default.
#[utoipa::path(put, path = "/api/v1/me/views/{id}", tag = "me", operation_id = "updateView",
    request_body = SavedViewBody, params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = SavedViewView)))]
async fn update_view(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<SavedViewBody>,
) -> Result<Response, ApiError> {
    let view = saved_views::update(&s.app, &actor, id, v, b.into(), &meta).await?;
    Ok(with_etag(view.version, SavedViewView::from(view)))
}

#[utoipa::path(delete, path = "/api/v1/me/views/{id}", tag = "me", operation_id = "deleteView",
    params(("id" = Uuid, Path)), responses((status = 204)))]
async fn delete_view(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    saved_views::delete(&s.app, &actor, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
