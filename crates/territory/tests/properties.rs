//! Properties of every plan, on made-up regions of every size.

use proptest::prelude::*;
use salesdesk_territory::{Balance, Options, evaluate, optimise, sample};

fn balance_of(i: u8) -> Balance {
    match i % 3 {
        0 => Balance::Potential,
        1 => Balance::Workload,
        _ => Balance::Both,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_unit_is_in_exactly_one_contiguous_nonempty_territory(
        n in 12usize..160, k_frac in 0.0f64..1.0, seed in 0u64..1000, b in 0u8..3,
    ) {
        let p = sample::skewed_region(n, seed);
        let k = 1 + ((n / 4) as f64 * k_frac) as usize;
        let mut o = Options::new(k);
        o.seed = seed;
        o.balance = balance_of(b);
        let plan = optimise(&p, &o).unwrap();
        prop_assert_eq!(plan.territory.len(), n);
        let mut sizes = vec![0usize; k];
        for &t in &plan.territory {
            prop_assert!(t < k);
            sizes[t] += 1;
        }
        prop_assert!(sizes.iter().all(|&s| s > 0), "an empty territory: {:?}", sizes);
        for t in 0..k {
            prop_assert!(
                p.graph.is_connected_within(|u| plan.territory[u] == t),
                "territory {} is in pieces", t
            );
            prop_assert_eq!(plan.territory[plan.centres[t]], t, "a centre outside its territory");
        }
        prop_assert!(plan.figures.contiguous);
        // The figures are those of the plan, as anyone would compute them.
        let again = evaluate(&p, &plan.territory, k, o.balance, Some(&plan.centres), None);
        prop_assert_eq!(again.potential_max_deviation, plan.figures.potential_max_deviation);
        prop_assert_eq!(again.mean_distance_km, plan.figures.mean_distance_km);
    }

    #[test]
    fn the_same_seed_gives_the_same_plan(n in 12usize..120, k in 1usize..8, seed in 0u64..1000) {
        let p = sample::skewed_region(n, seed);
        let mut o = Options::new(k.min(n));
        o.seed = seed;
        let a = optimise(&p, &o).unwrap();
        let b = optimise(&p, &o).unwrap();
        prop_assert_eq!(a.territory, b.territory);
        prop_assert_eq!(a.centres, b.centres);
    }

    #[test]
    fn locked_units_and_bases_stay(n in 20usize..120, k in 2usize..8, seed in 0u64..1000, picks in proptest::collection::vec((0usize..1000, 0usize..8), 1..6)) {
        let p = sample::skewed_region(n, seed);
        let k = k.min(n / 3);
        let mut o = Options::new(k);
        o.seed = seed;
        o.bases = vec![seed as usize % n];
        for (u, t) in picks {
            let (u, t) = (u % n, t % k);
            if o.locked.iter().any(|&(l, _)| l == u) || o.bases.contains(&u) {
                continue;
            }
            o.locked.push((u, t));
        }
        let plan = optimise(&p, &o).unwrap();
        for &(u, t) in &o.locked {
            prop_assert_eq!(plan.territory[u], t, "locked unit {} moved", u);
        }
        prop_assert_eq!(plan.territory[o.bases[0]], 0);
        prop_assert_eq!(plan.centres[0], o.bases[0]);
    }

    #[test]
    fn a_realignment_keeps_what_it_does_not_need_to_move(n in 40usize..160, k in 2usize..8, seed in 0u64..1000) {
        let p = sample::skewed_region(n, seed);
        let mut o = Options::new(k);
        o.seed = seed;
        let first = optimise(&p, &o).unwrap();
        // Realigning a plan against the data it was made for moves little.
        o.current = Some(first.territory.clone());
        let again = optimise(&p, &o).unwrap();
        let moved = again.figures.moved.unwrap();
        prop_assert!(moved * 10 <= n, "{} of {} units moved", moved, n);
        prop_assert!(again.figures.contiguous);
    }
}
