//! Made-up regions for tests and benchmarks, shaped like real ones: units crowd into towns,
//! and a few units (city districts) hold a large share of the potential.

use crate::graph::{Graph, adjacency_from_points, clustered_points};
use crate::rng::Rng;
use crate::{Problem, Unit};

/// `n` units over a square of about 30 km per unit side, adjacency by Delaunay. Potential is
/// log-normal, with one unit in a hundred twenty times heavier; workload follows potential
/// loosely: in proportion on average (more accounts, more visits), times log-normal noise of
/// σ 0.4 for a typical unit (its workload is often 1.5 times or two thirds of what its
/// potential suggests), less for a heavy unit, which sums many accounts (σ shrinks with the
/// square root of its size).
pub fn skewed_region(n: usize, seed: u64) -> Problem {
    let side = (n as f64).sqrt() * 30.0;
    let xy = clustered_points(n, side, seed);
    let mut rng = Rng::new(seed ^ 0x5EED);
    let mut normal = || {
        let (a, b) = (1.0 - rng.unit(), rng.unit());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    };
    let units: Vec<Unit> = xy
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            let mut potential = (normal() * 1.0).exp() * 100.0;
            if i % 100 == 7 {
                potential *= 20.0;
            }
            let sigma = 0.4 / (potential / 100.0).max(1.0).sqrt();
            let workload = potential * 0.6 * (normal() * sigma).exp();
            Unit {
                id: format!("{i:05}"),
                name: format!("单元{i}"),
                x,
                y,
                potential: (potential * 100.0).round() / 100.0,
                workload: (workload * 100.0).round() / 100.0,
                area_km2: None,
                perimeter_km: None,
            }
        })
        .collect();
    let edges = adjacency_from_points(&xy);
    Problem {
        graph: Graph::new(units.len(), &edges),
        units,
    }
}
