"""Dispatch and destination ranking on a city-size road graph: 500 ambulances, 60 hospitals. Target p95 ≤ 50 ms.

The graph is SYNTHETIC (no OpenStreetMap extract on this machine): a 224 × 224 street grid (~50,000
intersections, ~200,000 directed street segments) over 25 km × 25 km of Ho Chi Minh City, with arterials every
8 blocks, some one-way streets and random block times. Each query runs what the dispatcher's screen asks: one
Dijkstra from the incident over the reversed graph (ambulances) and one forward (hospitals), then the scoring.

Baselines measured in the same run: the straight-line model, and networkx's pure-Python Dijkstra for the same
two searches. Run: .venv/bin/python bench/emergency_ranking.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from bench.common import emit_summary, machine, print_table, summary_ms  # noqa: E402
from opscenter.emergency.ranking import HospitalState, Vehicle, rank_ambulances, rank_hospitals  # noqa: E402
from opscenter.emergency.routing import RoadNetworkModel, StraightLineModel  # noqa: E402

SOUTH, WEST, SIZE_DEG = 10.66, 106.56, 0.225  # about 25 km square


def city_grid(side: int, rng: random.Random) -> nx.DiGraph:
    g = nx.DiGraph()
    step = SIZE_DEG / (side - 1)
    for r in range(side):
        for c in range(side):
            g.add_node(r * side + c, y=SOUTH + r * step, x=WEST + c * step)
    block_m = step * 111_000
    for r in range(side):
        for c in range(side):
            u = r * side + c
            for dr, dc in ((0, 1), (1, 0)):
                rr, cc = r + dr, c + dc
                if rr >= side or cc >= side:
                    continue
                v = rr * side + cc
                arterial = (r % 8 == 0 and dr == 0) or (c % 8 == 0 and dc == 0)
                kmh = rng.uniform(30, 45) if arterial else rng.uniform(12, 25)
                seconds = block_m / (kmh / 3.6)
                one_way = not arterial and rng.random() < 0.15
                g.add_edge(u, v, travel_time=seconds)
                if not one_way:
                    g.add_edge(v, u, travel_time=seconds * rng.uniform(0.9, 1.1))
    return g


def random_point(rng: random.Random) -> tuple[float, float]:
    return SOUTH + rng.random() * SIZE_DEG, WEST + rng.random() * SIZE_DEG


def networkx_both(g: nx.DiGraph, reverse: nx.DiGraph, model: RoadNetworkModel, scene, vehicles, hospitals):
    """The same two searches in pure Python (snapping reused from the model)."""
    source = int(model._snap([scene])[0][0])
    to_scene = nx.single_source_dijkstra_path_length(reverse, source, weight="travel_time")
    from_scene = nx.single_source_dijkstra_path_length(g, source, weight="travel_time")
    v_nodes = model._snap([v.position for v in vehicles])[0]
    h_nodes = model._snap([h.position for h in hospitals])[0]
    return [to_scene.get(int(n)) for n in v_nodes], [from_scene.get(int(n)) for n in h_nodes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rng = random.Random(115)
    side = 100 if args.quick else 224
    queries = 50 if args.quick else 300
    print(f"Ranking benchmark · {machine()} (2 cores shared with other engineers working now)")
    t = time.perf_counter()
    g = city_grid(side, rng)
    build_graph = time.perf_counter() - t
    t = time.perf_counter()
    road = RoadNetworkModel(g)
    compile_s = time.perf_counter() - t
    print(f"  synthetic grid graph: {road.node_count:,} nodes, {road.edge_count:,} edges "
          f"(built {build_graph:.1f} s, compiled for search {compile_s:.1f} s)")
    vehicles = [Vehicle(f"AMB-{i}", random_point(rng), "als") for i in range(500)]
    capabilities = ["trauma", "stroke", "cardiac", "paediatrics", "obstetrics", "burns"]
    hospitals = [HospitalState(f"BV-{i}", random_point(rng), frozenset(rng.sample(capabilities, 3)),
                               ed_free=rng.randint(0, 20), icu_free=rng.randint(0, 8), er_waiting=rng.randint(0, 30),
                               crowd=rng.choice([None, rng.randint(0, 80)]), on_diversion=rng.random() < 0.05)
                 for i in range(60)]
    scenes = [random_point(rng) for _ in range(queries)]
    needs = [rng.choice([None, *capabilities]) for _ in range(queries)]

    def run(model) -> list[float]:
        samples = []
        for scene, need in zip(scenes, needs, strict=True):
            t0 = time.perf_counter()
            rank_ambulances(model, scene, vehicles, priority=1)
            rank_hospitals(model, scene, hospitals, need=need, priority=1)
            samples.append(time.perf_counter() - t0)
        return samples

    road_ms = summary_ms(run(road))
    line_ms = summary_ms(run(StraightLineModel()))
    reverse = g.reverse(copy=True)
    nx_samples = []
    for scene in scenes[: max(10, queries // 15)]:
        t0 = time.perf_counter()
        networkx_both(g, reverse, road, scene, vehicles, hospitals)
        nx_samples.append(time.perf_counter() - t0)
    nx_ms = summary_ms(nx_samples)
    print_table(["model", "queries", "p50 ms", "p95 ms", "max ms", "p95 vs road graph"], [
        ["road graph (scipy Dijkstra ×2, this app)", road_ms["n"], road_ms["p50"], road_ms["p95"], road_ms["max"],
         "1.00×"],
        ["baseline: straight line", line_ms["n"], line_ms["p50"], line_ms["p95"], line_ms["max"],
         f"{line_ms['p95'] / road_ms['p95']:.2f}×"],
        ["baseline: networkx Dijkstra ×2 (pure Python)", nx_ms["n"], nx_ms["p50"], nx_ms["p95"], nx_ms["max"],
         f"{nx_ms['p95'] / road_ms['p95']:.1f}×"],
    ])
    ok = road_ms["p95"] <= 50
    print(f"  target p95 ≤ 50 ms on the road graph: {'PASS' if ok else 'MISS'} ({road_ms['p95']:.1f} ms)")
    emit_summary("emergency_ranking", [("ranking p95 ms (road graph, 500 ambulances, 60 hospitals)",
                                        road_ms["p95"], "≤ 50", ok)])


if __name__ == "__main__":
    main()
