#!/usr/bin/env python3
"""Build the offline base map, opscenter/static/opscenter/map/basemap.geojson, from the dvhcvn outlines.

Input: the district-level (level 2) polygons of the three former provinces that form today's Ho Chi Minh City,
as published by daohoangson/dvhcvn (GPL-3.0) in `data/gis/<code>.json`: 79 (Hồ Chí Minh City), 74 (Bình Dương)
and 77 (Bà Rịa – Vũng Tàu). Give a folder holding them as `dvhcvn-79.json`, `dvhcvn-74.json`, `dvhcvn-77.json`
(or `79.json`...); without one, the files are downloaded from the pinned commit below.

Output: one GeoJSON FeatureCollection, WGS 84, with
- one feature `{"kind": "city", "name": "Thành phố Hồ Chí Minh"}`: the union of the three provinces;
- one feature per former district `{"kind": "former_district", "code", "name", "province"}` (the outlines
  before 1 July 2025, shown as faint reference);
and the source and licence as members of the collection.

The districts are simplified together as a coverage (shapely.coverage_simplify, a Visvalingam–Whyatt variant), so
neighbours keep one shared border and no gaps open between them; the city outline is the union of the simplified
districts. The tolerance is about the square root of the largest triangle area dropped: the default 0.001 degree
drops bends of some 12,000 m² (a 120 m bump on a 200 m stretch), fine for a faint reference up to street zoom,
and brings the file to about 120 KB. Coordinates are rounded to 4 decimals (about 11 m).

Needs shapely 2.1 or later (it comes with the `roads` extra, so with `pip install -e '.[dev]'`):

    .venv/bin/python scripts/build_basemap.py [SOURCE_DIR] [--tolerance 0.001] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "opscenter" / "static" / "opscenter" / "map" / "basemap.geojson"
PROVINCES = ("79", "74", "77")
COMMIT = "4b1b6b59c5880c620722663bcb48c5c105364be5"
RAW_URL = "https://raw.githubusercontent.com/daohoangson/dvhcvn/{commit}/data/gis/{code}.json"
CITY_NAME = "Thành phố Hồ Chí Minh"
DECIMALS = 4


def load_province(source: Path | None, code: str) -> dict[str, Any]:
    if source is None:
        url = RAW_URL.format(commit=COMMIT, code=code)
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.load(response)
    for name in (f"dvhcvn-{code}.json", f"{code}.json"):
        if (source / name).exists():
            return json.loads((source / name).read_text(encoding="utf-8"))
    raise SystemExit(f"{source} has neither dvhcvn-{code}.json nor {code}.json")


def polygons(geometry: Any) -> list[Polygon]:
    """The polygons of a geometry, dropping what simplification or repair left as lines or points."""
    if isinstance(geometry, Polygon):
        return [geometry] if not geometry.is_empty else []
    return [g for part in getattr(geometry, "geoms", []) for g in polygons(part)]


def rounded(geometry: Any) -> dict[str, Any]:
    """GeoJSON geometry (always a MultiPolygon) with rounded coordinates and closed rings kept closed."""

    def ring(coords: Any) -> list[list[float]]:
        out: list[list[float]] = []
        for x, y in coords:
            point = [round(x, DECIMALS), round(y, DECIMALS)]
            if not out or out[-1] != point:
                out.append(point)
        return out

    parts = []
    for poly in polygons(geometry):
        rings = [ring(poly.exterior.coords), *(ring(r.coords) for r in poly.interiors)]
        rings = [r for r in rings if len(r) >= 4]
        if rings and len(rings[0]) >= 4:
            parts.append(rings)
    return {"type": "MultiPolygon", "coordinates": parts}


def build(source: Path | None, tolerance: float) -> dict[str, Any]:
    districts: list[dict[str, Any]] = []
    for code in PROVINCES:
        province = load_province(source, code)
        for level2 in province["level2s"]:
            geometry = shape({"type": "MultiPolygon", "coordinates": level2["coordinates"]})
            if not geometry.is_valid:
                geometry = shapely.make_valid(geometry)
            districts.append({"code": level2["level2_id"], "name": level2["name"], "province": province["name"],
                              "geometry": geometry})
    geometries = [d["geometry"] for d in districts]
    if not shapely.coverage_is_valid(geometries):
        # Overlapping neighbours: simplify one by one (borders may then part by up to the tolerance).
        simplified = [g.simplify(tolerance, preserve_topology=True) for g in geometries]
    else:
        simplified = list(shapely.coverage_simplify(geometries, tolerance))
    city = MultiPolygon(polygons(shapely.union_all(simplified)))
    features = [{"type": "Feature", "properties": {"kind": "city", "name": CITY_NAME}, "geometry": rounded(city)}]
    for district, geometry in zip(districts, simplified, strict=True):
        features.append({
            "type": "Feature",
            "properties": {"kind": "former_district", "code": district["code"], "name": district["name"],
                           "province": district["province"]},
            "geometry": rounded(geometry),
        })
    return {
        "type": "FeatureCollection",
        "name": "Thành phố Hồ Chí Minh: ranh giới thành phố và các quận, huyện trước 1/7/2025",
        "source": f"daohoangson/dvhcvn, data/gis/{{79,74,77}}.json at commit {COMMIT} "
                  "(https://github.com/daohoangson/dvhcvn), from the government GIS portal",
        "license": "GPL-3.0 (LICENSE-dvhcvn next to this file)",
        "generator": f"scripts/build_basemap.py --tolerance {tolerance}",
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path,
                        help="folder with dvhcvn-79.json, dvhcvn-74.json, dvhcvn-77.json (default: download)")
    parser.add_argument("--tolerance", type=float, default=0.001,
                        help="simplification tolerance in degrees (default 0.001; see above)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    collection = build(args.source, args.tolerance)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    points = sum(len(r) for f in collection["features"] for p in f["geometry"]["coordinates"] for r in p)
    print(f"{args.output}: {len(collection['features'])} features, {points} points, {len(text) // 1024} KB",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
