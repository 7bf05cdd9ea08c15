//! Health, readiness and metrics for load balancers and monitoring (no sign-in needed; no data).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "system", operation_id = "healthz", security(()), responses((status = 200, description = "ok", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and is at this binary's schema version.
#[utoipa::path(get, path = "/readyz", tag = "system", operation_id = "readyz", security(()),
    responses((status = 200, description = "ready", body = String), (status = 503, description = "not ready", body = String)))]
async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    match s.app.db.schema_version().await {
        Ok(Some(v)) if v == s.app.db.expected_schema_version() => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
    }
}

/// Prometheus metrics: requests and latencies by route, database pool.
#[utoipa::path(get, path = "/metrics", tag = "system", operation_id = "metrics", security(()), responses((status = 200, description = "Prometheus text", body = String)))]
async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(s.app.db.pool_stats()),
    )
}
