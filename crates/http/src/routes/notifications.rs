//! /api/v1/me/notifications: the caller's notifications (通知) — contacts due, customers the
//! pools will take back, forgotten customers, customers given to them. Each person reads and
//! marks only their own.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use salesdesk_app::notifications;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, Auth, Meta};
use crate::views::notifications::{MarkedView, NotificationPage, UnreadView};

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_my_notifications))
        .routes(routes!(count_my_unread_notifications))
        .routes(routes!(read_notification))
        .routes(routes!(read_all_notifications))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<u32>,
}

/// My notifications, newest first.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "me", operation_id = "listMyNotifications",
    params(NotificationQuery), responses((status = 200, body = NotificationPage)))]
async fn list_my_notifications(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    let page = super::paging(q.page, q.page_size, 20)?;
    let p = notifications::mine(&s.app, &actor, q.unread.unwrap_or(false), page).await?;
    Ok(Json(NotificationPage {
        items: p.page.items.into_iter().map(Into::into).collect(),
        total: p.page.total,
        page: p.page.page,
        page_size: p.page.page_size,
        unread: p.unread,
    }))
}

/// How many of my notifications are unread (the bell's badge).
#[utoipa::path(get, path = "/api/v1/me/notifications/unread-count", tag = "me", operation_id = "countMyUnreadNotifications",
    responses((status = 200, body = UnreadView)))]
async fn count_my_unread_notifications(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<UnreadView>, ApiError> {
    let unread = notifications::unread(&s.app, &actor).await?;
    Ok(Json(UnreadView { unread }))
}

/// Mark one of my notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "me", operation_id = "readNotification",
    params(("id" = Uuid, Path)), responses((status = 204)))]
async fn read_notification(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    notifications::mark_read(&s.app, &actor, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark all my notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "me", operation_id = "readAllNotifications",
    responses((status = 200, body = MarkedView)))]
async fn read_all_notifications(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
) -> Result<Json<MarkedView>, ApiError> {
    let marked = notifications::mark_all_read(&s.app, &actor, &meta).await?;
    Ok(Json(MarkedView { marked }))
}
