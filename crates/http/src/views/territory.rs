//! Territory design (区域设计) views: units, scenarios with their figures, apply previews.

use salesdesk_app::records::{ScenarioRow, TerritoryUnitRow as UnitRow};
use salesdesk_app::territory as app;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A unit territories are made of (a district or city), with its rep now.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TerritoryUnitView {
    pub code: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub area_km2: Option<f64>,
    pub potential: f64,
    pub workload: f64,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
}

impl From<UnitRow> for TerritoryUnitView {
    fn from(u: UnitRow) -> Self {
        TerritoryUnitView {
            code: u.code,
            name: u.name,
            province: u.province,
            city: u.city,
            district: u.district,
            lon: u.lon,
            lat: u.lat,
            area_km2: u.area_km2,
            potential: u.potential,
            workload: u.workload,
            owner_id: u.owner_id,
            owner_name: u.owner_name,
        }
    }
}

/// A scenario's figures. Deviations are fractions of the mean territory (0.01 = 1 %).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioFiguresView {
    pub potential_max_deviation: f64,
    pub potential_mean_deviation: f64,
    /// Among territories without a unit heavier than a fair share.
    pub potential_max_deviation_regular: f64,
    pub workload_max_deviation: f64,
    pub workload_mean_deviation: f64,
    /// Potential-weighted mean distance (km) from units to their territory's centre.
    pub mean_distance_km: f64,
    pub mean_polsby_popper: Option<f64>,
    /// Every territory is one piece.
    pub contiguous: bool,
    /// Units whose rep would change against the present alignment.
    pub units_moved: usize,
    /// The present alignment's largest deviation of a rep's potential from the mean (null
    /// with fewer than two reps holding units): what the moves are weighed against.
    pub present_potential_max_deviation: Option<f64>,
    /// 0–100: the least fair territory's fairness (territories of an oversized unit aside).
    pub fairness: f64,
}

impl From<app::ScenarioFigures> for ScenarioFiguresView {
    fn from(f: app::ScenarioFigures) -> Self {
        ScenarioFiguresView {
            potential_max_deviation: f.potential_max_deviation,
            potential_mean_deviation: f.potential_mean_deviation,
            potential_max_deviation_regular: f.potential_max_deviation_regular,
            workload_max_deviation: f.workload_max_deviation,
            workload_mean_deviation: f.workload_mean_deviation,
            mean_distance_km: f.mean_distance_km,
            mean_polsby_popper: f.mean_polsby_popper,
            contiguous: f.contiguous,
            units_moved: f.units_moved,
            present_potential_max_deviation: f.present_potential_max_deviation,
            fairness: f.fairness,
        }
    }
}

/// A scenario (方案) and its figures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSummaryView {
    pub id: Uuid,
    pub name: String,
    pub k: i64,
    /// potential | workload | both
    pub balance: String,
    pub seed: i64,
    /// draft | applied
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub applied_at: Option<i64>,
    pub version: i64,
    pub figures: ScenarioFiguresView,
}

fn summary(s: ScenarioRow, figures: app::ScenarioFigures) -> ScenarioSummaryView {
    ScenarioSummaryView {
        id: s.id,
        name: s.name,
        k: s.k,
        balance: s.balance,
        seed: s.seed,
        status: s.status,
        created_at: s.created_at,
        updated_at: s.updated_at,
        applied_at: s.applied_at,
        version: s.version,
        figures: figures.into(),
    }
}

impl From<app::ScenarioSummary> for ScenarioSummaryView {
    fn from(s: app::ScenarioSummary) -> Self {
        summary(s.scenario, s.figures)
    }
}

/// One territory of a scenario with its figures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TerritoryView {
    pub idx: i64,
    pub label: String,
    /// The rep who will hold it when the scenario is applied.
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    /// 补偿系数 (0.5–3.0), for commissions.
    pub compensation: f64,
    /// Suggested by remoteness (1.0–1.5).
    pub suggested_compensation: f64,
    pub units: usize,
    pub potential: f64,
    pub workload: f64,
    pub potential_deviation: f64,
    pub workload_deviation: f64,
    /// 0–100: the worse of potential and workload, 100 × the smaller of load/mean and
    /// mean/load (100 is exactly a fair share of both).
    pub fairness: f64,
    pub mean_distance_km: f64,
    pub polsby_popper: Option<f64>,
    pub contiguous: bool,
    /// Holds a unit heavier than a fair share.
    pub oversized: bool,
    pub centre_code: String,
    /// Its map colour, an index into the UI's palette of 20; neighbouring territories differ.
    pub colour: usize,
}

impl From<app::TerritoryView> for TerritoryView {
    fn from(t: app::TerritoryView) -> Self {
        TerritoryView {
            idx: t.row.idx,
            label: t.row.label,
            owner_id: t.row.owner_id,
            owner_name: t.row.owner_name,
            compensation: t.row.compensation,
            suggested_compensation: t.suggested_compensation,
            units: t.units,
            potential: t.potential,
            workload: t.workload,
            potential_deviation: t.potential_deviation,
            workload_deviation: t.workload_deviation,
            fairness: t.fairness,
            mean_distance_km: t.mean_distance_km,
            polsby_popper: t.polsby_popper,
            contiguous: t.contiguous,
            oversized: t.oversized,
            centre_code: t.centre_code,
            colour: t.colour,
        }
    }
}

/// Where a unit is in a scenario.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitPlacementView {
    pub code: String,
    pub territory: i64,
    pub locked: bool,
}

/// A scenario with its territories and every unit's place.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioDetailView {
    #[serde(flatten)]
    pub summary: ScenarioSummaryView,
    pub territories: Vec<TerritoryView>,
    pub units: Vec<UnitPlacementView>,
}

impl From<app::ScenarioDetail> for ScenarioDetailView {
    fn from(d: app::ScenarioDetail) -> Self {
        ScenarioDetailView {
            summary: summary(d.scenario, d.figures),
            territories: d.territories.into_iter().map(Into::into).collect(),
            units: d
                .units
                .into_iter()
                .map(|u| UnitPlacementView {
                    code: u.code,
                    territory: u.territory,
                    locked: u.locked,
                })
                .collect(),
        }
    }
}

/// What applying a scenario changes for one rep.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RepChangeView {
    pub user_id: Uuid,
    pub name: String,
    pub units_gained: usize,
    pub units_lost: usize,
    pub customers_gained: usize,
    pub customers_lost: usize,
}

/// A customer that changes owner when the scenario is applied.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerMoveView {
    pub customer_id: Uuid,
    pub customer_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
}

/// Who gains and loses which units and customers (the preview, and what an apply did).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplyPreviewView {
    pub units_moved: usize,
    pub reps: Vec<RepChangeView>,
    pub customers_moved: usize,
    /// The first 200 customers that change owner.
    pub customers: Vec<CustomerMoveView>,
    /// Territories without a rep: each needs one before the scenario can be applied.
    pub territories_without_owner: Vec<String>,
}

impl From<app::ApplyPreview> for ApplyPreviewView {
    fn from(p: app::ApplyPreview) -> Self {
        ApplyPreviewView {
            units_moved: p.units_moved,
            customers_moved: p.customers_moved,
            reps: p
                .reps
                .into_iter()
                .map(|r| RepChangeView {
                    user_id: r.user_id,
                    name: r.name,
                    units_gained: r.units_gained,
                    units_lost: r.units_lost,
                    customers_gained: r.customers_gained,
                    customers_lost: r.customers_lost,
                })
                .collect(),
            customers: p
                .customers
                .into_iter()
                .map(|c| CustomerMoveView {
                    customer_id: c.customer_id,
                    customer_name: c.customer_name,
                    unit_code: c.unit_code,
                    unit_name: c.unit_name,
                    from_user_id: c.from_user_id,
                    to_user_id: c.to_user_id,
                })
                .collect(),
            territories_without_owner: p.territories_without_owner,
        }
    }
}

/// What an import of units did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitsImportedView {
    pub added: usize,
    pub updated: usize,
    pub edges: usize,
    pub shapes: usize,
}

impl From<app::UnitsImported> for UnitsImportedView {
    fn from(r: app::UnitsImported) -> Self {
        UnitsImportedView {
            added: r.added,
            updated: r.updated,
            edges: r.edges,
            shapes: r.shapes,
        }
    }
}

/// What building unit figures from the customer base did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FiguresFromCustomersView {
    pub units: usize,
    pub units_with_customers: usize,
    /// Customers with a district, counted into their unit.
    pub customers: i64,
}

impl From<app::FiguresFromCustomers> for FiguresFromCustomersView {
    fn from(r: app::FiguresFromCustomers) -> Self {
        FiguresFromCustomersView {
            units: r.units,
            units_with_customers: r.units_with_customers,
            customers: r.customers,
        }
    }
}
