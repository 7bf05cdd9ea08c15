//! `salesdesk territory optimise`: territory design from CSV files, no database needed.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use salesdesk_territory::files::{
    self, default_labels, labels_of, read_adjacency, read_assignment, read_units,
};
use salesdesk_territory::{Balance, Graph, Options, Problem, adjacency_from_points, optimise};

#[derive(clap::Args)]
pub struct OptimiseArgs {
    /// Units: id,name,state,lon,lat,x_km,y_km,area_km2,perimeter_km,potential,workload (by header).
    #[arg(long)]
    units: PathBuf,
    /// Adjacency: a,b,border_km,kind. Without it, neighbours come from the centroids (Delaunay).
    #[arg(long)]
    adjacency: Option<PathBuf>,
    /// Number of territories.
    #[arg(short = 'k', long = "territories")]
    k: usize,
    #[arg(long, value_enum, default_value = "potential")]
    balance: BalanceArg,
    /// The current alignment (id,territory), to realign moving as few units as possible.
    #[arg(long, conflicts_with = "current_from_state")]
    current: Option<PathBuf>,
    /// Use the units file's `state` column as the current alignment.
    #[arg(long)]
    current_from_state: bool,
    /// Units that must stay where they are (id,territory).
    #[arg(long)]
    locked: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds; the best plan found so far is returned when they run out.
    #[arg(long)]
    time_limit: Option<f64>,
    /// Percent: once balanced, territories are made more compact while each stays within
    /// this deviation of a fair share (0 keeps the tightest balance found).
    #[arg(long, default_value_t = 0.5, value_parser = tolerance)]
    tolerance: f64,
    /// Where to write id,territory.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BalanceArg {
    Potential,
    Workload,
    Both,
}

fn tolerance(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(v) if (0.0..=50.0).contains(&v) => Ok(v),
        _ => Err(format!("{raw} is not a percentage between 0 and 50")),
    }
}

fn read(path: &PathBuf) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub fn optimise_files(a: OptimiseArgs) -> Result<()> {
    let units_file = read_units(&read(&a.units)?)?;
    let units = units_file.units;
    let index = files::index(&units);
    let edges = match &a.adjacency {
        Some(p) => read_adjacency(&read(p)?, &index)?,
        None => adjacency_from_points(&units.iter().map(|u| (u.x, u.y)).collect::<Vec<_>>()),
    };
    let n = units.len();
    let current_rows = match (&a.current, a.current_from_state) {
        (Some(p), _) => Some(read_assignment("current", &read(p)?, &index, true)?),
        (None, true) => {
            let Some(states) = &units_file.states else {
                bail!("--current-from-state: the units file has no state column");
            };
            if let Some(i) = states.iter().position(String::is_empty) {
                bail!("--current-from-state: unit {} has no state", units[i].id);
            }
            Some(states.iter().cloned().enumerate().collect())
        }
        (None, false) => None,
    };
    let (labels, current) = match &current_rows {
        Some(rows) => {
            let (mut labels, territory) = labels_of(rows, n);
            if labels.len() > a.k {
                bail!(
                    "the current alignment has {} territories, more than -k {}",
                    labels.len(),
                    a.k
                );
            }
            // More territories than now: the new ones get the next free T-numbers.
            for l in default_labels(a.k) {
                if labels.len() == a.k {
                    break;
                }
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
            (labels, Some(territory))
        }
        None => (default_labels(a.k), None),
    };
    let mut locked = Vec::new();
    if let Some(p) = &a.locked {
        for (u, label) in read_assignment("locked", &read(p)?, &index, false)? {
            let Some(t) = labels.iter().position(|l| *l == label) else {
                bail!(
                    "locked: unit {} is locked to {label}, which is not a territory ({})",
                    units[u].id,
                    labels.join(", ")
                );
            };
            locked.push((u, t));
        }
    }
    let mut options = Options::new(a.k);
    options.balance = match a.balance {
        BalanceArg::Potential => Balance::Potential,
        BalanceArg::Workload => Balance::Workload,
        BalanceArg::Both => Balance::Both,
    };
    options.seed = a.seed;
    options.time_limit = a.time_limit.map(Duration::from_secs_f64);
    options.balance_tolerance = a.tolerance / 100.0;
    options.current = current;
    options.locked = locked;
    let problem = Problem {
        graph: Graph::new(n, &edges),
        units,
    };
    let plan = optimise(&problem, &options)?;
    std::fs::write(
        &a.out,
        files::write_plan(&problem.units, &plan.territory, &labels),
    )
    .with_context(|| format!("writing {}", a.out.display()))?;
    print_figures(&problem, &plan, &labels, options.balance);
    println!("wrote {}", a.out.display());
    Ok(())
}

fn print_figures(
    p: &Problem,
    plan: &salesdesk_territory::Plan,
    labels: &[String],
    balance: Balance,
) {
    let f = &plan.figures;
    println!(
        "{} units into {} territories in {} ms; contiguous: {}",
        p.units.len(),
        labels.len(),
        f.elapsed_ms,
        if f.contiguous { "yes" } else { "NO" }
    );
    let pct = |v: f64| format!("{:.2} %", v * 100.0);
    if balance != Balance::Workload {
        println!(
            "potential: max deviation {}, mean {}; without the {} territories of an oversized unit: max {}",
            pct(f.potential_max_deviation),
            pct(f.potential_mean_deviation),
            f.oversized_territories,
            pct(f.potential_max_deviation_regular)
        );
    }
    if balance != Balance::Potential {
        println!(
            "workload: max deviation {}, mean {}; without oversized: max {}",
            pct(f.workload_max_deviation),
            pct(f.workload_mean_deviation),
            pct(f.workload_max_deviation_regular)
        );
    }
    print!(
        "compactness: potential-weighted mean distance to the centre {:.1} km",
        f.mean_distance_km
    );
    match f.mean_polsby_popper {
        Some(pp) => println!(", mean Polsby-Popper {pp:.3}"),
        None => println!(),
    }
    if let Some(m) = f.moved {
        println!("moved from the current alignment: {m} units");
    }
    println!("territory\tunits\tpotential\tdeviation\tworkload\tdeviation\tcentre\tkm\toversized");
    for (t, tf) in f.territories.iter().enumerate() {
        println!(
            "{}\t{}\t{:.0}\t{:+.2} %\t{:.0}\t{:+.2} %\t{}\t{:.1}\t{}",
            labels[t],
            tf.units,
            tf.potential,
            tf.potential_deviation * 100.0,
            tf.workload,
            tf.workload_deviation * 100.0,
            p.units[tf.centre].id,
            tf.mean_distance_km,
            if tf.oversized { "yes" } else { "" }
        );
    }
}
