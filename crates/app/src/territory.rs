//! Territory design (区域设计): scenarios (方案) that group the company's units (districts,
//! cities) into balanced, contiguous territories with the engine of `salesdesk-territory`;
//! moving and locking units by hand; and applying a scenario, which makes each territory's
//! rep responsible for its units and hands them the customers of units that change hands
//! through the customer transfer (转移) of the customer archive, with history and audit.
//!
//! The current alignment is each unit's owner. A unit's customers are those whose address
//! names its city and district. Applying moves the customers the unit's previous owner held
//! there; customers of other owners in the unit (a key-account team's) stay where they are.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use salesdesk_domain::Invalid;
use salesdesk_domain::access::Permission;
use salesdesk_domain::customer::OwnerChange;
use salesdesk_domain::validation::{Checker, required_text};
use salesdesk_store::Tx;
use salesdesk_store::territory::{self as store, NewScenario, ScenarioRow, TerritoryRow, UnitRow};
use salesdesk_territory::{Balance, Edge, Figures, Graph, Options, Problem, Unit, evaluate};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::customers::{in_charge, move_to_owner, recipient};
use crate::{Actor, App, AppError, AppResult, RequestMeta, now_ms};

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
    /// 0–100: the mean of the territories' fairness.
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
    /// 0–100: how close the territory is to a fair share of what the scenario balances
    /// (100 × the smaller of load/share and share/load, averaged over balanced measures).
    pub fairness: f64,
    pub mean_distance_km: f64,
    pub polsby_popper: Option<f64>,
    pub contiguous: bool,
    pub oversized: bool,
    pub centre_code: String,
    /// A compensation coefficient suggested by remoteness: territories whose units lie far
    /// from their centre (sparse areas) get more, up to 1.5.
    pub suggested_compensation: f64,
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
    let mut distances: Vec<f64> = f.territories.iter().map(|t| t.mean_distance_km).collect();
    distances.sort_by(f64::total_cmp);
    let median_distance = distances.get(distances.len() / 2).copied().unwrap_or(0.0);
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
            let fairness = 100.0
                * match balance {
                    Balance::Potential => closeness(tf.potential_deviation),
                    Balance::Workload => closeness(tf.workload_deviation),
                    Balance::Both => {
                        (closeness(tf.potential_deviation) + closeness(tf.workload_deviation)) / 2.0
                    }
                };
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
            }
        })
        .collect();
    let fairness = if views.is_empty() {
        0.0
    } else {
        views.iter().map(|v| v.fairness).sum::<f64>() / views.len() as f64
    };
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

// ---- importing units ----------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct UnitsImport {
    /// units.csv (docs/territory.md), with optional `province`, `city`, `district` (how
    /// customers' addresses are matched) and `owner` (username of the rep now) columns.
    pub units_csv: String,
    /// adjacency.csv; without it, neighbours are derived from the centroids (Delaunay).
    pub adjacency_csv: Option<String>,
    /// A GeoJSON FeatureCollection whose features carry the unit's id in `properties.id`,
    /// `properties.adcode` or `properties.name`: outlines for the map.
    pub geojson: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitsImported {
    pub added: usize,
    pub updated: usize,
    pub edges: usize,
    pub shapes: usize,
}

/// A file's bad cell as a field error: `unitsCsv[12].potential` (line 12, column potential).
fn file_error(field: &str, e: salesdesk_territory::files::FileError) -> AppError {
    let at = match &e.column {
        Some(c) => format!("{field}[{}].{c}", e.line),
        None => format!("{field}[{}]", e.line),
    };
    Invalid::field(at, "territory.cell_invalid").into()
}

/// Adds or updates units (matched by id) and replaces the adjacency, in one transaction.
/// Units missing from the file stay, as scenarios and history refer to them.
pub async fn import_units(
    app: &App,
    actor: &Actor,
    input: UnitsImport,
    meta: &RequestMeta,
) -> AppResult<UnitsImported> {
    use salesdesk_territory::files::{index, read_adjacency, read_units};
    actor.require(Permission::TerritoryDesign)?;
    let file = read_units(&input.units_csv).map_err(|e| file_error("unitsCsv", e))?;
    let edges = match &input.adjacency_csv {
        Some(text) => {
            read_adjacency(text, &index(&file.units)).map_err(|e| file_error("adjacencyCsv", e))?
        }
        None => salesdesk_territory::adjacency_from_points(
            &file.units.iter().map(|u| (u.x, u.y)).collect::<Vec<_>>(),
        ),
    };
    let graph = Graph::new(file.units.len(), &edges);
    if graph.components().1 > 1 {
        return Err(Invalid::field("adjacencyCsv", "territory.disconnected").into());
    }
    let mut shapes: HashMap<String, String> = HashMap::new();
    if let Some(doc) = &input.geojson {
        let Some(features) = doc["features"].as_array() else {
            return Err(Invalid::field("geojson", "territory.geojson_invalid").into());
        };
        for f in features {
            let props = &f["properties"];
            let id = ["id", "adcode", "name"]
                .iter()
                .find_map(|k| match &props[*k] {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            if let (Some(id), Some(g)) = (id, f.get("geometry").filter(|g| g.is_object())) {
                shapes.insert(id, g.to_string());
            }
        }
    }
    let column = |name: &str, i: usize| -> String {
        file.other
            .get(name)
            .and_then(|c| c.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let mut tx = app.db.begin_write().await?;
    let mut owners: HashMap<String, Uuid> = HashMap::new();
    if let Some(cells) = file.other.get("owner") {
        for (i, login) in cells.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            if owners.contains_key(login) {
                continue;
            }
            let field = format!("unitsCsv[{}].owner", i + 2);
            let found =
                salesdesk_store::users::credentials_by_login(&mut tx, Some(login), Some(login))
                    .await?
                    .ok_or_else(|| Invalid::field(field.clone(), "user.not_found"))?;
            let (id, _) = recipient(&mut tx, actor, found.id, &field).await?;
            owners.insert(login.clone(), id);
        }
    }
    let (mut added, mut updated) = (0, 0);
    for (i, u) in file.units.iter().enumerate() {
        let row = store::NewUnit {
            code: u.id.clone(),
            name: if u.name.is_empty() {
                u.id.clone()
            } else {
                u.name.clone()
            },
            province: match column("province", i) {
                p if p.is_empty() => file
                    .states
                    .as_ref()
                    .map(|s| s[i].clone())
                    .unwrap_or_default(),
                p => p,
            },
            city: column("city", i),
            district: column("district", i),
            lon: file.lon_lat[i].0,
            lat: file.lon_lat[i].1,
            x_km: u.x,
            y_km: u.y,
            area_km2: u.area_km2,
            perimeter_km: u.perimeter_km,
            potential: u.potential,
            workload: u.workload,
            shape: shapes.get(&u.id).cloned(),
            owner_id: owners.get(&column("owner", i)).copied(),
        };
        if store::update_unit(&mut tx, &row).await? {
            updated += 1;
        } else {
            store::insert_unit(&mut tx, &row).await?;
            added += 1;
        }
    }
    store::delete_edges(&mut tx).await?;
    for e in &edges {
        store::insert_edge(
            &mut tx,
            &file.units[e.a].id,
            &file.units[e.b].id,
            e.border_km,
        )
        .await?;
    }
    let result = UnitsImported {
        added,
        updated,
        edges: edges.len(),
        shapes: file
            .units
            .iter()
            .filter(|u| shapes.contains_key(&u.id))
            .count(),
    };
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.units_imported",
        "territory_unit",
        "*",
        None::<&()>,
        Some(&serde_json::json!({"added": added, "updated": updated, "edges": result.edges, "shapes": result.shapes})),
    )
    .await?;
    tx.commit().await?;
    Ok(result)
}

/// What building unit figures from the customer base did.
#[derive(Debug, Clone, Serialize)]
pub struct FiguresFromCustomers {
    pub units: usize,
    pub units_with_customers: usize,
    pub customers: i64,
}

/// Sets every unit's potential and workload from its customers (by city and district):
/// level-weighted customers and the visits a month they need. Units without customers get
/// nothing. Scenarios show the new figures at once; optimise them to rebalance.
pub async fn figures_from_customers(
    app: &App,
    actor: &Actor,
    meta: &RequestMeta,
) -> AppResult<FiguresFromCustomers> {
    use salesdesk_domain::territory::{level_potential, level_visits_per_month, place_key};
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_write().await?;
    let units = store::units(&mut tx).await?;
    if units.is_empty() {
        return Err(AppError::Conflict("territory.no_units"));
    }
    let mut by_place: HashMap<(String, String), (f64, f64)> = HashMap::new();
    let mut customers = 0;
    for (city, district, level, n) in store::level_counts_by_district(&mut tx).await? {
        let e = by_place.entry(place_key(&city, &district)).or_default();
        e.0 += level_potential(level.as_deref()) * n as f64;
        e.1 += level_visits_per_month(level.as_deref()) * n as f64;
        customers += n;
    }
    let mut with = 0;
    for u in &units {
        let (p, w) = by_place
            .get(&place_key(&u.city, &u.district))
            .copied()
            .unwrap_or_default();
        if p > 0.0 {
            with += 1;
        }
        store::set_unit_figures(&mut tx, &u.code, p, w).await?;
    }
    let result = FiguresFromCustomers {
        units: units.len(),
        units_with_customers: with,
        customers,
    };
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.figures_from_customers",
        "territory_unit",
        "*",
        None::<&()>,
        Some(&serde_json::json!({"unitsWithCustomers": with, "customers": customers})),
    )
    .await?;
    tx.commit().await?;
    Ok(result)
}

// ---- creating and optimising -------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NewScenarioInput {
    pub name: String,
    /// Territories; None with `from_current` (one per current owner).
    pub k: Option<i64>,
    pub balance: String,
    pub seed: Option<i64>,
    /// Realign the current alignment (one territory per rep holding units now, moving as
    /// few units as balance allows) rather than design from scratch.
    pub from_current: bool,
}

async fn run_engine(problem: Problem, options: Options) -> AppResult<Vec<usize>> {
    let plan =
        tokio::task::spawn_blocking(move || salesdesk_territory::optimise(&problem, &options))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    match plan {
        Ok(p) => Ok(p.territory),
        Err(salesdesk_territory::Error::Disconnected { .. }) => {
            Err(AppError::Conflict("territory.disconnected"))
        }
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

pub async fn create(
    app: &App,
    actor: &Actor,
    input: NewScenarioInput,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    create_as(app, By::Actor(actor), actor.user_id, input, meta).await
}

/// Creates a scenario for `created_by` (the demo makes its scenarios as the director).
pub(crate) async fn create_as(
    app: &App,
    by: By<'_>,
    created_by: Uuid,
    input: NewScenarioInput,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    let mut c = Checker::new();
    let name = c.check("name", required_text(&input.name, 60));
    let balance = c.check("balance", balance_code(&input.balance));
    let seed = input.seed.unwrap_or(1);
    if seed < 0 {
        c.fail("seed", "out_of_range");
    }
    let mut read = app.db.begin_read().await?;
    let units = load_units(&mut read).await?;
    drop(read);
    let n = units.rows.len();
    // The current owners, in order of first appearance by unit code.
    let mut owners: Vec<(Uuid, Option<String>)> = Vec::new();
    for u in &units.rows {
        if let Some(o) = u.owner_id
            && !owners.iter().any(|(x, _)| *x == o)
        {
            owners.push((o, u.owner_name.clone()));
        }
    }
    let k = if input.from_current {
        if owners.len() < 2 {
            c.fail("fromCurrent", "territory.no_current_alignment");
        }
        owners.len()
    } else {
        match input.k {
            Some(k) if k >= 2 && (k as usize) <= MAX_TERRITORIES.min(n) => k as usize,
            Some(_) => {
                c.fail("k", "out_of_range");
                0
            }
            None => {
                c.fail("k", "required");
                0
            }
        }
    };
    c.finish()?;
    let (name, balance) = (name.unwrap_or_default(), balance.unwrap_or("potential"));
    let mut options = Options::new(k);
    options.balance = balance_of(balance);
    options.seed = seed as u64;
    options.time_limit = Some(TIME_LIMIT);
    let mut territories: Vec<(String, Option<Uuid>)> = Vec::new();
    if input.from_current {
        let mut current: Vec<usize> = units
            .rows
            .iter()
            .map(|u| {
                u.owner_id
                    .and_then(|o| owners.iter().position(|(x, _)| *x == o))
                    .unwrap_or(usize::MAX)
            })
            .collect();
        fill_unplaced(&units.problem, &mut current);
        options.current = Some(current);
        for (i, (o, name)) in owners.iter().enumerate() {
            territories.push((
                name.clone().unwrap_or_else(|| format!("T{:02}", i + 1)),
                Some(*o),
            ));
        }
    }
    let assign = run_engine(units.problem.clone(), options).await?;
    if !input.from_current {
        territories = suggest_owners(&units, &assign, k)
            .into_iter()
            .enumerate()
            .map(|(t, o)| (format!("T{:02}", t + 1), o))
            .collect();
    }
    let id = Uuid::now_v7();
    let now = now_ms();
    let mut tx = app.db.begin_write().await?;
    store::insert_scenario(
        &mut tx,
        &NewScenario {
            id,
            name: &name,
            k: k as i64,
            balance,
            seed,
            created_by,
            now,
        },
    )
    .await?;
    for (t, (label, owner)) in territories.iter().enumerate() {
        store::put_territory(&mut tx, id, t as i64, label, *owner, 1.0).await?;
    }
    let rows: Vec<(String, i64, bool)> = units
        .rows
        .iter()
        .zip(&assign)
        .map(|(u, &t)| (u.code.clone(), t as i64, false))
        .collect();
    store::set_assignment(&mut tx, id, &rows).await?;
    record(
        &mut tx,
        by,
        meta,
        "territory.scenario_created",
        "territory_scenario",
        id,
        None::<&()>,
        Some(&serde_json::json!({"name": name, "k": k, "balance": balance, "fromCurrent": input.from_current})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

/// For a plan made from scratch: each territory goes to the current owner who holds the
/// most of its potential (each owner once, largest overlaps first), so applying it moves
/// as little as it can; owners left over take the free territories nearest their units.
/// Territories beyond the number of owners stay without one for the designer to fill.
fn suggest_owners(units: &Units, assign: &[usize], k: usize) -> Vec<Option<Uuid>> {
    let mut overlap: BTreeMap<(usize, Uuid), f64> = BTreeMap::new();
    for (u, row) in units.rows.iter().enumerate() {
        if let Some(o) = row.owner_id {
            *overlap.entry((assign[u], o)).or_default() += row.potential.max(1e-9);
        }
    }
    let mut pairs: Vec<((usize, Uuid), f64)> = overlap.into_iter().collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut owner_of = vec![None; k];
    let mut taken: Vec<Uuid> = Vec::new();
    for ((t, o), _) in pairs {
        if owner_of[t].is_none() && !taken.contains(&o) {
            owner_of[t] = Some(o);
            taken.push(o);
        }
    }
    // Where each territory and each left-over owner's units are, on average.
    let centre = |pick: &dyn Fn(usize) -> bool| {
        let (mut x, mut y, mut n) = (0.0, 0.0, 0.0);
        for (_, row) in units.rows.iter().enumerate().filter(|(u, _)| pick(*u)) {
            x += row.x_km;
            y += row.y_km;
            n += 1.0;
        }
        (n > 0.0).then(|| (x / n, y / n))
    };
    let mut left: Vec<Uuid> = Vec::new();
    for row in &units.rows {
        if let Some(o) = row.owner_id
            && !taken.contains(&o)
            && !left.contains(&o)
        {
            left.push(o);
        }
    }
    let territory_centres: Vec<Option<(f64, f64)>> =
        (0..k).map(|t| centre(&|u| assign[u] == t)).collect();
    let mut candidates: Vec<(f64, usize, Uuid)> = Vec::new();
    for o in left {
        let Some((ox, oy)) = centre(&|u| units.rows[u].owner_id == Some(o)) else {
            continue;
        };
        for (t, c) in territory_centres.iter().enumerate() {
            if let (None, Some((tx, ty))) = (owner_of[t], c) {
                candidates.push(((tx - ox).hypot(ty - oy), t, o));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    for (_, t, o) in candidates {
        if owner_of[t].is_none() && !taken.contains(&o) {
            owner_of[t] = Some(o);
            taken.push(o);
        }
    }
    owner_of
}

/// Re-optimises a draft from where it stands: locked units stay, and the engine moves as
/// few units as balance allows from the present assignment.
pub async fn optimise(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: Option<i64>,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    let mut read = app.db.begin_read().await?;
    let units = load_units(&mut read).await?;
    let l = load_scenario(&mut read, &units, id).await?;
    drop(read);
    require_draft(&l.scenario, version)?;
    let k = l.scenario.k as usize;
    let mut options = Options::new(k);
    options.balance = balance_of(&l.scenario.balance);
    options.seed = l.scenario.seed as u64;
    options.time_limit = Some(TIME_LIMIT);
    options.current = Some(l.assign.clone());
    options.locked = (0..units.rows.len())
        .filter(|&u| l.locked[u])
        .map(|u| (u, l.assign[u]))
        .collect();
    let assign = run_engine(units.problem.clone(), options).await?;
    let mut tx = app.db.begin_write().await?;
    store::touch_scenario(&mut tx, id, l.scenario.version, None, now_ms()).await?;
    let rows: Vec<(String, i64, bool)> = units
        .rows
        .iter()
        .enumerate()
        .map(|(u, row)| (row.code.clone(), assign[u] as i64, l.locked[u]))
        .collect();
    store::set_assignment(&mut tx, id, &rows).await?;
    let moved = assign.iter().zip(&l.assign).filter(|(a, b)| a != b).count();
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.scenario_optimised",
        "territory_scenario",
        id,
        None::<&()>,
        Some(&serde_json::json!({"unitsMoved": moved})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

fn require_draft(s: &ScenarioRow, version: Option<i64>) -> AppResult<()> {
    if s.status != "draft" {
        return Err(AppError::Conflict("territory.scenario_applied"));
    }
    if version.is_some_and(|v| v != s.version) {
        return Err(AppError::Stale);
    }
    Ok(())
}

// ---- editing by hand ---------------------------------------------------------------------

/// Moves a unit to another territory and/or locks it.
pub async fn place_unit(
    app: &App,
    actor: &Actor,
    id: Uuid,
    code: &str,
    territory: Option<i64>,
    locked: Option<bool>,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_write().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, None)?;
    let u = *units.index.get(code).ok_or(AppError::NotFound)?;
    if let Some(t) = territory
        && (t < 0 || t >= l.scenario.k)
    {
        return Err(Invalid::field("territory", "out_of_range").into());
    }
    let before = (l.assign[u], l.locked[u]);
    let after = (
        territory.map_or(before.0, |t| t as usize),
        locked.unwrap_or(before.1),
    );
    store::touch_scenario(&mut tx, id, l.scenario.version, None, now_ms()).await?;
    let rows: Vec<(String, i64, bool)> = units
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (t, lock) = if i == u {
                after
            } else {
                (l.assign[i], l.locked[i])
            };
            (row.code.clone(), t as i64, lock)
        })
        .collect();
    store::set_assignment(&mut tx, id, &rows).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.unit_placed",
        "territory_scenario",
        id,
        Some(&serde_json::json!({"unit": code, "territory": before.0, "locked": before.1})),
        Some(&serde_json::json!({"unit": code, "territory": after.0, "locked": after.1})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

#[derive(Debug, Clone)]
pub struct TerritoryInput {
    pub label: String,
    pub owner_id: Option<Uuid>,
    pub compensation: f64,
}

pub async fn update_territory(
    app: &App,
    actor: &Actor,
    id: Uuid,
    idx: i64,
    input: TerritoryInput,
    meta: &RequestMeta,
) -> AppResult<ScenarioDetail> {
    actor.require(Permission::TerritoryDesign)?;
    let mut c = Checker::new();
    let label = c.check("label", required_text(&input.label, 40));
    let (lo, hi) = COMPENSATION_RANGE;
    if !(lo..=hi).contains(&input.compensation) {
        c.fail("compensation", "out_of_range");
    }
    c.finish()?;
    let label = label.unwrap_or_default();
    let mut tx = app.db.begin_write().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, None)?;
    if idx < 0 || idx >= l.scenario.k {
        return Err(AppError::NotFound);
    }
    if let Some(o) = input.owner_id {
        recipient(&mut tx, actor, o, "ownerId").await?;
        if l.territories
            .iter()
            .any(|t| t.idx != idx && t.owner_id == Some(o))
        {
            return Err(Invalid::field("ownerId", "territory.owner_twice").into());
        }
    }
    let before = l.territories.iter().find(|t| t.idx == idx).cloned();
    store::touch_scenario(&mut tx, id, l.scenario.version, None, now_ms()).await?;
    store::put_territory(&mut tx, id, idx, &label, input.owner_id, input.compensation).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.territory_updated",
        "territory_scenario",
        id,
        before.as_ref(),
        Some(&serde_json::json!({"idx": idx, "label": label, "ownerId": input.owner_id, "compensation": input.compensation})),
    )
    .await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    tx.commit().await?;
    Ok(detail(&units, l))
}

pub async fn delete(app: &App, actor: &Actor, id: Uuid, meta: &RequestMeta) -> AppResult<()> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_write().await?;
    let s = store::scenario(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_draft(&s, None)?;
    store::delete_scenario(&mut tx, id).await?;
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.scenario_deleted",
        "territory_scenario",
        id,
        Some(&serde_json::json!({"name": s.name})),
        None::<&()>,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- applying ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct RepChange {
    pub user_id: Uuid,
    pub name: String,
    pub units_gained: usize,
    pub units_lost: usize,
    pub customers_gained: usize,
    pub customers_lost: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerMove {
    pub customer_id: Uuid,
    pub customer_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub from_user_id: Uuid,
    pub to_user_id: Uuid,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyPreview {
    pub units_moved: usize,
    pub reps: Vec<RepChange>,
    pub customers_moved: usize,
    /// The first [`PREVIEW_CUSTOMERS`] customers that change owner, by unit.
    pub customers: Vec<CustomerMove>,
    /// Territories without a rep: the scenario cannot be applied until each has one.
    pub territories_without_owner: Vec<String>,
}

struct Plan {
    /// (unit index, from, to) for units whose rep changes.
    unit_moves: Vec<(usize, Option<Uuid>, Uuid)>,
    customers: Vec<CustomerMove>,
    preview: ApplyPreview,
}

async fn plan_apply(tx: &mut Tx, units: &Units, l: &Loaded) -> AppResult<Plan> {
    let missing: Vec<String> = l
        .territories
        .iter()
        .filter(|t| t.owner_id.is_none())
        .map(|t| t.label.clone())
        .collect();
    let names: HashMap<Uuid, String> = l
        .territories
        .iter()
        .filter_map(|t| Some((t.owner_id?, t.owner_name.clone().unwrap_or_default())))
        .chain(
            units
                .rows
                .iter()
                .filter_map(|u| Some((u.owner_id?, u.owner_name.clone().unwrap_or_default()))),
        )
        .collect();
    let mut reps: BTreeMap<Uuid, RepChange> = BTreeMap::new();
    let entry = |reps: &mut BTreeMap<Uuid, RepChange>, id: Uuid| {
        reps.entry(id)
            .or_insert_with(|| RepChange {
                user_id: id,
                name: names.get(&id).cloned().unwrap_or_default(),
                units_gained: 0,
                units_lost: 0,
                customers_gained: 0,
                customers_lost: 0,
            })
            .user_id
    };
    let mut unit_moves = Vec::new();
    let mut customers = Vec::new();
    for (u, row) in units.rows.iter().enumerate() {
        let Some(to) = l.territories.get(l.assign[u]).and_then(|t| t.owner_id) else {
            continue;
        };
        if row.owner_id == Some(to) {
            continue;
        }
        unit_moves.push((u, row.owner_id, to));
        entry(&mut reps, to);
        if let Some(r) = reps.get_mut(&to) {
            r.units_gained += 1;
        }
        let Some(from) = row.owner_id else { continue };
        entry(&mut reps, from);
        if let Some(r) = reps.get_mut(&from) {
            r.units_lost += 1;
        }
        let moving = store::customers_in_unit(tx, row, from).await?;
        if let Some(r) = reps.get_mut(&from) {
            r.customers_lost += moving.len();
        }
        if let Some(r) = reps.get_mut(&to) {
            r.customers_gained += moving.len();
        }
        for (id, name) in moving {
            customers.push(CustomerMove {
                customer_id: id,
                customer_name: name,
                unit_code: row.code.clone(),
                unit_name: row.name.clone(),
                from_user_id: from,
                to_user_id: to,
            });
        }
    }
    let preview = ApplyPreview {
        units_moved: unit_moves.len(),
        reps: reps.into_values().collect(),
        customers_moved: customers.len(),
        customers: customers.iter().take(PREVIEW_CUSTOMERS).cloned().collect(),
        territories_without_owner: missing,
    };
    Ok(Plan {
        unit_moves,
        customers,
        preview,
    })
}

pub async fn preview_apply(app: &App, actor: &Actor, id: Uuid) -> AppResult<ApplyPreview> {
    actor.require(Permission::TerritoryDesign)?;
    let mut tx = app.db.begin_read().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, None)?;
    Ok(plan_apply(&mut tx, &units, &l).await?.preview)
}

/// Applies a draft: every unit's rep becomes its territory's, and the customers the unit's
/// previous rep held there are transferred (转移) to the new one, in one transaction with
/// each customer's owner history. A second apply of the same scenario is refused.
pub async fn apply(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i64,
    reason: String,
    meta: &RequestMeta,
) -> AppResult<ApplyPreview> {
    actor.require(Permission::TerritoryDesign)?;
    actor.require(Permission::CustomersTransfer)?;
    let mut c = Checker::new();
    let reason = c.check("reason", required_text(&reason, 200));
    c.finish()?;
    let reason = reason.unwrap_or_default();
    let mut tx = app.db.begin_write().await?;
    let units = load_units(&mut tx).await?;
    let l = load_scenario(&mut tx, &units, id).await?;
    require_draft(&l.scenario, Some(version))?;
    let plan = plan_apply(&mut tx, &units, &l).await?;
    if !plan.preview.territories_without_owner.is_empty() {
        return Err(Invalid::field("territories", "territory.owner_missing").into());
    }
    store::touch_scenario(
        &mut tx,
        id,
        l.scenario.version,
        Some(actor.user_id),
        now_ms(),
    )
    .await?;
    for &(u, _, to) in &plan.unit_moves {
        store::set_unit_owner(&mut tx, &units.rows[u].code, Some(to)).await?;
    }
    let mut received: BTreeMap<Uuid, Vec<(Uuid, String)>> = BTreeMap::new();
    let mut recipients: HashMap<Uuid, (Uuid, Uuid)> = HashMap::new();
    for m in &plan.customers {
        let cust = in_charge(&mut tx, actor, m.customer_id, Permission::CustomersTransfer).await?;
        let (to, to_unit) = match recipients.get(&m.to_user_id) {
            Some(r) => *r,
            None => {
                let r = recipient(&mut tx, actor, m.to_user_id, "ownerId").await?;
                recipients.insert(m.to_user_id, r);
                r
            }
        };
        move_to_owner(
            &mut tx,
            actor,
            &cust,
            to,
            to_unit,
            OwnerChange::Transferred,
            Some(&reason),
            meta,
        )
        .await?;
        received
            .entry(to)
            .or_default()
            .push((cust.id, cust.name.clone()));
    }
    for (to, list) in &received {
        let items: Vec<(Uuid, &str)> = list.iter().map(|(i, n)| (*i, n.as_str())).collect();
        crate::notifications::customers_received(
            &mut tx,
            *to,
            actor,
            OwnerChange::Transferred,
            &items,
        )
        .await?;
    }
    record(
        &mut tx,
        By::Actor(actor),
        meta,
        "territory.scenario_applied",
        "territory_scenario",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "unitsMoved": plan.unit_moves.len(),
            "customersMoved": plan.customers.len(),
            "reason": reason,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(plan.preview)
}
