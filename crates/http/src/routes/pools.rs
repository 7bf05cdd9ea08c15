//! /api/v1/pools: customer pools (公海), their customers, claiming, assigning, returning.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::customers::CustomerListQuery;
use super::with_etag;
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth, IfMatch, Meta};
use crate::views::customers::{
    CustomerPage, CustomerView, LevelRuleView, PoolView, ReclaimItemView, ReclaimReportView,
    ReclaimRunView,
};
use salesdesk_app::pools;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_pools, create_pool))
        .routes(routes!(update_pool))
        .routes(routes!(list_pool_customers))
        .routes(routes!(claim_customer))
        .routes(routes!(assign_pool_customer))
        .routes(routes!(return_to_pool))
        .routes(routes!(preview_reclaim))
        .routes(routes!(run_reclaim))
        .routes(routes!(get_reclaim_run))
        .routes(routes!(list_my_reclaim_warnings))
}

/// The pools I may claim from or manage.
#[utoipa::path(get, path = "/api/v1/pools", tag = "pools", operation_id = "listPools",
    responses((status = 200, body = Vec<PoolView>)))]
async fn list_pools(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<PoolView>>, ApiError> {
    let p = pools::list(&s.app, &actor).await?;
    Ok(Json(p.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PoolBody {
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// Members are the people of this unit and the units below it.
    pub unit_id: Uuid,
    /// Reclaim after this many days without a follow-up.
    #[schema(minimum = 1, maximum = 3650)]
    pub no_followup_days: Option<i64>,
    /// Reclaim after this many days without a deal.
    #[schema(minimum = 1, maximum = 3650)]
    pub no_deal_days: Option<i64>,
    /// Remind the owner this many days before a reclaim.
    #[schema(minimum = 1, maximum = 3650)]
    pub remind_days: Option<i64>,
    /// The previous owner may not claim a customer back for this many days.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 3650)]
    pub cooldown_days: i64,
    /// Claims per rep per day.
    #[schema(minimum = 1, maximum = 10000)]
    pub daily_claim_limit: Option<i64>,
    /// Members see no contact details until they claim.
    #[serde(default = "yes")]
    pub hide_contacts: bool,
    #[serde(default = "yes")]
    pub active: bool,
    /// Other days for customers of particular levels (按级别回收); levels without a rule
    /// follow the days above.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub level_rules: Vec<LevelRuleView>,
}

fn yes() -> bool {
    true
}

impl From<PoolBody> for pools::PoolInput {
    fn from(b: PoolBody) -> Self {
        pools::PoolInput {
            name: b.name,
            unit_id: b.unit_id,
            no_followup_days: b.no_followup_days,
            no_deal_days: b.no_deal_days,
            remind_days: b.remind_days,
            cooldown_days: b.cooldown_days,
            daily_claim_limit: b.daily_claim_limit,
            hide_contacts: b.hide_contacts,
            active: b.active,
            level_rules: b.level_rules.into_iter().map(Into::into).collect(),
        }
    }
}

/// Set up a pool for a unit I manage.
#[utoipa::path(post, path = "/api/v1/pools", tag = "pools", operation_id = "createPool",
    request_body = PoolBody, responses((status = 201, body = PoolView)))]
async fn create_pool(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<PoolBody>,
) -> Result<(StatusCode, Json<PoolView>), ApiError> {
    let p = pools::create(&s.app, &actor, b.into(), &meta).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(put, path = "/api/v1/pools/{id}", tag = "pools", operation_id = "updatePool",
    request_body = PoolBody, params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = PoolView)))]
async fn update_pool(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<PoolBody>,
) -> Result<Response, ApiError> {
    let p = pools::update(&s.app, &actor, id, v, b.into(), &meta).await?;
    Ok(with_etag(p.pool.version, PoolView::from(p)))
}

/// A pool's customers (contact details hidden from members when the pool says so).
#[utoipa::path(get, path = "/api/v1/pools/{id}/customers", tag = "pools", operation_id = "listPoolCustomers",
    params(("id" = Uuid, Path), CustomerListQuery), responses((status = 200, body = CustomerPage)))]
async fn list_pool_customers(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<CustomerListQuery>,
) -> Result<Json<CustomerPage>, ApiError> {
    let (q, sort, desc, page) = q.split()?;
    let p = pools::customers(&s.app, &actor, id, q, sort, desc, page).await?;
    Ok(Json(CustomerPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        total_exact: true,
        page: p.page,
        page_size: p.page_size,
    }))
}

#[derive(Deserialize)]
pub struct PoolCustomerPath {
    id: Uuid,
    customer_id: Uuid,
}

/// 领取: take a customer from the pool. When several reps claim one customer at once, one
/// gets it and the others get 409.
#[utoipa::path(post, path = "/api/v1/pools/{id}/customers/{customer_id}/claim", tag = "pools", operation_id = "claimCustomer",
    params(("id" = Uuid, Path), ("customer_id" = Uuid, Path)), responses((status = 200, body = CustomerView)))]
async fn claim_customer(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(p): ApiPath<PoolCustomerPath>,
) -> Result<Json<CustomerView>, ApiError> {
    let c = pools::claim(&s.app, &actor, p.id, p.customer_id, &meta).await?;
    Ok(Json(c.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssignBody {
    pub to_user_id: Uuid,
}

/// 分配: a pool manager gives a pool customer to a rep.
#[utoipa::path(post, path = "/api/v1/pools/{id}/customers/{customer_id}/assign", tag = "pools", operation_id = "assignPoolCustomer",
    request_body = AssignBody, params(("id" = Uuid, Path), ("customer_id" = Uuid, Path)),
    responses((status = 200, body = CustomerView)))]
async fn assign_pool_customer(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(p): ApiPath<PoolCustomerPath>,
    ApiJson(b): ApiJson<AssignBody>,
) -> Result<Json<CustomerView>, ApiError> {
    let c = pools::assign(&s.app, &actor, p.id, p.customer_id, b.to_user_id, &meta).await?;
    Ok(Json(c.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReturnBody {
    pub pool_id: Uuid,
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// 退回公海: give a customer up to a pool that covers it, with a reason.
#[utoipa::path(post, path = "/api/v1/customers/{id}/return-to-pool", tag = "pools", operation_id = "returnToPool",
    request_body = ReturnBody, params(("id" = Uuid, Path)), responses((status = 200, body = CustomerView)))]
async fn return_to_pool(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<ReturnBody>,
) -> Result<Json<CustomerView>, ApiError> {
    let c = pools::return_to_pool(&s.app, &actor, id, b.pool_id, b.reason, &meta).await?;
    Ok(Json(c.into()))
}

/// 回收 preview: the customers the pools' rules would take back now. Changes nothing.
#[utoipa::path(get, path = "/api/v1/pools/reclaim-preview", tag = "pools", operation_id = "previewReclaim",
    responses((status = 200, body = ReclaimReportView)))]
async fn preview_reclaim(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<ReclaimReportView>, ApiError> {
    let r = pools::reclaim_preview(&s.app, &actor).await?;
    Ok(Json(r.into()))
}

/// Start the reclaim now (it also runs daily on its own); it runs in the background and
/// `/api/v1/pools/reclaim-runs/{key}` tells how it went. Safe to run twice: a customer moves
/// once.
#[utoipa::path(post, path = "/api/v1/pools/reclaim", tag = "pools", operation_id = "runReclaim",
    responses((status = 202, body = ReclaimRunView)))]
async fn run_reclaim(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
) -> Result<(StatusCode, Json<ReclaimRunView>), ApiError> {
    let r = pools::start_reclaim(&s.app, &actor, &meta).await?;
    Ok((StatusCode::ACCEPTED, Json(r.into())))
}

/// A reclaim run: running until `finishedAt`, then how many customers it moved.
#[utoipa::path(get, path = "/api/v1/pools/reclaim-runs/{key}", tag = "pools", operation_id = "getReclaimRun",
    params(("key" = String, Path, max_length = 40)),
    responses((status = 200, body = ReclaimRunView)))]
async fn get_reclaim_run(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ReclaimRunView>, ApiError> {
    if key.chars().count() > 40 {
        return Err(salesdesk_domain::Invalid::field("key", "too_long").into());
    }
    let r = pools::reclaim_status(&s.app, &actor, &key).await?;
    Ok(Json(r.into()))
}

/// My customers the pools' rules will take back soon (within each pool's reminder period).
#[utoipa::path(get, path = "/api/v1/me/reclaim-warnings", tag = "pools", operation_id = "listMyReclaimWarnings",
    responses((status = 200, body = Vec<ReclaimItemView>)))]
async fn list_my_reclaim_warnings(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<ReclaimItemView>>, ApiError> {
    let r = pools::my_reclaim_warnings(&s.app, &actor).await?;
    Ok(Json(r.into_iter().map(Into::into).collect()))
}
