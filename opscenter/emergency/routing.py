"""Estimated travel times for ambulances: one interface, two models. No Django here.

- `StraightLineModel` (the default): great-circle distance × a detour factor, at a city speed that depends on the
  hour (rush hours are slow) and on whether the ambulance runs with lights and siren (priorities 1–2).
- `RoadNetworkModel`: shortest travel time on a road graph (an OpenStreetMap extract loaded offline), one
  Dijkstra from the incident per question — over the reversed graph for "which ambulance reaches it first",
  forward for "which hospital is nearest" — never one search per vehicle.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from opscenter.extras import needs

if TYPE_CHECKING:
    import networkx as nx

Point = tuple[float, float]  # (latitude, longitude) in degrees
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def valid_point(lat: Any, lon: Any) -> bool:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lon))
    return numbers and -90 <= lat <= 90 and -180 <= lon <= 180


@dataclass(frozen=True)
class SpeedProfile:
    """City driving speeds in km/h by time of day; ambulances with lights and siren go `siren_factor` faster."""

    night_kmh: float = 32.0  # 22:00–06:00, roads nearly free
    day_kmh: float = 22.0
    rush_kmh: float = 15.0  # 06:30–09:00 and 16:30–19:00 in Ho Chi Minh City
    siren_factor: float = 1.2
    siren_priorities: tuple[int, ...] = (1, 2)

    def kmh(self, when: datetime | None, priority: int) -> float:
        base = self.day_kmh
        if when is not None:
            minutes = when.hour * 60 + when.minute
            if minutes >= 22 * 60 or minutes < 6 * 60:
                base = self.night_kmh
            elif 6 * 60 + 30 <= minutes < 9 * 60 or 16 * 60 + 30 <= minutes < 19 * 60:
                base = self.rush_kmh
        return base * (self.siren_factor if priority in self.siren_priorities else 1.0)

    def congestion(self, when: datetime | None, priority: int) -> float:
        """Speed relative to free flow (the night speed without siren), to scale road-graph times."""
        return self.kmh(when, priority) / self.night_kmh


class TravelTimeModel(Protocol):
    @property
    def name(self) -> str: ...

    def times(self, origin: Point, destinations: Sequence[Point], *, when: datetime | None = None,
              priority: int = 2) -> list[float | None]:
        """Seconds from `origin` to each destination (None: unreachable)."""
        ...

    def times_to(self, destination: Point, origins: Sequence[Point], *, when: datetime | None = None,
                 priority: int = 2) -> list[float | None]:
        """Seconds from each origin to `destination` (None: unreachable)."""
        ...


@dataclass(frozen=True)
class StraightLineModel:
    detour_factor: float = 1.35  # road distance / straight-line distance in a dense grid-like city
    profile: SpeedProfile = field(default_factory=SpeedProfile)
    name: str = "straight_line"

    def times(self, origin: Point, destinations: Sequence[Point], *, when: datetime | None = None,
              priority: int = 2) -> list[float | None]:
        metres_per_second = self.profile.kmh(when, priority) / 3.6
        return [haversine_m(origin, d) * self.detour_factor / metres_per_second for d in destinations]

    def times_to(self, destination: Point, origins: Sequence[Point], *, when: datetime | None = None,
                 priority: int = 2) -> list[float | None]:
        return self.times(destination, origins, when=when, priority=priority)


class RoadNetworkModel:
    """Travel times on a directed road graph whose nodes carry `x` (longitude) and `y` (latitude) and whose edges
    carry free-flow `travel_time` in seconds. Points are snapped to the nearest node; the snap distance is covered
    at `access_kmh`."""

    name = "road_network"

    def __init__(self, graph: nx.DiGraph | nx.MultiDiGraph, *, profile: SpeedProfile | None = None,
                 access_kmh: float = 10.0, weight: str = "travel_time") -> None:
        from scipy.sparse import csr_matrix
        from scipy.spatial import cKDTree

        self.profile = profile or SpeedProfile()
        self.access_mps = access_kmh / 3.6
        nodes = list(graph.nodes)
        if not nodes:
            raise ValueError("the road graph has no nodes")
        index = {node: i for i, node in enumerate(nodes)}
        lat = np.array([float(graph.nodes[n]["y"]) for n in nodes])
        lon = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        # Parallel edges (a MultiDiGraph) keep the fastest; a sparse matrix would add them up.
        fastest: dict[tuple[int, int], float] = {}
        for u, v, seconds in graph.edges(data=weight):
            if seconds is None:
                raise ValueError(f"edge {u}->{v} has no {weight}")
            key = (index[u], index[v])
            # scipy's Dijkstra takes a stored zero as "no edge": keep every edge strictly positive.
            fastest[key] = min(fastest.get(key, math.inf), max(float(seconds), 1e-3))
        rows, cols = (np.fromiter((k[i] for k in fastest), dtype=np.int32, count=len(fastest)) for i in (0, 1))
        weights = np.fromiter(fastest.values(), dtype=np.float64, count=len(fastest))
        self.forward = csr_matrix((weights, (rows, cols)), shape=(len(nodes), len(nodes)))
        self.backward = self.forward.transpose().tocsr()
        self.lat0 = float(np.radians(lat.mean()))
        self._tree = cKDTree(self._project(lat, lon))
        self.node_count, self.edge_count = len(nodes), len(fastest)

    def _project(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Equirectangular metres around the graph's centre: plenty for snapping inside one city."""
        return np.column_stack((np.radians(lon) * math.cos(self.lat0), np.radians(lat))) * EARTH_RADIUS_M

    def _snap(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        arr = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        distance, node = self._tree.query(self._project(arr[:, 0], arr[:, 1]))
        return np.atleast_1d(node), np.atleast_1d(distance) / self.access_mps

    def _search(self, matrix: Any, source: Point, targets: Sequence[Point], when: datetime | None,
                priority: int) -> list[float | None]:
        from scipy.sparse.csgraph import dijkstra

        if not targets:
            return []
        source_node, source_access = self._snap([source])
        target_nodes, target_access = self._snap(targets)
        on_roads = dijkstra(matrix, indices=int(source_node[0]))[target_nodes]
        seconds = on_roads / self.profile.congestion(when, priority) + source_access[0] + target_access
        return [float(s) if math.isfinite(s) else None for s in seconds]

    def times(self, origin: Point, destinations: Sequence[Point], *, when: datetime | None = None,
              priority: int = 2) -> list[float | None]:
        return self._search(self.forward, origin, destinations, when, priority)

    def times_to(self, destination: Point, origins: Sequence[Point], *, when: datetime | None = None,
                 priority: int = 2) -> list[float | None]:
        return self._search(self.backward, destination, origins, when, priority)


# Free-flow speeds (km/h) by OSM highway class for inner-city Ho Chi Minh City, where the map gives none.
CITY_HIGHWAY_KMH: dict[str, float] = {
    "motorway": 70, "trunk": 50, "primary": 40, "secondary": 35, "tertiary": 30, "unclassified": 25,
    "residential": 20, "living_street": 10, "service": 15,
}


# What an ambulance drives on; footways, steps, tracks and the like are left out of .pbf extracts.
DRIVABLE_HIGHWAYS = (*CITY_HIGHWAY_KMH, "motorway_link", "trunk_link", "primary_link", "secondary_link",
                     "tertiary_link", "road")


def load_road_graph(path: str | Path) -> nx.MultiDiGraph:
    """A road graph with `travel_time` on every edge, from a GraphML file (e.g. saved by osmnx), an OSM XML
    extract (.osm, .xml, optionally .bz2) or an OSM PBF extract (.pbf, e.g. Geofabrik's Vietnam file)."""
    with needs("roads"):
        import osmnx as ox

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(path)
    if path.suffix.lower() == ".graphml":
        graph = ox.load_graphml(path)
    elif path.suffix.lower() == ".pbf":
        with tempfile.TemporaryDirectory() as folder:
            roads = Path(folder) / "roads.osm"
            _drivable_roads_as_xml(path, roads)
            graph = ox.graph_from_xml(roads, simplify=True, retain_all=False)
    else:
        graph = ox.graph_from_xml(path, simplify=True, retain_all=False)
    if any(seconds is None for _u, _v, seconds in graph.edges(data="travel_time")):
        graph = ox.add_edge_speeds(graph, hwy_speeds=CITY_HIGHWAY_KMH, fallback=20)
        graph = ox.add_edge_travel_times(graph)
    return graph


def _drivable_roads_as_xml(pbf: Path, xml: Path) -> None:
    """The drivable ways of a .pbf extract with the nodes they use, as OSM XML for osmnx (which reads no PBF)."""
    with needs("roads"):
        import osmium

    drivable = osmium.filter.TagFilter(*(("highway", kind) for kind in DRIVABLE_HIGHWAYS))
    with osmium.BackReferenceWriter(str(xml), ref_src=str(pbf), remove_tags=False) as writer:
        for way in osmium.FileProcessor(str(pbf), osmium.osm.WAY).with_filter(drivable):
            writer.add_way(way)
