"""The offline base map: the GeoJSON of the city and its former districts is served as a static file, with its
source and licence, and scripts/build_basemap.py makes one from dvhcvn-shaped outlines."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.templatetags.static import static

ROOT = Path(__file__).resolve().parents[3]


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def test_the_base_map_is_served_as_geojson_with_named_outlines(client):
    response, body = _get(client, static("opscenter/map/basemap.geojson"))
    assert response["Content-Type"].startswith("application/geo+json")
    assert len(body) < 400_000  # small enough to load with every map page
    data = json.loads(body)
    assert data["type"] == "FeatureCollection"
    assert "dvhcvn" in data["source"] and "GPL-3.0" in data["license"]

    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("city") == 1
    assert kinds.count("former_district") == 39  # 22 of the old city, 9 of Bình Dương, 8 of Bà Rịa – Vũng Tàu
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"Thành phố Hồ Chí Minh", "Quận 1", "Thành phố Thủ Đức", "Huyện Cần Giờ", "Thành phố Thủ Dầu Một",
            "Thành phố Vũng Tàu", "Huyện Côn Đảo"} <= names
    for feature in data["features"]:
        geometry = feature["geometry"]
        assert geometry["type"] == "MultiPolygon" and geometry["coordinates"], feature["properties"]
        for polygon in geometry["coordinates"]:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                # every point in and around the city, Côn Đảo included (lon, lat; WGS 84)
                assert all(105.9 < lon < 107.7 and 8.4 < lat < 11.7 for lon, lat in ring)


def test_the_licence_of_the_outlines_ships_next_to_them(client):
    _response, body = _get(client, static("opscenter/map/LICENSE-dvhcvn"))
    assert b"GNU GENERAL PUBLIC LICENSE" in body and b"Version 3" in body
    _response, body = _get(client, static("opscenter/map/README.md"))
    assert b"daohoangson/dvhcvn" in body and b"scripts/build_basemap.py" in body


def _square(x: float, y: float, size: float = 0.1, bend: float = 0.0001) -> list:
    """A square whose left and right sides bend out a little at mid-height, the same way for every square, so
    that neighbours share an identical three-point border (MultiPolygon nesting, counter-clockwise)."""
    x, y = round(x, 6), round(y, 6)
    right = round(x + size, 6)
    ring = [[x, y], [right, y], [right + bend, y + size / 2], [right, y + size], [x, y + size],
            [x + bend, y + size / 2], [x, y]]
    return [[ring]]


def test_the_build_script_merges_the_provinces_and_keeps_shared_borders(tmp_path):
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    spec = importlib.util.spec_from_file_location("build_basemap", ROOT / "scripts" / "build_basemap.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for i, code in enumerate(("79", "74", "77")):
        province = {"level1_id": code, "name": f"Tỉnh {code}", "level2s": [
            {"level2_id": f"{code}1", "name": f"Quận {code}-1", "coordinates": _square(106 + 0.2 * i, 10.5)},
            {"level2_id": f"{code}2", "name": f"Quận {code}-2", "coordinates": _square(106.1 + 0.2 * i, 10.5)},
        ]}
        (tmp_path / f"dvhcvn-{code}.json").write_text(json.dumps(province), encoding="utf-8")
    output = tmp_path / "basemap.geojson"

    assert module.main([str(tmp_path), "--tolerance", "0.005", "--output", str(output)]) == 0
    data = json.loads(output.read_text(encoding="utf-8"))
    assert "dvhcvn" in data["source"] and "GPL-3.0" in data["license"]
    city, *districts = data["features"]
    assert city["properties"] == {"kind": "city", "name": "Thành phố Hồ Chí Minh"}
    # six squares side by side make one rectangle, without holes
    outline = shape(city["geometry"])
    assert len(outline.geoms) == 1 and not outline.geoms[0].interiors
    assert outline.bounds == pytest.approx((106.0, 10.5, 106.6, 10.6))
    assert [d["properties"]["name"] for d in districts] == [f"Quận {c}-{n}" for c in ("79", "74", "77") for n in (1, 2)]
    assert districts[0]["properties"] == {"kind": "former_district", "code": "791", "name": "Quận 79-1",
                                          "province": "Tỉnh 79"}
    # the bends are under the tolerance: each district is simplified to its four corners, and neighbours
    # still meet exactly, without gap or overlap
    shapes = [shape(d["geometry"]) for d in districts]
    assert all(len(d["geometry"]["coordinates"][0][0]) == 5 for d in districts)
    assert shapely.coverage_is_valid(shapes)
    assert shapely.union_all(shapes).area == pytest.approx(0.06)
