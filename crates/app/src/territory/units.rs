//! Units: importing them from files, and their figures from the customer base.

use std::collections::HashMap;

use salesdesk_domain::Invalid;
use salesdesk_domain::access::Permission;
use salesdesk_store::territory as store;
use salesdesk_territory::Graph;
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{By, record};
use crate::customers::recipient;
use crate::{Actor, App, AppError, AppResult, RequestMeta};

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
    // The file's adjacency replaces every row touching its units; rows between units it
    // does not name stay. Then the whole geography must still be one piece.
    let codes: Vec<String> = file.units.iter().map(|u| u.id.clone()).collect();
    store::delete_edges_touching(&mut tx, &codes).await?;
    for e in &edges {
        store::insert_edge(
            &mut tx,
            &file.units[e.a].id,
            &file.units[e.b].id,
            e.border_km,
        )
        .await?;
    }
    if super::load_units(&mut tx)
        .await?
        .problem
        .graph
        .components()
        .1
        > 1
    {
        return Err(Invalid::field("adjacencyCsv", "territory.disconnected").into());
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
