//! /api/v1/audit: searching the audit log (read-only; no route changes it).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::audit_labels::ACTIONS;
use crate::error::ApiError;
use crate::extract::{ApiQuery, Auth};
use crate::messages::Locale;
use crate::views::{AuditPage, AuditView};
use axum::http::{HeaderMap, header};
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(search_audit))
        .routes(routes!(list_audit_actions))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor_id: Option<Uuid>,
    #[param(max_length = 60)]
    pub action: Option<String>,
    #[param(max_length = 60)]
    pub entity_type: Option<String>,
    #[param(max_length = 60)]
    pub entity_id: Option<String>,
    /// From this instant (epoch ms, inclusive).
    pub from: Option<i64>,
    /// Before this instant (epoch ms).
    pub to: Option<i64>,
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<u32>,
}

/// Audit rows, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", operation_id = "searchAudit", params(AuditQuery), responses((status = 200, body = AuditPage)))]
async fn search_audit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Auth(actor): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let l = Locale::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    super::check_lengths(&[
        ("action", &q.action, 60),
        ("entityType", &q.entity_type, 60),
        ("entityId", &q.entity_id, 60),
    ])?;
    let filter = salesdesk_app::records::AuditFilter {
        actor_id: q.actor_id,
        action: q.action,
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        from: q.from,
        to: q.to,
    };
    let page = super::paging(q.page, q.page_size, 50)?;
    let p = salesdesk_app::audit::search(&s.app, &actor, filter, page).await?;
    Ok(Json(AuditPage {
        items: p.items.into_iter().map(|e| AuditView::new(e, l)).collect(),
        total: p.total,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditActionView {
    pub code: String,
    pub label: String,
}

/// The actions the audit log records, with their names in the request's language (the
/// filter's choices).
#[utoipa::path(get, path = "/api/v1/audit/actions", tag = "audit", operation_id = "listAuditActions",
    responses((status = 200, body = Vec<AuditActionView>)))]
async fn list_audit_actions(
    headers: HeaderMap,
    Auth(actor): Auth,
) -> Result<Json<Vec<AuditActionView>>, ApiError> {
    actor.require(salesdesk_domain::access::Permission::AuditView)?;
    let l = Locale::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    Ok(Json(
        ACTIONS
            .iter()
            .map(|(code, zh, en)| AuditActionView {
                code: (*code).to_owned(),
                label: if l == Locale::EnUs { *en } else { *zh }.to_owned(),
            })
            .collect(),
    ))
}
