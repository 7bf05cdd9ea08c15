#!/usr/bin/env python3
"""SalesDesk's territory engine side by side with the open-source baselines, on the same
inputs (China's 2,875 districts from crates/bench/data/china-districts, or with
--data us-counties the 3,109 contiguous US counties of build_us_counties.py):

- gerrychain: recursive spanning-tree partition (balanced within ε), then a ReCom Markov
  chain; the most compact plan the chain visits is reported, as an optimiser would use it.
- spopt (PySAL): SKATER (spanning-tree clustering, no balance constraint) and max-p (every
  region at least a threshold of potential; the number of regions follows from it).

Every plan is scored by the same code here: max relative deviation of potential from the
mean, potential-weighted mean distance from units to their territory's medoid (km),
mean Polsby-Popper of the dissolved territories, contiguity, and wall time.

    scripts/territory/setup-venv
    cargo build --release -p salesdesk
    .venv/territory/bin/python scripts/territory/baselines.py [--k 20 50] [--recom-steps 100] \
        [--epsilon 0.01 0.02] [--skip-spopt] [--data us-counties]

Not part of `make test`: the baselines take minutes. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
import warnings
from functools import partial
from pathlib import Path

import networkx as nx
import numpy as np
from shapely import union_all

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "crates/bench/data/china-districts"
sys.path.insert(0, str(Path(__file__).parent))
from build_china_units import CHINA_ALBERS, load_districts  # noqa: E402

warnings.filterwarnings("ignore")


def read_inputs():
    with open(DATA / "units.csv", encoding="utf-8") as f:
        units = list(csv.DictReader(f))
    with open(DATA / "adjacency.csv", encoding="utf-8") as f:
        edges = [(r["a"], r["b"]) for r in csv.DictReader(f)]
    return units, edges


class Scorer:
    def __init__(self, units, edges):
        self.ids = [u["id"] for u in units]
        self.index = {u: i for i, u in enumerate(self.ids)}
        self.xy = np.array([[float(u["x_km"]), float(u["y_km"])] for u in units])
        self.potential = np.array([float(u["potential"]) for u in units])
        self.graph = nx.Graph()
        self.graph.add_nodes_from(range(len(units)))
        self.graph.add_edges_from((self.index[a], self.index[b]) for a, b in edges)
        if DATA.name == "us-counties":
            from build_us_counties import US_ALBERS, load_counties
            counties = load_counties().set_index("id").loc[self.ids].reset_index()
            self.shapes = counties.to_crs(US_ALBERS).geometry.simplify(50.0).buffer(0).values
        else:
            districts = load_districts(None).set_index("id").loc[self.ids].reset_index()
            self.shapes = districts.to_crs(CHINA_ALBERS).geometry.simplify(50.0).buffer(0).values

    def score(self, label, assignment, seconds):
        """`assignment`: territory per unit index."""
        assignment = np.asarray(assignment)
        groups = [np.flatnonzero(assignment == t) for t in np.unique(assignment)]
        loads = np.array([self.potential[g].sum() for g in groups])
        deviation = np.abs(loads / loads.mean() - 1.0)
        spread, pp, contiguous = 0.0, [], True
        for g in groups:
            w = self.potential[g]
            d = np.sqrt(((self.xy[g][:, None, :] - self.xy[g][None, :, :]) ** 2).sum(-1))
            centre = np.argmin(d @ w)
            spread += float(w @ d[centre])
            contiguous &= nx.is_connected(self.graph.subgraph(g.tolist()))
            union = union_all(self.shapes[g])
            pp.append(4 * np.pi * union.area / union.length**2)
        return {
            "plan": label,
            "k": len(groups),
            "max_dev": deviation.max(),
            "mean_dev": deviation.mean(),
            "distance_km": spread / self.potential.sum(),
            "polsby_popper": float(np.mean(pp)),
            "contiguous": contiguous,
            "seconds": seconds,
        }


def salesdesk(scorer, k, tolerance, seed=1):
    binary = ROOT / "target/release/salesdesk"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan.csv"
        started = time.perf_counter()
        subprocess.run(
            [binary, "territory", "optimise", "--units", DATA / "units.csv",
             "--adjacency", DATA / "adjacency.csv", "-k", str(k), "--tolerance", str(tolerance * 100), "--seed", str(seed), "--out", out],
            check=True, capture_output=True,
        )
        seconds = time.perf_counter() - started
        with open(out, encoding="utf-8") as f:
            plan = {r["id"]: r["territory"] for r in csv.DictReader(f)}
    labels = sorted(set(plan.values()))
    return scorer.score(f"SalesDesk (tolerance {tolerance:.1%}, seed {seed})", [labels.index(plan[u]) for u in scorer.ids], seconds)


def gerrychain_recom(scorer, k, epsilon, steps):
    from gerrychain import Graph, MarkovChain, Partition
    from gerrychain.accept import always_accept
    from gerrychain.constraints import within_percent_of_ideal_population
    from gerrychain.proposals import recom
    from gerrychain.partition.initial_partition_generators import recursive_tree_part
    from gerrychain.updaters import Tally

    nx_graph = scorer.graph.copy()
    for i in nx_graph.nodes:
        nx_graph.nodes[i]["potential"] = float(scorer.potential[i])
    graph = Graph.from_networkx(nx_graph)
    target = float(scorer.potential.sum()) / k
    random.seed(1)
    started = time.perf_counter()
    first = recursive_tree_part(graph, range(k), target, "potential", epsilon, node_repeats=2, rng=1)
    initial = Partition(graph, first, updaters={"potential": Tally("potential", alias="potential")})
    proposal = partial(recom, pop_col="potential", pop_target=target, epsilon=epsilon, node_repeats=2, rng=1)
    chain = MarkovChain(
        proposal=proposal,
        constraints=[within_percent_of_ideal_population(initial, epsilon, "potential")],
        accept=always_accept,
        initial_state=initial,
        total_steps=steps,
    )
    seen = []
    for state in chain:
        seen.append(dict(state.assignment))
    seconds = time.perf_counter() - started
    best = None
    # The most compact state the chain visited (scoring is outside the timed part).
    for assignment in seen[:: max(1, len(seen) // 20)] + [seen[-1]]:
        s = scorer.score(f"gerrychain ReCom ({steps} steps, ε {epsilon:.0%})",
                         [assignment[i] for i in range(len(scorer.ids))], seconds)
        if best is None or s["distance_km"] < best["distance_km"]:
            best = s
    return best


def spopt_plans(scorer, k):
    import geopandas as gpd
    from libpysal.weights import W
    from spopt.region import MaxPHeuristic, Skater

    neighbours = {i: list(scorer.graph.neighbors(i)) for i in scorer.graph.nodes}
    w = W(neighbours, silence_warnings=True)
    gdf = gpd.GeoDataFrame(
        {"potential": scorer.potential, "x": scorer.xy[:, 0], "y": scorer.xy[:, 1]},
        geometry=gpd.points_from_xy(scorer.xy[:, 0], scorer.xy[:, 1]),
    )
    results = []
    started = time.perf_counter()
    skater = Skater(gdf, w, ["x", "y"], n_clusters=k, floor=5, islands="ignore")
    skater.solve()
    results.append(scorer.score("spopt SKATER (x, y)", skater.labels_, time.perf_counter() - started))
    np.random.seed(1)
    started = time.perf_counter()
    threshold = 0.8 * scorer.potential.sum() / k
    maxp = MaxPHeuristic(gdf, w, ["x", "y"], "potential", threshold, top_n=2,
                         max_iterations_construction=20, max_iterations_sa=2)
    maxp.solve()
    results.append(scorer.score("spopt max-p (≥ 80 % of a share)", maxp.labels_, time.perf_counter() - started))
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--recom-steps", type=int, default=100)
    parser.add_argument("--epsilon", type=float, nargs="+", default=[0.01, 0.02],
                        help="balance tolerances: SalesDesk and ReCom are each run at every one")
    parser.add_argument("--skip-spopt", action="store_true", help="spopt takes minutes per k")
    parser.add_argument("--data", default="china-districts", help="a geography of crates/bench/data")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="SalesDesk's seeds")
    args = parser.parse_args()
    global DATA
    DATA = ROOT / "crates/bench/data" / args.data
    units, edges = read_inputs()
    scorer = Scorer(units, edges)
    print("| k | plan | territories | max deviation | mean deviation | distance to centre | Polsby-Popper | contiguous | time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in args.k:
        rows = [salesdesk(scorer, k, 0.005, seed) for seed in args.seeds]
        for eps in args.epsilon:
            rows.extend(salesdesk(scorer, k, eps, seed) for seed in args.seeds)
            rows.append(gerrychain_recom(scorer, k, eps, args.recom_steps))
        if not args.skip_spopt:
            rows.extend(spopt_plans(scorer, k))
        for r in rows:
            print(f"| {k} | {r['plan']} | {r['k']} | {r['max_dev']:.2%} | {r['mean_dev']:.2%} | "
                  f"{r['distance_km']:.1f} km | {r['polsby_popper']:.3f} | "
                  f"{'yes' if r['contiguous'] else 'no'} | {r['seconds']:.2f} s |", flush=True)


if __name__ == "__main__":
    main()
