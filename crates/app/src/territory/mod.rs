//! Territory design (区域设计): scenarios (方案) that group the company's units (districts,
//! cities) into balanced, contiguous territories with the engine of `salesdesk-territory`;
//! moving and locking units by hand; and applying a scenario, which makes each territory's
//! rep responsible for its units and hands them the customers of units that change hands
//! through the customer transfer (转移) of the customer archive, with history and audit.
//!
//! The current alignment is each unit's owner. A unit's customers are those whose address
//! names its city and district. Applying moves the customers the unit's previous owner held
//! there; customers of other owners in the unit (a key-account team's) stay where they are.

use std::collections::HashMap;
use std::time::Duration;

use salesdesk_domain::access::Permission;
use salesdesk_store::Tx;
use salesdesk_store::territory::{self as store, ScenarioRow, TerritoryRow, UnitRow};
use salesdesk_territory::{Balance, Edge, Figures, Graph, Problem, Unit, evaluate};
use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, App, AppError, AppResult};

mod apply;
mod design;
mod units;

pub use apply::{ApplyPreview, CustomerMove, RepChange, apply, preview_apply};
pub(crate) use design::create_as;
pub use design::{
    NewScenarioInput, TerritoryInput, create, delete, optimise, place_unit, update_territory,
};
pub use units::{
    FiguresFromCustomers, UnitsImport, UnitsImported, figures_from_customers, import_units,
};

/// Most territories a scenario may have.
pub const MAX_TERRITORIES: usize = 500;
/// The engine's time budget when run from the product: it returns the best plan so far.
const TIME_LIMIT: Duration = Duration::from_secs(10);
/// Customers listed by name in a preview; the counts cover all.
pub const PREVIEW_CUSTOMERS: usize = 200;
/// 补偿系数 bounds.
pub const COMPENSATION_RANGE: (f64, f64) = (0.5, 3.0);

/// The company's units as the engine sees them, in code order.
struct Units {
    rows: Vec<UnitRow>,
    problem: Problem,
    index: HashMap<String, usize>,
}

async fn load_units(tx: &mut Tx) -> AppResult<Units> {
    let rows = store::units(tx).await?;
    if rows.is_empty() {
        return Err(AppError::Conflict("territory.no_units"));
    }
    let index: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.clone(), i))
        .collect();
    let edges: Vec<Edge> = store::edges(tx)
        .await?
        .into_iter()
        .filter_map(|(a, b, border_km)| {
            Some(Edge {
                a: *index.get(&a)?,
                b: *index.get(&b)?,
                border_km,
            })
        })
        .collect();
    let units = rows
        .iter()
        .map(|u| Unit {
            id: u.code.clone(),
            name: u.name.clone(),
            x: u.x_km,
            y: u.y_km,
            potential: u.potential,
            workload: u.workload,
            area_km2: u.area_km2,
            perimeter_km: u.perimeter_km,
        })
        .collect::<Vec<_>>();
    let graph = Graph::new(units.len(), &edges);
    Ok(Units {
        rows,
        problem: Problem { units, graph },
        index,
    })
}

fn balance_of(code: &str) -> Balance {
    match code {
        "workload" => Balance::Workload,
        "both" => Balance::Both,
        _ => Balance::Potential,
    }
}

fn balance_code(raw: &str) -> Result<&'static str, &'static str> {
    match raw {
        "potential" => Ok("potential"),
        "workload" => Ok("workload"),
        "both" => Ok("both"),
        _ => Err("territory.balance_unknown"),
    }
}

// ---- views ------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioFigures {
    pub potential_max_deviation: f64,
    pub potential_mean_deviation: f64,
    /// Among territories without a unit heavier than a fair share.
    pub potential_max_deviation_regular: f64,
    pub workload_max_deviation: f64,
    pub workload_mean_deviation: f64,
    pub mean_distance_km: f64,
    pub mean_polsby_popper: Option<f64>,
    pub contiguous: bool,
    /// Units whose rep would change (against the current alignment).
    pub units_moved: usize,
    /// How far the present alignment (units by their rep now) is off balance: the largest
    /// relative deviation of a rep's potential from the mean over reps holding units. What
    /// the moves are weighed against; None when fewer than two reps hold units.
    pub present_potential_max_deviation: Option<f64>,
    /// 0–100: the least fair territory's fairness (territories of an oversized unit aside).
    pub fairness: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TerritoryView {
    #[serde(flatten)]
    pub row: TerritoryRow,
    pub units: usize,
    pub potential: f64,
    pub workload: f64,
    pub potential_deviation: f64,
    pub workload_deviation: f64,
    /// 0–100: how close the territory is to a fair share of potential and of workload, the
    /// worse of the two (100 × the smaller of load/mean and mean/load).
    pub fairness: f64,
    pub mean_distance_km: f64,
    pub polsby_popper: Option<f64>,
    pub contiguous: bool,
    pub oversized: bool,
    pub centre_code: String,
    /// A compensation coefficient suggested by remoteness: territories whose units lie far
    /// from their centre (sparse areas) get more, up to 1.5.
    pub suggested_compensation: f64,
    /// Its colour on the map (an index into the UI's palette of 20), different from every
    /// neighbouring territory's.
    pub colour: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSummary {
    #[serde(flatten)]
    pub scenario: ScenarioRow,
    pub figures: ScenarioFigures,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitPlacement {
    pub code: String,
    pub territory: i64,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioDetail {
    #[serde(flatten)]
    pub scenario: ScenarioRow,
    pub figures: ScenarioFigures,
    pub territories: Vec<TerritoryView>,
    pub units: Vec<UnitPlacement>,
}

/// A scenario with its assignment as engine indexes.
struct Loaded {
    scenario: ScenarioRow,
    territories: Vec<TerritoryRow>,
    assign: Vec<usize>,
    locked: Vec<bool>,
}

async fn load_scenario(tx: &mut Tx, units: &Units, id: Uuid) -> AppResult<Loaded> {
    let scenario = store::scenario(tx, id).await?.ok_or(AppError::NotFound)?;
    let territories = store::territories(tx, id).await?;
    let k = scenario.k as usize;
    let mut assign = vec![usize::MAX; units.rows.len()];
    let mut locked = vec![false; units.rows.len()];
    for (code, idx, lock) in store::assignment(tx, id).await? {
        if let Some(&u) = units.index.get(&code)
            && (idx as usize) < k
        {
            assign[u] = idx as usize;
            locked[u] = lock;
        }
    }
    // Units added after the scenario was made join the territory of a neighbour.
    fill_unplaced(&units.problem, &mut assign);
    Ok(Loaded {
        scenario,
        territories,
        assign,
        locked,
    })
}

/// Gives every unit without a territory the territory of a placed neighbour (or the first).
fn fill_unplaced(p: &Problem, assign: &mut [usize]) {
    loop {
        let mut changed = false;
        for u in 0..assign.len() {
            if assign[u] != usize::MAX {
                continue;
            }
            if let Some(&v) = p
                .graph
                .neighbours(u)
                .iter()
                .find(|&&v| assign[v as usize] != usize::MAX)
            {
                assign[u] = assign[v as usize];
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // Only a unit with no path to any placed unit is left; the engine refuses such units
    // anyway (the adjacency is checked on import).
    for a in assign.iter_mut().filter(|a| **a == usize::MAX) {
        *a = 0;
    }
}

/// Colours of the UI's palette.
const PALETTE: usize = 20;

/// A colour per territory that no neighbouring territory shares: each keeps its own index's
/// colour unless a neighbour coloured before it has it, most-connected territories first
/// (a greedy colouring; a map needs few colours, the palette has 20). With the index alone,
/// territories 0 and 20 shared a colour and could touch.
fn map_colours(graph: &salesdesk_territory::Graph, assign: &[usize], k: usize) -> Vec<usize> {
    let mut next_to: Vec<Vec<bool>> = vec![vec![false; k]; k];
    for (u, &a) in assign.iter().enumerate() {
        for &v in graph.neighbours(u) {
            let b = assign[v as usize];
            if a != b && a < k && b < k {
                next_to[a][b] = true;
                next_to[b][a] = true;
            }
        }
    }
    let degree = |t: usize| next_to[t].iter().filter(|x| **x).count();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&t| (std::cmp::Reverse(degree(t)), t));
    let mut colour = vec![usize::MAX; k];
    for t in order {
        let used = |c: usize| (0..k).any(|o| next_to[t][o] && colour[o] == c);
        let own = t % PALETTE;
        colour[t] = if !used(own) {
            own
        } else {
            (0..PALETTE).find(|&c| !used(c)).unwrap_or(own)
        };
    }
    colour
}

fn figures_of(units: &Units, l: &Loaded) -> (ScenarioFigures, Vec<TerritoryView>) {
    let k = l.scenario.k as usize;
    let balance = balance_of(&l.scenario.balance);
    let f: Figures = evaluate(&units.problem, &l.assign, k, balance, None, None);
    let units_moved = units
        .rows
        .iter()
        .zip(&l.assign)
        .filter(|(u, t)| {
            u.owner_id.is_some() && l.territories.get(**t).and_then(|r| r.owner_id) != u.owner_id
        })
        .count();
    let present_potential_max_deviation = {
        let mut by_owner: HashMap<Uuid, f64> = HashMap::new();
        for u in &units.rows {
            if let Some(o) = u.owner_id {
                *by_owner.entry(o).or_default() += u.potential;
            }
        }
        let mean = by_owner.values().sum::<f64>() / by_owner.len().max(1) as f64;
        (by_owner.len() >= 2 && mean > 0.0).then(|| {
            by_owner
                .values()
                .map(|p| (p / mean - 1.0).abs())
                .fold(0.0, f64::max)
        })
    };
    let mut distances: Vec<f64> = f.territories.iter().map(|t| t.mean_distance_km).collect();
    distances.sort_by(f64::total_cmp);
    let median_distance = distances.get(distances.len() / 2).copied().unwrap_or(0.0);
    let colours = map_colours(&units.problem.graph, &l.assign, k);
    let views: Vec<TerritoryView> = f
        .territories
        .iter()
        .enumerate()
        .map(|(t, tf)| {
            let row = l.territories.get(t).cloned().unwrap_or(TerritoryRow {
                idx: t as i64,
                label: format!("T{:02}", t + 1),
                owner_id: None,
                owner_name: None,
                compensation: 1.0,
            });
            let closeness = |d: f64| {
                let ratio = 1.0 + d;
                if ratio <= 0.0 {
                    0.0
                } else {
                    ratio.min(1.0 / ratio)
                }
            };
            // Both measures are shown beside every territory, so both count, whichever the
            // plan balances: a territory fair in potential and 38 % over in workload is not
            // fair (it scored 99.7 when only the balanced measure counted).
            let fairness =
                100.0 * closeness(tf.potential_deviation).min(closeness(tf.workload_deviation));
            let remoteness = if median_distance > 0.0 {
                tf.mean_distance_km / median_distance
            } else {
                1.0
            };
            let suggested = (1.0 + 0.25 * (remoteness - 1.0)).clamp(1.0, 1.5);
            TerritoryView {
                row,
                units: tf.units,
                potential: tf.potential,
                workload: tf.workload,
                potential_deviation: tf.potential_deviation,
                workload_deviation: tf.workload_deviation,
                fairness,
                mean_distance_km: tf.mean_distance_km,
                polsby_popper: tf.polsby_popper,
                contiguous: tf.contiguous,
                oversized: tf.oversized,
                centre_code: units.rows[tf.centre].code.clone(),
                suggested_compensation: (suggested * 100.0).round() / 100.0,
                colour: colours[t],
            }
        })
        .collect();
    // The plan is as fair as its least fair territory (territories of one oversized unit
    // aside: no plan can change them, and they are reported apart).
    let fairness = views
        .iter()
        .filter(|v| !v.oversized)
        .map(|v| v.fairness)
        .reduce(f64::min)
        .unwrap_or(0.0);
    (
        ScenarioFigures {
            potential_max_deviation: f.potential_max_deviation,
            potential_mean_deviation: f.potential_mean_deviation,
            potential_max_deviation_regular: f.potential_max_deviation_regular,
            workload_max_deviation: f.workload_max_deviation,
            workload_mean_deviation: f.workload_mean_deviation,
            mean_distance_km: f.mean_distance_km,
            mean_polsby_popper: f.mean_polsby_popper,
            contiguous: f.contiguous,
            units_moved,
            present_potential_max_deviation,
            fairness,
        },
        views,
    )
}

fn detail(units: &Units, l: Loaded) -> ScenarioDetail {
    let (figures, territories) = figures_of(units, &l);
    let placements = units
        .rows
        .iter()
        .enumerate()
        .map(|(u, row)| UnitPlacement {
            code: row.code.clone(),
            territory: l.assign[u] as i64,
            locked: l.locked[u],
        })
        .collect();
    ScenarioDetail {
        scenario: l.scenario,
        figures,
        territories,
        units: placements,
    }
}

// ---- reading ----------------------------------------------------------------------------

pub async fn list_units(app: &App, actor: &Actor) -> AppResult<Vec<UnitRow>> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_read().await?;
    Ok(store::units(&mut tx).await?)
}

/// The units' outlines as a GeoJSON FeatureCollection (feature `name` = unit code), for a
/// map drawn without tiles.
pub async fn map(app: &App, actor: &Actor) -> AppResult<serde_json::Value> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_read().await?;
    let features: Vec<serde_json::Value> = store::shapes(&mut tx)
        .await?
        .into_iter()
        .filter_map(|(code, shape)| {
            let geometry: serde_json::Value = serde_json::from_str(&shape).ok()?;
            Some(serde_json::json!({
                "type": "Feature",
                "properties": {"name": code},
                "geometry": geometry,
            }))
        })
        .collect();
    Ok(serde_json::json!({"type": "FeatureCollection", "features": features}))
}

pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<ScenarioSummary>> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_read().await?;
    let rows = store::scenarios(&mut tx).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let units = load_units(&mut tx).await?;
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let l = load_scenario(&mut tx, &units, s.id).await?;
        let (figures, _) = figures_of(&units, &l);
        out.push(ScenarioSummary {
            scenario: l.scenario,
            figures,
        });
    }
    Ok(out)
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_read().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    Ok(detail(&units, l))
}

/// Only a draft changes; with a version, only the version read.
fn require_draft(s: &ScenarioRow, version: Option<i64>) -> AppResult<()> {
    if s.status != "draft" {
        return Err(AppError::Conflict("territory.scenario_applied"));
    }
    if version.is_some_and(|v| v != s.version) {
        return Err(AppError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use salesdesk_territory::{Edge, Graph};

    /// 22 territories in a row, one unit each: 0 and 20 would share the palette's first
    /// colour by index; they are not neighbours here, so they may. Then 20 is put next to 0.
    #[test]
    fn neighbouring_territories_never_share_a_colour() {
        let row: Vec<Edge> = (0..21)
            .map(|a| Edge {
                a,
                b: a + 1,
                border_km: None,
            })
            .collect();
        let assign: Vec<usize> = (0..22).collect();
        let colours = map_colours(&Graph::new(22, &row), &assign, 22);
        assert_eq!(&colours[..20], &(0..20).collect::<Vec<_>>()[..]);
        for a in 0..21 {
            assert_ne!(colours[a], colours[a + 1]);
        }
        let mut ring = row.clone();
        ring.push(Edge {
            a: 0,
            b: 20,
            border_km: None,
        });
        let colours = map_colours(&Graph::new(22, &ring), &assign, 22);
        for e in &ring {
            assert_ne!(colours[e.a], colours[e.b], "{} and {}", e.a, e.b);
        }
        assert!(colours.iter().all(|&c| c < PALETTE));
    }
}
