//! The engine on real geographies, several seeds each, judged by the worst seed: the 3,109
//! contiguous US counties with people as potential (Los Angeles, New York and Cook
//! counties each heavier than a share at k = 50, Orange County boxed in between Los
//! Angeles, Riverside and San Diego), and Chinese provinces on their own. Before tree-cut
//! starts, several starts and ejection chains, the US at k = 50 came out 12–36 % off by
//! seed, at k = 20 1.7–3.5 %, and Henan's 157 districts into 15 up to 12 %. Before the
//! balance repair (a worst territory re-cut with one to three neighbours at once), Virginia's
//! 134 counties and cities into 13 came out 4.5 % off for two seeds in five, Florida's 67
//! counties into 6 3.7 % off for two, Louisiana's 64 parishes into 6 1.7 % for one, and the
//! US at k = 20 1.15 % for one.

use salesdesk_territory::files::{index, read_adjacency, read_units};
use salesdesk_territory::{Balance, Graph, Options, Problem, balance_floor, optimise};

fn geography(name: &str) -> (Problem, Vec<String>) {
    let dir = format!("{}/../bench/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).expect("bench data");
    let file = read_units(&read("units.csv")).expect("units.csv");
    let edges = read_adjacency(&read("adjacency.csv"), &index(&file.units)).expect("adjacency");
    let graph = Graph::new(file.units.len(), &edges);
    let states = file.states.expect("state column");
    (
        Problem {
            units: file.units,
            graph,
        },
        states,
    )
}

/// The worst regular deviation over `seeds`, checking contiguity on the way.
fn worst_over(p: &Problem, k: usize, seeds: std::ops::RangeInclusive<u64>) -> f64 {
    seeds
        .map(|seed| {
            let mut o = Options::new(k);
            o.seed = seed;
            let f = optimise(p, &o).expect("plan").figures;
            assert!(f.contiguous, "seed {seed}: a territory in pieces");
            f.potential_max_deviation_regular
        })
        .fold(0.0, f64::max)
}

fn worst_over_seeds(p: &Problem, k: usize) -> f64 {
    worst_over(p, k, 1..=3)
}

/// The units of one state or province alone, with the adjacency among them.
fn part_of(whole: &Problem, states: &[String], name: &str) -> Problem {
    let keep: Vec<usize> = (0..whole.units.len())
        .filter(|&u| states[u] == name)
        .collect();
    let at = |u: usize| keep.iter().position(|&x| x == u);
    let edges: Vec<_> = keep
        .iter()
        .flat_map(|&u| {
            whole
                .graph
                .neighbours(u)
                .iter()
                .map(move |&v| (u, v as usize))
        })
        .filter_map(|(u, v)| {
            Some(salesdesk_territory::Edge {
                a: at(u)?,
                b: at(v)?,
                border_km: None,
            })
        })
        .collect();
    Problem {
        units: keep.iter().map(|&u| whole.units[u].clone()).collect(),
        graph: Graph::new(keep.len(), &edges),
    }
}

#[test]
fn us_counties_balance_for_every_seed() {
    let (us, _) = geography("us-counties");
    let k20 = worst_over(&us, 20, 1..=5);
    assert!(k20 <= 0.01, "k = 20: worst seed {:.2} %", k20 * 100.0);
    // Orange County alone is 36 % short and 2.6 % over with its lightest neighbour.
    let (floor, _) = balance_floor(&us, 50, Balance::Potential);
    assert!((0.02..0.03).contains(&floor), "floor {floor}");
    let k50 = worst_over_seeds(&us, 50);
    assert!(
        k50 <= floor + 0.025,
        "k = 50: worst seed {:.2} % (floor {:.2} %)",
        k50 * 100.0,
        floor * 100.0
    );
}

#[test]
fn a_province_alone_balances_for_every_seed() {
    let (china, provinces) = geography("china-districts");
    let henan = part_of(&china, &provinces, "河南省");
    let worst = worst_over_seeds(&henan, 15);
    assert!(
        worst <= 0.01,
        "Henan into 15: worst seed {:.2} %",
        worst * 100.0
    );
}

#[test]
fn states_where_a_heavy_unit_needs_a_ring_of_small_ones_balance_for_every_seed() {
    let (us, states) = geography("us-counties");
    // (state, k, bound on the worst seed of 1–5)
    let cases = [
        // Arlington, Alexandria and Falls Church are enclosed by Fairfax County, which is
        // more than a share and a territory alone, so their territory is 2.0 % short in any
        // plan the engine makes; Richmond (0.57 of a share) needs three territories re-cut
        // at once.
        ("VA", 13, 0.0201),
        // Broward (0.75 of a share) reaches a share only with a ring of small counties.
        ("FL", 6, 0.016),
        // Orleans Parish's territory needed four territories re-cut at once (1.70 %).
        ("LA", 6, 0.005),
    ];
    for (state, k, bound) in cases {
        let worst = worst_over(&part_of(&us, &states, state), k, 1..=5);
        assert!(
            worst <= bound,
            "{state} into {k}: worst seed {:.2} %",
            worst * 100.0
        );
    }
}
