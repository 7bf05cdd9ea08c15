//! /api/v1/territory: territory design (区域设计): units and their map, scenarios (方案),
//! optimising, moving and locking units, and applying a scenario.

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
use crate::views::territory::{
    ApplyPreviewView, FiguresFromCustomersView, ScenarioDetailView, ScenarioSummaryView,
    TerritoryUnitView, UnitsImportedView,
};
use salesdesk_app::territory;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_units))
        .routes(routes!(import_units))
        .routes(routes!(figures_from_customers))
        .routes(routes!(get_map))
        .routes(routes!(list_scenarios, create_scenario))
        .routes(routes!(get_scenario, delete_scenario))
        .routes(routes!(optimise_scenario))
        .routes(routes!(place_unit))
        .routes(routes!(update_territory))
        .routes(routes!(preview_apply))
        .routes(routes!(apply_scenario))
}

/// The units territories are made of, with each one's rep now (the present alignment).
#[utoipa::path(get, path = "/api/v1/territory/units", tag = "territory", operation_id = "listTerritoryUnits",
    responses((status = 200, body = Vec<TerritoryUnitView>)))]
async fn list_units(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<TerritoryUnitView>>, ApiError> {
    let u = territory::list_units(&s.app, &actor).await?;
    Ok(Json(u.into_iter().map(Into::into).collect()))
}

/// The units' outlines as GeoJSON (feature `name` = unit code), for a map without tiles.
#[utoipa::path(get, path = "/api/v1/territory/map", tag = "territory", operation_id = "getTerritoryMap",
    responses((status = 200, body = Object)))]
async fn get_map(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(territory::map(&s.app, &actor).await?))
}

/// Scenarios side by side, newest first, with their figures.
#[utoipa::path(get, path = "/api/v1/territory/scenarios", tag = "territory", operation_id = "listScenarios",
    responses((status = 200, body = Vec<ScenarioSummaryView>)))]
async fn list_scenarios(
    State(s): State<AppState>,
    Auth(actor): Auth,
) -> Result<Json<Vec<ScenarioSummaryView>>, ApiError> {
    let l = territory::list(&s.app, &actor).await?;
    Ok(Json(l.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScenarioBody {
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// Territories (not with fromCurrent, which makes one per rep holding units now).
    #[schema(minimum = 2, maximum = 500)]
    pub k: Option<i64>,
    /// potential | workload | both
    #[schema(pattern = "^(potential|workload|both)$")]
    pub balance: String,
    #[schema(minimum = 0, maximum = 1000000)]
    pub seed: Option<i64>,
    /// Rebalance the present alignment, moving as few units as balance allows.
    #[serde(default)]
    pub from_current: bool,
}

/// Design a scenario: the engine runs (at most 10 s) and the scenario is saved as a draft.
#[utoipa::path(post, path = "/api/v1/territory/scenarios", tag = "territory", operation_id = "createScenario",
    request_body = ScenarioBody, responses((status = 201, body = ScenarioDetailView)))]
async fn create_scenario(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<ScenarioBody>,
) -> Result<(StatusCode, Json<ScenarioDetailView>), ApiError> {
    let input = territory::NewScenarioInput {
        name: b.name,
        k: b.k,
        balance: b.balance,
        seed: b.seed,
        from_current: b.from_current,
    };
    let d = territory::create(&s.app, &actor, input, &meta).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// A scenario with its territories, their figures and every unit's place.
#[utoipa::path(get, path = "/api/v1/territory/scenarios/{id}", tag = "territory", operation_id = "getScenario",
    params(("id" = Uuid, Path)), responses((status = 200, body = ScenarioDetailView)))]
async fn get_scenario(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let d = territory::get(&s.app, &actor, id).await?;
    Ok(with_etag(d.scenario.version, ScenarioDetailView::from(d)))
}

/// Delete a draft.
#[utoipa::path(delete, path = "/api/v1/territory/scenarios/{id}", tag = "territory", operation_id = "deleteScenario",
    params(("id" = Uuid, Path)), responses((status = 204)))]
async fn delete_scenario(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    territory::delete(&s.app, &actor, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Optimise a draft from where it stands: locked units stay, few others move.
#[utoipa::path(post, path = "/api/v1/territory/scenarios/{id}/optimise", tag = "territory", operation_id = "optimiseScenario",
    params(("id" = Uuid, Path), super::VersionHeader), responses((status = 200, body = ScenarioDetailView)))]
async fn optimise_scenario(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
) -> Result<Response, ApiError> {
    let d = territory::optimise(&s.app, &actor, id, Some(v), &meta).await?;
    Ok(with_etag(d.scenario.version, ScenarioDetailView::from(d)))
}

#[derive(Deserialize)]
pub struct UnitPath {
    id: Uuid,
    code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlaceBody {
    /// The territory (index) to move the unit to.
    #[schema(minimum = 0, maximum = 499)]
    pub territory: Option<i64>,
    /// Keep it where it is when the scenario is optimised.
    pub locked: Option<bool>,
}

/// Move a unit to another territory and/or lock it; the figures come back recomputed.
#[utoipa::path(put, path = "/api/v1/territory/scenarios/{id}/units/{code}", tag = "territory", operation_id = "placeUnit",
    request_body = PlaceBody, params(("id" = Uuid, Path), ("code" = String, Path)),
    responses((status = 200, body = ScenarioDetailView)))]
async fn place_unit(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(p): ApiPath<UnitPath>,
    ApiJson(b): ApiJson<PlaceBody>,
) -> Result<Response, ApiError> {
    let d =
        territory::place_unit(&s.app, &actor, p.id, &p.code, b.territory, b.locked, &meta).await?;
    Ok(with_etag(d.scenario.version, ScenarioDetailView::from(d)))
}

#[derive(Deserialize)]
pub struct TerritoryPath {
    id: Uuid,
    idx: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TerritoryBody {
    #[schema(min_length = 1, max_length = 40)]
    pub label: String,
    /// The rep who will hold it.
    pub owner_id: Option<Uuid>,
    /// 补偿系数, 0.5–3.0.
    #[schema(minimum = 0.5, maximum = 3.0)]
    pub compensation: f64,
}

/// Name a territory, choose its rep and its compensation coefficient.
#[utoipa::path(put, path = "/api/v1/territory/scenarios/{id}/territories/{idx}", tag = "territory", operation_id = "updateTerritory",
    request_body = TerritoryBody, params(("id" = Uuid, Path), ("idx" = i64, Path)),
    responses((status = 200, body = ScenarioDetailView)))]
async fn update_territory(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(p): ApiPath<TerritoryPath>,
    ApiJson(b): ApiJson<TerritoryBody>,
) -> Result<Response, ApiError> {
    let input = territory::TerritoryInput {
        label: b.label,
        owner_id: b.owner_id,
        compensation: b.compensation,
    };
    let d = territory::update_territory(&s.app, &actor, p.id, p.idx, input, &meta).await?;
    Ok(with_etag(d.scenario.version, ScenarioDetailView::from(d)))
}

/// Who would gain and lose which units and customers if the scenario were applied.
#[utoipa::path(get, path = "/api/v1/territory/scenarios/{id}/apply-preview", tag = "territory", operation_id = "previewApplyScenario",
    params(("id" = Uuid, Path)), responses((status = 200, body = ApplyPreviewView)))]
async fn preview_apply(
    State(s): State<AppState>,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ApplyPreviewView>, ApiError> {
    Ok(Json(
        territory::preview_apply(&s.app, &actor, id).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApplyBody {
    /// Written to each moved customer's owner history.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// Apply a draft: units go to their territory's rep, and customers in units that change
/// hands are transferred (转移) with history. Applied once; a second apply is refused.
#[utoipa::path(post, path = "/api/v1/territory/scenarios/{id}/apply", tag = "territory", operation_id = "applyScenario",
    request_body = ApplyBody, params(("id" = Uuid, Path), super::VersionHeader),
    responses((status = 200, body = ApplyPreviewView)))]
async fn apply_scenario(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiPath(id): ApiPath<Uuid>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ApplyBody>,
) -> Result<Json<ApplyPreviewView>, ApiError> {
    let p = territory::apply(&s.app, &actor, id, v, b.reason, &meta).await?;
    Ok(Json(p.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnitsImportBody {
    /// units.csv: id,name,state,lon,lat,x_km,y_km,area_km2,perimeter_km,potential,workload
    /// by header, plus optional province, city, district and owner (username).
    #[schema(min_length = 1)]
    pub units_csv: String,
    /// adjacency.csv: a,b,border_km,kind. Without it, neighbours come from the centroids.
    pub adjacency_csv: Option<String>,
    /// A GeoJSON FeatureCollection; each feature's properties.id (or adcode, or name) is
    /// the unit's id.
    pub geojson: Option<serde_json::Value>,
}

/// Add or update units (by id) and replace their adjacency. A bad cell is reported as the
/// field `unitsCsv[line].column`, and nothing changes.
#[utoipa::path(post, path = "/api/v1/territory/units/import", tag = "territory", operation_id = "importTerritoryUnits",
    request_body = UnitsImportBody, responses((status = 200, body = UnitsImportedView)))]
async fn import_units(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
    ApiJson(b): ApiJson<UnitsImportBody>,
) -> Result<Json<UnitsImportedView>, ApiError> {
    let input = territory::UnitsImport {
        units_csv: b.units_csv,
        adjacency_csv: b.adjacency_csv,
        geojson: b.geojson,
    };
    let r = territory::import_units(&s.app, &actor, input, &meta).await?;
    Ok(Json(r.into()))
}

/// Set every unit's potential and workload from its customers (by city and district):
/// level-weighted customers, and the visits a month they need by level.
#[utoipa::path(post, path = "/api/v1/territory/units/figures-from-customers", tag = "territory",
    operation_id = "territoryFiguresFromCustomers", responses((status = 200, body = FiguresFromCustomersView)))]
async fn figures_from_customers(
    State(s): State<AppState>,
    Meta(meta): Meta,
    Auth(actor): Auth,
) -> Result<Json<FiguresFromCustomersView>, ApiError> {
    Ok(Json(
        territory::figures_from_customers(&s.app, &actor, &meta)
            .await?
            .into(),
    ))
}
