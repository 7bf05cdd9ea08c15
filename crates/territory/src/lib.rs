//! Sales territory design (销售区域设计): combine small units (counties, districts, cities)
//! into `k` territories whose sales potential and/or workload are balanced, each one piece
//! (contiguous) and compact around a centre unit, optionally moving as few units as possible
//! from a current alignment.
//!
//! The method follows the sales-territory-alignment literature (Hess & Samuels 1971's
//! location-allocation; Zoltners & Sinha 2005's survey) and districting's local search:
//! a first plan by recursive cuts of random spanning trees (gerrychain's
//! `recursive_tree_part`), or for fixed bases contiguous region growing from seeds; then
//! simulated annealing over boundary moves (a unit passes to a neighbouring territory when
//! its own stays connected) with centres recomputed as medoids, recombination of
//! neighbouring pairs (ReCom), moves and ejection chains aimed at the worst territories,
//! and compaction within the balance tolerance. A few independent starts, the best kept,
//! make the worst seed close to the typical one. Units heavier than a fair share form a
//! territory of their own and are reported apart, as they bound what any plan can do;
//! [`balance_floor`] says what single units make impossible.
//!
//! Pure computation, no I/O: [`files`] reads the CSV formats from text.

pub mod figures;
pub mod files;
pub mod graph;
mod rng;
pub mod sample;
mod solve;

use std::time::Duration;

pub use figures::{Figures, TerritoryFigures, balance_floor, evaluate};
pub use graph::{Edge, Graph, adjacency_from_points, clustered_points};

/// A unit territories are built from. Position in km on a plane (see [`project`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub potential: f64,
    pub workload: f64,
    pub area_km2: Option<f64>,
    pub perimeter_km: Option<f64>,
}

/// What the territories must share equally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Balance {
    #[default]
    Potential,
    Workload,
    Both,
}

/// The problem: units and which of them are neighbours.
#[derive(Debug, Clone)]
pub struct Problem {
    pub units: Vec<Unit>,
    pub graph: Graph,
}

/// How to optimise.
#[derive(Debug, Clone)]
pub struct Options {
    pub k: usize,
    pub balance: Balance,
    pub seed: u64,
    /// Stop with the best plan so far after this long (anytime mode). Without it the search
    /// runs its full, seed-determined course.
    pub time_limit: Option<Duration>,
    /// The current territory (0..k) of each unit, when realigning: the search starts from it
    /// and counts every unit it moves.
    pub current: Option<Vec<usize>>,
    /// Units that must stay in a territory (0..k).
    pub locked: Vec<(usize, usize)>,
    /// Fixed rep bases: unit `bases[t]` is the centre of territory t.
    pub bases: Vec<usize>,
    /// Weight of compactness against balance (default 0.05: balance first).
    pub compactness_weight: f64,
    /// Once balanced, territories are made more compact while each stays within this
    /// relative deviation of its fair share (or within its deviation then, if wider).
    /// Default 0.01 (1 %); 0 keeps the tightest balance found.
    pub balance_tolerance: f64,
    /// Weight of moving units when realigning: moving every unit costs this much, as much as
    /// a territory 30 % off balance (default 0.1).
    pub disruption_weight: f64,
}

impl Options {
    pub fn new(k: usize) -> Options {
        Options {
            k,
            balance: Balance::Potential,
            seed: 1,
            time_limit: None,
            current: None,
            locked: Vec::new(),
            bases: Vec::new(),
            compactness_weight: 0.05,
            balance_tolerance: 0.005,
            disruption_weight: 0.1,
        }
    }
}

/// A plan: the territory (0..k) of each unit, its centre units and its figures.
#[derive(Debug, Clone)]
pub struct Plan {
    pub territory: Vec<usize>,
    pub centres: Vec<usize>,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("k must be between 1 and the number of units ({units}), not {k}")]
    BadK { k: usize, units: usize },
    #[error("unit {id}: {what} must be a finite number of at least 0")]
    BadNumber { id: String, what: &'static str },
    #[error("nothing to balance: every unit's {0} is 0")]
    NothingToBalance(&'static str),
    #[error(
        "the adjacency leaves {pieces} groups of units unconnected (unit {example} cannot be reached from unit {first}); add link rows joining them"
    )]
    Disconnected {
        pieces: usize,
        first: String,
        example: String,
    },
    #[error(
        "the current alignment has {given} territories for {units} units; it needs one per unit, each below k = {k}"
    )]
    BadCurrent {
        given: usize,
        units: usize,
        k: usize,
    },
    #[error("unit {id} is locked to territory {territory}, but there are only {k}")]
    BadLock {
        id: String,
        territory: usize,
        k: usize,
    },
    #[error(
        "{given} rep bases for {k} territories; at most one per territory, each a different unit"
    )]
    BadBases { given: usize, k: usize },
    #[error("unit {id} is a base of one territory and locked to another")]
    BaseLockedElsewhere { id: String },
}

/// Optimises a plan. Deterministic for a seed unless `time_limit` cuts it short.
pub fn optimise(problem: &Problem, options: &Options) -> Result<Plan, Error> {
    check(problem, options)?;
    Ok(solve::run(problem, options))
}

fn check(problem: &Problem, o: &Options) -> Result<(), Error> {
    let n = problem.units.len();
    if o.k == 0 || o.k > n {
        return Err(Error::BadK { k: o.k, units: n });
    }
    for u in &problem.units {
        for (what, v) in [("potential", u.potential), ("workload", u.workload)] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::BadNumber {
                    id: u.id.clone(),
                    what,
                });
            }
        }
        if !u.x.is_finite() || !u.y.is_finite() {
            return Err(Error::BadNumber {
                id: u.id.clone(),
                what: "position",
            });
        }
    }
    let (pot, work) = problem
        .units
        .iter()
        .fold((0.0, 0.0), |(p, w), u| (p + u.potential, w + u.workload));
    if matches!(o.balance, Balance::Potential | Balance::Both) && pot <= 0.0 {
        return Err(Error::NothingToBalance("potential"));
    }
    if matches!(o.balance, Balance::Workload | Balance::Both) && work <= 0.0 {
        return Err(Error::NothingToBalance("workload"));
    }
    let (comp, pieces) = problem.graph.components();
    if pieces > 1 {
        let example = (0..n).find(|&u| comp[u] != comp[0]).unwrap_or(0);
        return Err(Error::Disconnected {
            pieces,
            first: problem.units[0].id.clone(),
            example: problem.units[example].id.clone(),
        });
    }
    if let Some(c) = &o.current
        && (c.len() != n || c.iter().any(|&t| t >= o.k))
    {
        {
            return Err(Error::BadCurrent {
                given: c.len(),
                units: n,
                k: o.k,
            });
        }
    }
    for &(u, t) in &o.locked {
        if t >= o.k || u >= n {
            return Err(Error::BadLock {
                id: problem
                    .units
                    .get(u)
                    .map_or_else(String::new, |x| x.id.clone()),
                territory: t,
                k: o.k,
            });
        }
    }
    let mut bases = o.bases.clone();
    bases.sort_unstable();
    bases.dedup();
    if o.bases.len() > o.k || bases.len() != o.bases.len() || bases.iter().any(|&b| b >= n) {
        return Err(Error::BadBases {
            given: o.bases.len(),
            k: o.k,
        });
    }
    for (t, &b) in o.bases.iter().enumerate() {
        if o.locked.iter().any(|&(u, lt)| u == b && lt != t) {
            return Err(Error::BaseLockedElsewhere {
                id: problem.units[b].id.clone(),
            });
        }
    }
    Ok(())
}

/// Longitude/latitude (degrees) to km on a plane around their mean (equirectangular): exact
/// enough for distances inside a country-sized region's territories.
pub fn project(lon_lat: &[(f64, f64)]) -> Vec<(f64, f64)> {
    const KM_PER_DEGREE: f64 = 111.32;
    let n = lon_lat.len().max(1) as f64;
    let lat0 = lon_lat.iter().map(|p| p.1).sum::<f64>() / n;
    let lon0 = lon_lat.iter().map(|p| p.0).sum::<f64>() / n;
    let c = lat0.to_radians().cos();
    lon_lat
        .iter()
        .map(|&(lon, lat)| {
            (
                (lon - lon0) * KM_PER_DEGREE * c,
                (lat - lat0) * KM_PER_DEGREE,
            )
        })
        .collect()
}
