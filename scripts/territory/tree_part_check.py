"""Whether gerrychain's recursive tree partition (the start of a ReCom chain) finds a plan of a
state's units within a balance tolerance: a check, from outside the engine, of whether a worst
case in docs/benchmarks.md is the geography's or the engine's.

    DATA=china-districts .venv/territory/bin/python scripts/territory/tree_part_check.py 内蒙古自治区 10 0.04 5

Arguments: the state (the `state` column of units.csv), k, ε (0.04 is 4 %), seeds. Prints
each seed's deviation, or that no cut was found, and the best.
"""

import csv
import os
import sys
from pathlib import Path

import networkx as nx
from gerrychain import Graph, Partition
from gerrychain.partition.initial_partition_generators import recursive_tree_part
from gerrychain.updaters import Tally

DATA = Path(__file__).resolve().parents[2] / "crates" / "bench" / "data"


def main() -> None:
    state, k, epsilon = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    seeds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    data = DATA / os.environ.get("DATA", "china-districts")
    graph = nx.Graph()
    with open(data / "units.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["state"] == state:
                graph.add_node(r["id"], potential=float(r["potential"]))
    with open(data / "adjacency.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["a"] in graph and r["b"] in graph:
                graph.add_edge(r["a"], r["b"])
    print(f"{state}: {len(graph)} units, {graph.number_of_edges()} edges, k = {k}, ε = {epsilon:.1%}")
    ideal = sum(nx.get_node_attributes(graph, "potential").values()) / k
    g = Graph.from_networkx(graph)
    best = None
    for seed in range(seeds):
        try:
            assignment = recursive_tree_part(g, range(k), ideal, "potential", epsilon, node_repeats=5, rng=seed)
        except RuntimeError as e:
            print(f"seed {seed}: none ({e})")
            continue
        part = Partition(g, assignment, {"potential": Tally("potential", alias="potential")})
        deviation = max(abs(v / ideal - 1) for v in part["potential"].values())
        print(f"seed {seed}: {deviation:.2%}")
        best = deviation if best is None else min(best, deviation)
    print("best:", "none" if best is None else f"{best:.2%}")


if __name__ == "__main__":
    main()
