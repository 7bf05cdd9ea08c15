//! The engine's rules on small hand-made regions, and the file formats.

use salesdesk_territory::files::{self, read_adjacency, read_assignment, read_units};
use salesdesk_territory::{
    Balance, Edge, Error, Graph, Options, Problem, Unit, evaluate, optimise,
};

/// A `w` × `h` grid of 1 km squares, potential 1 each unless given.
fn grid(w: usize, h: usize, potential: impl Fn(usize) -> f64) -> Problem {
    let units: Vec<Unit> = (0..w * h)
        .map(|i| Unit {
            id: format!("{i:03}"),
            name: String::new(),
            x: (i % w) as f64,
            y: (i / w) as f64,
            potential: potential(i),
            workload: 1.0,
            area_km2: Some(1.0),
            perimeter_km: Some(4.0),
        })
        .collect();
    let mut edges = Vec::new();
    for i in 0..w * h {
        if i % w + 1 < w {
            edges.push(Edge {
                a: i,
                b: i + 1,
                border_km: Some(1.0),
            });
        }
        if i + w < w * h {
            edges.push(Edge {
                a: i,
                b: i + w,
                border_km: Some(1.0),
            });
        }
    }
    Problem {
        graph: Graph::new(units.len(), &edges),
        units,
    }
}

#[test]
fn a_uniform_grid_splits_into_equal_compact_territories() {
    let p = grid(8, 8, |_| 1.0);
    let plan = optimise(&p, &Options::new(4)).unwrap();
    let f = &plan.figures;
    assert_eq!(f.potential_max_deviation, 0.0, "{f:?}");
    assert!(f.contiguous);
    // As compact as the four quadrants, by distance to the centres: balanced growth leaves
    // staircase shapes up to 10 % worse, and the compaction pass re-cuts them (Polsby-Popper
    // stays below a square's when borders are staircases).
    let quadrants: Vec<usize> = (0..64).map(|i| (i % 8) / 4 + 2 * ((i / 8) / 4)).collect();
    let q = evaluate(&p, &quadrants, 4, Balance::Potential, None, None);
    assert!(
        f.mean_distance_km <= q.mean_distance_km * 1.0 + 1e-9,
        "{} km against the quadrants' {} km",
        f.mean_distance_km,
        q.mean_distance_km
    );
    assert!(f.mean_polsby_popper.unwrap() > 0.35, "{f:?}");
}

#[test]
fn polsby_popper_of_a_square_of_squares_is_that_of_a_square() {
    let p = grid(2, 2, |_| 1.0);
    let f = evaluate(&p, &[0, 0, 0, 0], 1, Balance::Potential, None, None);
    let pp = f.mean_polsby_popper.unwrap();
    assert!((pp - std::f64::consts::PI / 4.0).abs() < 1e-9, "{pp}");
}

#[test]
fn a_unit_heavier_than_a_share_is_a_territory_alone_and_reported_apart() {
    // 6 × 6 of potential 1, and one unit of 30: k = 3 gives a fair share of 33 before it.
    let p = grid(6, 6, |i| if i == 14 { 30.0 } else { 1.0 });
    let plan = optimise(&p, &Options::new(4)).unwrap();
    let f = &plan.figures;
    let t = plan.territory[14];
    assert!(f.territories[t].oversized);
    assert_eq!(f.oversized_territories, 1);
    assert_eq!(f.territories[t].units, 1, "{f:?}");
    // The other 35 units in three territories: 11, 12, 12 at best.
    assert!(
        f.potential_max_deviation_regular <= 1.0 / 11.0 + 1e-9,
        "{f:?}"
    );
}

#[test]
fn bad_problems_are_refused_with_what_is_wrong() {
    let mut p = grid(3, 3, |_| 1.0);
    assert_eq!(
        optimise(&p, &Options::new(10)).unwrap_err(),
        Error::BadK { k: 10, units: 9 }
    );
    p.units[4].potential = -1.0;
    assert!(matches!(
        optimise(&p, &Options::new(2)).unwrap_err(),
        Error::BadNumber {
            what: "potential",
            ..
        }
    ));
    p.units[4].potential = 1.0;
    // Unit 8 cut off.
    let edges: Vec<Edge> = (0..7)
        .map(|i| Edge {
            a: i,
            b: i + 1,
            border_km: None,
        })
        .collect();
    p.graph = Graph::new(9, &edges);
    let e = optimise(&p, &Options::new(2)).unwrap_err();
    assert_eq!(
        e,
        Error::Disconnected {
            pieces: 2,
            first: "000".into(),
            example: "008".into()
        }
    );
    assert!(e.to_string().contains("add link rows"));
}

#[test]
fn units_files_keep_leading_zeros_and_name_the_bad_cell() {
    let text = "\u{feff}id,name,lon,lat,potential,workload,extra\n\
                 0101,甲,116.4,39.9,10,1,x\n\
                 0102,乙,116.5,39.9,\"1,200\",2,y\n";
    let f = read_units(text).unwrap();
    assert_eq!(f.units[0].id, "0101");
    assert_eq!(f.units[1].potential, 1200.0);
    // 0.1 degree of longitude at 39.9° N is about 8.5 km.
    let dx = f.units[1].x - f.units[0].x;
    assert!((dx - 8.54).abs() < 0.05, "{dx}");
    let bad = read_units("id,x_km,y_km,potential\n1,0,0,10\n2,1,0,ten\n").unwrap_err();
    assert_eq!((bad.line, bad.column.as_deref()), (3, Some("potential")));
    assert!(bad.to_string().contains("units line 3, column potential"));
    let dup = read_units("id,x_km,y_km\n1,0,0\n1,1,1\n").unwrap_err();
    assert!(dup.message.contains("already on line 2"), "{dup}");
    let no_position = read_units("id,lon,lat\n1,116,40\n2,,40\n").unwrap_err();
    assert_eq!(
        (no_position.line, no_position.column.as_deref()),
        (3, Some("lon"))
    );
}

#[test]
fn adjacency_and_assignment_files_name_unknown_units() {
    let units = read_units("id,x_km,y_km\nA,0,0\nB,1,0\nC,2,0\n")
        .unwrap()
        .units;
    let index = files::index(&units);
    let edges = read_adjacency("a,b,border_km,kind\nA,B,2.5,border\nB,C,,link\n", &index).unwrap();
    assert_eq!(edges[0].border_km, Some(2.5));
    assert_eq!(edges[1].border_km, None);
    let e = read_adjacency("a,b\nA,D\n", &index).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (2, Some("b")));
    let e = read_adjacency("a,b,kind\nA,B,bridge\n", &index).unwrap_err();
    assert_eq!(e.column.as_deref(), Some("kind"));
    let e = read_assignment("current", "id,territory\nA,北区\nB,南区\n", &index, true).unwrap_err();
    assert!(e.message.contains("unit C has no territory"), "{e}");
    let rows = read_assignment(
        "current",
        "id,territory\nA,北区\nB,南区\nC,北区\n",
        &index,
        true,
    )
    .unwrap();
    let (labels, territory) = files::labels_of(&rows, 3);
    assert_eq!(labels, ["北区", "南区"]);
    assert_eq!(territory, [0, 1, 0]);
    assert_eq!(
        files::write_plan(&units, &territory, &labels),
        "id,territory\nA,北区\nB,南区\nC,北区\n"
    );
}

#[test]
fn adjacency_from_centroids_reaches_every_unit() {
    let xy = salesdesk_territory::clustered_points(500, 600.0, 3);
    let edges = salesdesk_territory::adjacency_from_points(&xy);
    let (_, pieces) = Graph::new(500, &edges).components();
    assert_eq!(pieces, 1);
    // A planar graph has fewer than 3n edges.
    assert!(edges.len() < 1500);
}

#[test]
fn anytime_mode_returns_a_whole_plan_when_time_runs_out() {
    let p = salesdesk_territory::sample::skewed_region(2000, 9);
    let mut o = Options::new(20);
    o.time_limit = Some(std::time::Duration::from_millis(1));
    let plan = optimise(&p, &o).unwrap();
    assert!(plan.figures.contiguous);
    assert_eq!(plan.territory.len(), 2000);
}

#[test]
fn a_unit_locked_away_from_its_territory_stays_there_and_the_figures_say_so() {
    // Left half territory 0, right half 1; then the user puts the far-left corner unit in
    // territory 1 and locks it. Realigning keeps it there.
    let p = grid(8, 4, |_| 1.0);
    let mut current: Vec<usize> = (0..32).map(|i| usize::from(i % 8 >= 4)).collect();
    current[0] = 1;
    let mut o = Options::new(2);
    o.current = Some(current);
    o.locked = vec![(0, 1)];
    let plan = optimise(&p, &o).unwrap();
    assert_eq!(plan.territory[0], 1);
    assert!(!plan.figures.territories[1].contiguous);
    assert!(!plan.figures.contiguous);
    assert!(plan.figures.territories[0].contiguous);
}
