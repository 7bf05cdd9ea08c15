//! The figures of a plan, whoever made it (this engine, a baseline, or the current
//! alignment): balance of potential and workload, compactness, contiguity and disruption.

use crate::{Balance, Problem};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TerritoryFigures {
    pub units: usize,
    pub potential: f64,
    pub workload: f64,
    /// Relative deviation from the mean territory: (load − mean) / mean.
    pub potential_deviation: f64,
    pub workload_deviation: f64,
    /// Holds a unit heavier than a fair share of potential (or workload, when that is
    /// balanced): no plan can bring it to the mean.
    pub oversized: bool,
    pub centre: usize,
    /// Potential-weighted mean distance (km) of its units to its centre unit.
    pub mean_distance_km: f64,
    /// 4πA/P² of the territory's outline, when every unit's area and perimeter are known
    /// (and border lengths, for the borders inside it). 1 is a circle.
    pub polsby_popper: Option<f64>,
    pub contiguous: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub territories: Vec<TerritoryFigures>,
    /// Max and mean |relative deviation| from the mean, over all territories.
    pub potential_max_deviation: f64,
    pub potential_mean_deviation: f64,
    pub workload_max_deviation: f64,
    pub workload_mean_deviation: f64,
    /// The same among territories without an oversized unit, from their own mean.
    pub potential_max_deviation_regular: f64,
    pub workload_max_deviation_regular: f64,
    pub oversized_territories: usize,
    /// Potential-weighted mean distance (km) of units to their territory's centre.
    pub mean_distance_km: f64,
    pub mean_polsby_popper: Option<f64>,
    pub contiguous: bool,
    /// Units in another territory than in the current alignment, when there is one.
    pub moved: Option<usize>,
    pub elapsed_ms: u64,
}

/// The weight of a unit in compactness: its potential, or its workload when no unit has
/// potential; a small floor keeps empty units from being anywhere for free.
pub(crate) fn compactness_weights(problem: &Problem) -> Vec<f64> {
    let pot: f64 = problem.units.iter().map(|u| u.potential).sum();
    let raw: Vec<f64> = if pot > 0.0 {
        problem.units.iter().map(|u| u.potential).collect()
    } else {
        problem.units.iter().map(|u| u.workload).collect()
    };
    let total: f64 = raw.iter().sum();
    let floor = if total > 0.0 {
        total / raw.len() as f64 * 0.01
    } else {
        1.0
    };
    raw.into_iter().map(|w| w + floor).collect()
}

/// Which units weigh more than a fair share of `values` among `k` territories: the share is
/// what is left once heavier units have a territory each, so it is found by repetition.
pub(crate) fn oversized_units(values: &[f64], k: usize) -> Vec<bool> {
    let mut big = vec![false; values.len()];
    loop {
        let n_big = big.iter().filter(|b| **b).count();
        if n_big >= k {
            return big;
        }
        let share = fair_share(values, &big, k);
        let mut changed = false;
        for (v, b) in values.iter().zip(big.iter_mut()) {
            if !*b && *v > share && share > 0.0 {
                *b = true;
                changed = true;
            }
        }
        if !changed {
            return big;
        }
    }
}

/// What each territory without an oversized unit should hold: what the others leave, shared.
pub(crate) fn fair_share(values: &[f64], big: &[bool], k: usize) -> f64 {
    let n_big = big.iter().filter(|b| **b).count();
    let rest: f64 = values
        .iter()
        .zip(big)
        .filter(|(_, b)| !**b)
        .map(|(v, _)| v)
        .sum();
    rest / k.saturating_sub(n_big).max(1) as f64
}

pub(crate) fn dist(problem: &Problem, a: usize, b: usize) -> f64 {
    let (ua, ub) = (&problem.units[a], &problem.units[b]);
    ((ua.x - ub.x).powi(2) + (ua.y - ub.y).powi(2)).sqrt()
}

/// The centre of a territory: the member with the least weighted distance to the others,
/// among the members nearest its weighted centroid (an exact medoid costs the square of the
/// territory's size; the best is always near the centroid).
pub(crate) fn medoid(problem: &Problem, weights: &[f64], members: &[usize]) -> usize {
    if members.len() == 1 {
        return members[0];
    }
    let (mut sx, mut sy, mut sw) = (0.0, 0.0, 0.0);
    for &u in members {
        sx += weights[u] * problem.units[u].x;
        sy += weights[u] * problem.units[u].y;
        sw += weights[u];
    }
    let (cx, cy) = (sx / sw, sy / sw);
    let mut near: Vec<(f64, usize)> = members
        .iter()
        .map(|&u| {
            let p = &problem.units[u];
            ((p.x - cx).powi(2) + (p.y - cy).powi(2), u)
        })
        .collect();
    let take = near.len().min(24);
    near.select_nth_unstable_by(take - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    near.truncate(take);
    near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let cost = |c: usize| -> f64 {
        members
            .iter()
            .map(|&u| weights[u] * dist(problem, u, c))
            .sum()
    };
    let mut best = (f64::INFINITY, members[0]);
    for (_, c) in near {
        let v = cost(c);
        if v < best.0 {
            best = (v, c);
        }
    }
    best.1
}

/// The figures of `territory` (0..k for each unit). `centres` as the plan has them, or
/// medoids when None.
/// A deviation no plan can beat, from single units: a unit lighter than a fair share is
/// either a territory alone (short by what it lacks) or joined by at least one neighbour
/// (over by what the lightest neighbour adds beyond the share). The largest such floor over
/// units, relative to the fair share of territories without an oversized unit, with the
/// unit that sets it. Denver between Adams, Arapahoe and Jefferson, 0.91 of a share at
/// k = 6: 8.9 % short alone, more over with any neighbour.
pub fn balance_floor(problem: &Problem, k: usize, balance: Balance) -> (f64, Option<usize>) {
    let mut worst = (0.0f64, None);
    let mut check = |values: Vec<f64>| {
        let big = oversized_units(&values, k);
        let share = fair_share(&values, &big, k);
        if share <= 0.0 {
            return;
        }
        for u in 0..values.len() {
            if big[u] {
                continue;
            }
            // Joined, at least its lightest neighbour comes too: one that is not oversized (an
            // oversized unit's territory may take a small enclave, but is no one's to fill).
            let lightest = problem
                .graph
                .neighbours(u)
                .iter()
                .filter(|&&v| !big[v as usize])
                .map(|&v| values[v as usize])
                .fold(f64::INFINITY, f64::min);
            if lightest.is_infinite() {
                continue;
            }
            let alone = (share - values[u]).max(0.0) / share;
            let joined = ((values[u] + lightest - share) / share).max(0.0);
            let floor = alone.min(joined);
            if floor > worst.0 {
                worst = (floor, Some(u));
            }
        }
    };
    if balance != Balance::Workload {
        check(problem.units.iter().map(|u| u.potential).collect());
    }
    if balance != Balance::Potential {
        check(problem.units.iter().map(|u| u.workload).collect());
    }
    worst
}

pub fn evaluate(
    problem: &Problem,
    territory: &[usize],
    k: usize,
    balance: Balance,
    centres: Option<&[usize]>,
    current: Option<&[usize]>,
) -> Figures {
    let n = problem.units.len();
    let weights = compactness_weights(problem);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (u, &t) in territory.iter().enumerate() {
        members[t].push(u);
    }
    let pot: Vec<f64> = problem.units.iter().map(|u| u.potential).collect();
    let work: Vec<f64> = problem.units.iter().map(|u| u.workload).collect();
    let big_pot = oversized_units(&pot, k);
    let big_work = oversized_units(&work, k);
    let mean_pot = pot.iter().sum::<f64>() / k as f64;
    let mean_work = work.iter().sum::<f64>() / k as f64;
    let mut ts: Vec<TerritoryFigures> = Vec::with_capacity(k);
    for (t, m) in members.iter().enumerate() {
        let p: f64 = m.iter().map(|&u| pot[u]).sum();
        let w: f64 = m.iter().map(|&u| work[u]).sum();
        let centre = match centres {
            Some(c) => c[t],
            None if m.is_empty() => 0,
            None => medoid(problem, &weights, m),
        };
        let sw: f64 = m.iter().map(|&u| weights[u]).sum();
        let mean_distance_km = if m.is_empty() {
            0.0
        } else {
            m.iter()
                .map(|&u| weights[u] * dist(problem, u, centre))
                .sum::<f64>()
                / sw
        };
        let oversized = m.iter().any(|&u| {
            (big_pot[u] && balance != Balance::Workload)
                || (big_work[u] && balance != Balance::Potential)
        });
        ts.push(TerritoryFigures {
            units: m.len(),
            potential: p,
            workload: w,
            potential_deviation: relative(p, mean_pot),
            workload_deviation: relative(w, mean_work),
            oversized,
            centre,
            mean_distance_km,
            polsby_popper: polsby_popper(problem, territory, t, m),
            contiguous: !m.is_empty() && problem.graph.is_connected_within(|u| territory[u] == t),
        });
    }
    let max_abs = |f: &dyn Fn(&TerritoryFigures) -> f64, only_regular: bool| -> f64 {
        let chosen: Vec<&TerritoryFigures> = ts
            .iter()
            .filter(|t| !only_regular || !t.oversized)
            .collect();
        if chosen.is_empty() {
            return 0.0;
        }
        if !only_regular {
            return chosen.iter().map(|t| f(t).abs()).fold(0.0, f64::max);
        }
        // From the regular territories' own mean.
        let loads: Vec<f64> = chosen.iter().map(|t| f(t)).collect();
        let mean = loads.iter().sum::<f64>() / loads.len() as f64;
        loads
            .iter()
            .map(|l| relative(*l, mean).abs())
            .fold(0.0, f64::max)
    };
    let mean_abs = |f: &dyn Fn(&TerritoryFigures) -> f64| -> f64 {
        ts.iter().map(|t| f(t).abs()).sum::<f64>() / k as f64
    };
    let total_w: f64 = weights.iter().sum();
    let pp: Vec<f64> = ts.iter().filter_map(|t| t.polsby_popper).collect();
    Figures {
        potential_max_deviation: max_abs(&|t| t.potential_deviation, false),
        potential_mean_deviation: mean_abs(&|t| t.potential_deviation),
        workload_max_deviation: max_abs(&|t| t.workload_deviation, false),
        workload_mean_deviation: mean_abs(&|t| t.workload_deviation),
        potential_max_deviation_regular: max_abs(&|t| t.potential, true),
        workload_max_deviation_regular: max_abs(&|t| t.workload, true),
        oversized_territories: ts.iter().filter(|t| t.oversized).count(),
        mean_distance_km: ts
            .iter()
            .zip(&members)
            .map(|(t, m)| t.mean_distance_km * m.iter().map(|&u| weights[u]).sum::<f64>())
            .sum::<f64>()
            / total_w,
        mean_polsby_popper: (pp.len() == k).then(|| pp.iter().sum::<f64>() / k as f64),
        contiguous: ts.iter().all(|t| t.contiguous),
        moved: current.map(|c| (0..n).filter(|&u| c[u] != territory[u]).count()),
        elapsed_ms: 0,
        territories: ts,
    }
}

fn relative(v: f64, mean: f64) -> f64 {
    if mean > 0.0 { v / mean - 1.0 } else { 0.0 }
}

fn polsby_popper(problem: &Problem, territory: &[usize], t: usize, m: &[usize]) -> Option<f64> {
    let mut area = 0.0;
    let mut perimeter = 0.0;
    for &u in m {
        let unit = &problem.units[u];
        area += unit.area_km2?;
        perimeter += unit.perimeter_km?;
        for (v, border) in problem.graph.borders(u) {
            if territory[v] == t {
                // Each inner border is counted from both sides: half each time, twice.
                perimeter -= border;
            }
        }
    }
    (perimeter > 0.0).then(|| 4.0 * std::f64::consts::PI * area / (perimeter * perimeter))
}
