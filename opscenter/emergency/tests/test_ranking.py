"""Routing and ranking on small hand-built networks where the right answer is known (no database)."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from opscenter.emergency.ranking import (
    DestinationWeights,
    HospitalState,
    Vehicle,
    rank_ambulances,
    rank_hospitals,
    summarise,
)
from opscenter.emergency.routing import (
    RoadNetworkModel,
    SpeedProfile,
    StraightLineModel,
    haversine_m,
    load_road_graph,
    valid_point,
)

NOON = dt.datetime(2025, 7, 1, 12, 0)
NIGHT = dt.datetime(2025, 7, 1, 2, 0)
RUSH = dt.datetime(2025, 7, 1, 17, 30)
# A profile with no rush hour and no siren bonus, so expected seconds are plain edge sums.
FLAT = SpeedProfile(night_kmh=30, day_kmh=30, rush_kmh=30, siren_factor=1.0)


def river_city() -> nx.DiGraph:
    """Two banks of a river (west x=0, east x=0.01 degrees) joined by one bridge in the far south.

    Nodes are named by bank and row; each street block takes 60 s, the bridge 60 s."""
    g = nx.DiGraph()
    for bank, lon in (("W", 106.70), ("E", 106.71)):
        for row in range(5):
            g.add_node(f"{bank}{row}", x=lon, y=10.80 - row * 0.01)
        for row in range(4):
            g.add_edge(f"{bank}{row}", f"{bank}{row + 1}", travel_time=60)
            g.add_edge(f"{bank}{row + 1}", f"{bank}{row}", travel_time=60)
    g.add_edge("W4", "E4", travel_time=60)
    g.add_edge("E4", "W4", travel_time=60)
    return g


def at(g: nx.DiGraph, node: str) -> tuple[float, float]:
    return g.nodes[node]["y"], g.nodes[node]["x"]


def test_haversine_one_degree_of_latitude():
    assert haversine_m((10.0, 106.0), (11.0, 106.0)) == pytest.approx(111_195, rel=1e-3)


@pytest.mark.parametrize(("lat", "lon", "ok"), [
    (10.7, 106.7, True), (91, 106.7, False), (10.7, 181, False), (float("nan"), 1, False), (True, 1, False),
])
def test_valid_point(lat, lon, ok):
    assert valid_point(lat, lon) is ok


def test_straight_line_is_slower_in_rush_hour_and_faster_with_siren():
    model = StraightLineModel()
    a, b = (10.77, 106.70), (10.80, 106.70)
    noon, rush, night = (model.times(a, [b], when=w, priority=3)[0] for w in (NOON, RUSH, NIGHT))
    assert rush > noon > night
    assert model.times(a, [b], when=NOON, priority=1)[0] == pytest.approx(noon / 1.2)
    # 3.34 km × 1.35 detour at 22 km/h
    assert noon == pytest.approx(haversine_m(a, b) * 1.35 / (22 / 3.6))


def test_road_model_goes_round_by_the_bridge():
    g = river_city()
    model = RoadNetworkModel(g, profile=FLAT)
    # From W0 to E0: down the west bank (4 blocks), the bridge, up the east bank (4 blocks).
    assert model.times(at(g, "W0"), [at(g, "E0")], when=NOON)[0] == pytest.approx(9 * 60)
    assert model.times(at(g, "W0"), [at(g, "W3")], when=NOON)[0] == pytest.approx(3 * 60)


def test_nearest_ambulance_by_road_is_not_the_nearest_as_the_crow_flies():
    g = river_city()
    scene = at(g, "W0")
    vehicles = [Vehicle("ACROSS", at(g, "E0")), Vehicle("SAME-BANK", at(g, "W3"))]
    by_road = rank_ambulances(RoadNetworkModel(g, profile=FLAT), scene, vehicles, when=NOON)
    assert [v.code for v in by_road] == ["SAME-BANK", "ACROSS"]
    assert by_road[0].seconds == pytest.approx(180)
    as_the_crow_flies = rank_ambulances(StraightLineModel(), scene, vehicles, when=NOON)
    assert [v.code for v in as_the_crow_flies] == ["ACROSS", "SAME-BANK"]


def test_one_way_streets_are_searched_towards_the_scene():
    """A ring of one-way streets: from the vehicle to the scene is one block; back would be three."""
    g = nx.DiGraph()
    corners = {"A": (10.80, 106.70), "B": (10.80, 106.71), "C": (10.79, 106.71), "D": (10.79, 106.70)}
    for name, (lat, lon) in corners.items():
        g.add_node(name, x=lon, y=lat)
    for u, v in (("A", "B"), ("B", "C"), ("C", "D"), ("D", "A")):
        g.add_edge(u, v, travel_time=100)
    model = RoadNetworkModel(g, profile=FLAT)
    assert model.times_to(corners["B"], [corners["A"]], when=NOON) == [pytest.approx(100)]
    assert model.times(corners["B"], [corners["A"]], when=NOON) == [pytest.approx(300)]


def test_unreachable_vehicles_are_left_out():
    g = river_city()
    g.add_node("ISLAND", x=106.75, y=10.75)
    vehicles = [Vehicle("STRANDED", at(g, "ISLAND")), Vehicle("OK", at(g, "W1"))]
    ranked = rank_ambulances(RoadNetworkModel(g, profile=FLAT), at(g, "W0"), vehicles, when=NOON)
    assert [v.code for v in ranked] == ["OK"]


def test_snapping_adds_the_walk_to_the_road():
    g = river_city()
    model = RoadNetworkModel(g, profile=FLAT, access_kmh=10)
    off_road = (10.80, 106.701)  # about 110 m east of W0
    seconds = model.times(off_road, [at(g, "W1")], when=NOON)[0]
    assert seconds == pytest.approx(60 + haversine_m(off_road, at(g, "W0")) / (10 / 3.6), rel=0.01)


def test_parallel_roads_keep_the_fastest():
    g = nx.MultiDiGraph()
    g.add_node(1, x=106.70, y=10.80)
    g.add_node(2, x=106.71, y=10.80)
    g.add_edge(1, 2, travel_time=300)
    g.add_edge(1, 2, travel_time=120)
    assert RoadNetworkModel(g, profile=FLAT).times((10.80, 106.70), [(10.80, 106.71)])[0] == pytest.approx(120)


def hospital(code, lon, **kw):
    return HospitalState(code=code, position=(10.80, lon), capabilities=frozenset(kw.pop("caps", ["general"])),
                         ed_free=kw.pop("ed_free", 5), icu_free=kw.pop("icu_free", 2), **kw)


def line_model():
    """Hospitals along one street east of the scene; each 0.01 degree of longitude is 60 s."""
    g = nx.DiGraph()
    for i in range(6):
        g.add_node(i, x=106.70 + i * 0.01, y=10.80)
        if i:
            g.add_edge(i - 1, i, travel_time=60)
            g.add_edge(i, i - 1, travel_time=60)
    return RoadNetworkModel(g, profile=FLAT)


SCENE = (10.80, 106.70)


def test_nearest_able_hospital_first_and_capability_required_when_not_time_critical():
    hospitals = [hospital("NEAR", 106.71), hospital("STROKE", 106.73, caps=["stroke"]), hospital("FAR", 106.75)]
    assert [h.code for h in rank_hospitals(line_model(), SCENE, hospitals, when=NOON)] == ["NEAR", "STROKE", "FAR"]
    # A priority-3 call: the capable hospitals only, by effective arrival.
    ranked = rank_hospitals(line_model(), SCENE, hospitals, need="stroke", when=NOON, priority=3)
    assert [h.code for h in ranked] == ["STROKE"] and ranked[0].travel_seconds == pytest.approx(180)
    assert not ranked[0].preferred and ranked[0].reasons == ()
    # Burns are never time-critical here (stabilise first, then transfer): capability required, also at P1.
    burns = [hospital("NEAR", 106.71), hospital("BURNS", 106.74, caps=["burns"])]
    assert [h.code for h in rank_hospitals(line_model(), SCENE, burns, need="burns", when=NOON, priority=1)] \
        == ["BURNS"]


def heart_attack_city():
    """Two busy general hospitals near the scene, the heart institute (cath lab) further, with its ICU full and
    a crowded emergency room: by effective arrival alone it would come last."""
    return [
        hospital("GENERAL-1", 106.71, er_waiting=6),
        hospital("GENERAL-2", 106.72, er_waiting=10, icu_free=0),
        hospital("HEART", 106.74, caps=["cardiac"], icu_free=0, er_waiting=12),
    ]


def test_a_heart_attack_goes_to_the_cath_lab_before_nearer_hospitals_without_one():
    by_score = rank_hospitals(line_model(), SCENE, heart_attack_city(), when=NOON, priority=1)
    assert [h.code for h in by_score] == ["GENERAL-1", "GENERAL-2", "HEART"]  # what a general call gets
    ranked = rank_hospitals(line_model(), SCENE, heart_attack_city(), need="cardiac", when=NOON, priority=1)
    assert [h.code for h in ranked] == ["HEART", "GENERAL-1", "GENERAL-2"]
    heart, general = ranked[0], ranked[1]
    assert heart.preferred and heart.reasons[0] == "capable" and heart.extra_seconds == pytest.approx(180)
    assert "no_icu_bed" in heart.reasons and "crowded" in heart.reasons  # still said, still priced
    assert heart.score_seconds > general.score_seconds  # first by capability, not by score
    assert not general.preferred and general.reasons[0] == "no_capability"


@pytest.mark.parametrize("need", ["cardiac", "stroke", "trauma", "obstetrics", "paediatrics"])
@pytest.mark.parametrize("priority", [1, 2])
def test_every_time_critical_need_puts_the_capable_hospital_first(need, priority):
    hospitals = [hospital("NEAR", 106.71), hospital("CAPABLE", 106.75, caps=[need], er_waiting=20)]
    ranked = rank_hospitals(line_model(), SCENE, hospitals, need=need, when=NOON, priority=priority)
    assert [h.code for h in ranked] == ["CAPABLE", "NEAR"]
    # The same call at priority 3 is not time-critical: only capable hospitals, by effective arrival.
    assert [h.code for h in rank_hospitals(line_model(), SCENE, hospitals, need=need, when=NOON, priority=3)] \
        == ["CAPABLE"]


def test_a_capable_hospital_on_diversion_or_without_a_bed_is_not_put_first():
    diverting = [hospital("NEAR", 106.71), hospital("HEART", 106.72, caps=["cardiac"], on_diversion=True)]
    ranked = rank_hospitals(line_model(), SCENE, diverting, need="cardiac", when=NOON, priority=1)
    assert [h.code for h in ranked] == ["NEAR", "HEART"]
    assert not ranked[1].preferred and "capable" not in ranked[1].reasons and "diversion" in ranked[1].reasons
    full = [hospital("NEAR", 106.73), hospital("HEART", 106.71, caps=["cardiac"], ed_free=0)]
    ranked = rank_hospitals(line_model(), SCENE, full, need="cardiac", when=NOON, priority=1)
    # No bed: back among the others at its effective arrival (60 s + 20 min) behind a free one 3 min away.
    assert [h.code for h in ranked] == ["NEAR", "HEART"]
    assert not ranked[1].preferred and ranked[1].reasons == ("no_ed_bed",)
    # A hospital that has not reported is not known to be full: it keeps its place (and its small price).
    silent = [hospital("NEAR", 106.71), hospital("HEART", 106.73, caps=["cardiac"], ed_free=None)]
    ranked = rank_hospitals(line_model(), SCENE, silent, need="cardiac", when=NOON, priority=1)
    assert ranked[0].code == "HEART" and ranked[0].reasons == ("capable", "capacity_unknown")


def test_a_capable_hospital_beyond_the_detour_limit_is_not_put_first():
    hospitals = [hospital("NEAR", 106.71), hospital("STROKE", 106.75, caps=["stroke"])]
    limit = DestinationWeights(max_detour_s=3 * 60)  # the stroke unit is 4 min further than the nearest
    ranked = rank_hospitals(line_model(), SCENE, hospitals, need="stroke", when=NOON, priority=1, weights=limit)
    assert [h.code for h in ranked] == ["NEAR", "STROKE"]
    assert ranked[1].reasons == ("too_far",) and ranked[1].extra_seconds == pytest.approx(240)
    enough = DestinationWeights(max_detour_s=4 * 60)  # exactly at the limit: still first
    assert rank_hospitals(line_model(), SCENE, hospitals, need="stroke", when=NOON, priority=1,
                          weights=enough)[0].code == "STROKE"


def test_the_detour_is_counted_from_the_nearest_hospital_not_on_diversion():
    hospitals = [hospital("DIVERT", 106.71, on_diversion=True), hospital("OPEN", 106.72),
                 hospital("TRAUMA", 106.74, caps=["trauma"])]
    limit = DestinationWeights(max_detour_s=2 * 60)  # 3 min beyond the diverting one, 2 beyond the open one
    ranked = rank_hospitals(line_model(), SCENE, hospitals, need="trauma", when=NOON, priority=1, weights=limit)
    assert [h.code for h in ranked] == ["TRAUMA", "OPEN", "DIVERT"]
    assert ranked[0].extra_seconds == pytest.approx(120)


def test_time_critical_rule_is_configurable():
    weights = DestinationWeights.from_mapping({"time_critical_needs": ["cardiac"], "time_critical_priorities": [1],
                                               "max_detour_s": 900})
    assert weights.time_critical("cardiac", 1) and not weights.time_critical("cardiac", 2)
    assert not weights.time_critical("stroke", 1) and not weights.time_critical(None, 1)
    assert weights.max_detour_s == 900
    for bad in ({"time_critical_needs": ["heart"]}, {"time_critical_needs": "cardiac"},
                {"time_critical_priorities": [0]}, {"time_critical_priorities": [True]}, {"max_detour_s": -1}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            DestinationWeights.from_mapping(bad)


def test_a_full_emergency_department_is_worth_a_detour():
    hospitals = [hospital("FULL", 106.71, ed_free=0), hospital("FREE", 106.73)]
    ranked = rank_hospitals(line_model(), SCENE, hospitals, when=NOON)
    assert [h.code for h in ranked] == ["FREE", "FULL"]
    assert ranked[1].reasons == ("no_ed_bed",)
    assert ranked[1].score_seconds == pytest.approx(60 + 20 * 60)
    # ... but not one of an hour.
    far = [hospital("FULL", 106.71, ed_free=0), hospital("FREE", 106.75)]
    weights = DestinationWeights(no_ed_bed_s=2 * 60)
    assert rank_hospitals(line_model(), SCENE, far, when=NOON, weights=weights)[0].code == "FULL"


def test_no_icu_bed_counts_for_priority_one_only():
    hospitals = [hospital("NO-ICU", 106.71, icu_free=0), hospital("ICU", 106.74)]
    assert rank_hospitals(line_model(), SCENE, hospitals, when=NOON, priority=1)[0].code == "ICU"
    assert rank_hospitals(line_model(), SCENE, hospitals, when=NOON, priority=3)[0].code == "NO-ICU"


def test_camera_crowd_counts_when_the_waiting_room_fills_after_the_report():
    quiet_report = [hospital("NEAR", 106.71, er_waiting=1), hospital("OTHER", 106.72)]
    assert rank_hospitals(line_model(), SCENE, quiet_report, when=NOON)[0].code == "NEAR"
    packed = [hospital("NEAR", 106.71, er_waiting=2, crowd=100), hospital("OTHER", 106.72)]
    ranked = rank_hospitals(line_model(), SCENE, packed, when=NOON)
    assert [h.code for h in ranked] == ["OTHER", "NEAR"] and "crowded" in ranked[1].reasons
    assert ranked[1].score_seconds == pytest.approx(60 + 40 * 30)  # 100 people ≈ 40 patients × 30 s


def test_diverting_hospitals_come_last_but_stay_listed():
    hospitals = [hospital("DIVERT", 106.71, on_diversion=True), hospital("OPEN", 106.75)]
    ranked = rank_hospitals(line_model(), SCENE, hospitals, when=NOON)
    assert [(h.code, h.on_diversion) for h in ranked] == [("OPEN", False), ("DIVERT", True)]
    assert ranked[1].reasons == ("diversion",)


def test_unknown_capacity_costs_a_little():
    hospitals = [hospital("SILENT", 106.71, ed_free=None, icu_free=None), hospital("REPORTED", 106.72)]
    ranked = rank_hospitals(line_model(), SCENE, hospitals, when=NOON)
    assert [h.code for h in ranked] == ["REPORTED", "SILENT"] and ranked[1].reasons == ("capacity_unknown",)


def test_summary_uses_the_nearest_rank_percentile():
    assert summarise([]).count == 0 and summarise([]).p90 is None
    s = summarise(range(1, 11))
    assert (s.count, s.mean, s.p90) == (10, 5.5, 9)
    assert summarise([5]).p90 == 5


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="10.7700" lon="106.7000" version="1"/>
  <node id="2" lat="10.7700" lon="106.7100" version="1"/>
  <node id="3" lat="10.7800" lon="106.7100" version="1"/>
  <way id="10" version="1">
    <nd ref="1"/><nd ref="2"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="36"/>
  </way>
  <way id="11" version="1">
    <nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/>
  </way>
</osm>
"""


def test_an_openstreetmap_extract_becomes_a_routable_graph(tmp_path):
    import osmnx as ox

    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML)
    graph = load_road_graph(path)
    model = RoadNetworkModel(graph, profile=SpeedProfile(night_kmh=30, day_kmh=30, siren_factor=1.0))
    first_leg = haversine_m((10.77, 106.70), (10.77, 106.71)) / 10  # 36 km/h = 10 m/s, from the map's maxspeed
    assert model.times((10.77, 106.70), [(10.77, 106.71)], when=NOON)[0] == pytest.approx(first_leg, rel=0.02)
    # The residential street is one-way north: there is no way back south.
    assert model.times((10.78, 106.71), [(10.77, 106.71)], when=NOON) == [None]
    # Saved as GraphML (what a deployment keeps), it loads with the same travel times.
    ox.save_graphml(graph, tmp_path / "tiny.graphml")
    again = RoadNetworkModel(load_road_graph(tmp_path / "tiny.graphml"), profile=model.profile)
    assert again.times((10.77, 106.70), [(10.78, 106.71)], when=NOON) == pytest.approx(
        model.times((10.77, 106.70), [(10.78, 106.71)], when=NOON))


def test_a_pbf_extract_gives_the_same_roads_without_the_footpaths(tmp_path):
    import osmium

    # A footpath straight back south from node 3 to node 2: an ambulance cannot take it.
    footpath = """  <way id="12" version="1">
    <nd ref="3"/><nd ref="2"/>
    <tag k="highway" v="footway"/>
  </way>
  <node id="4" lat="10.7900" lon="106.7200" version="1"><tag k="amenity" v="cafe"/></node>
</osm>"""
    xml = tmp_path / "city.osm"
    xml.write_text(OSM_XML.replace("</osm>", footpath))
    pbf = tmp_path / "city.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:  # what Geofabrik ships: binary PBF
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    profile = SpeedProfile(night_kmh=30, day_kmh=30, siren_factor=1.0)
    from_pbf = RoadNetworkModel(load_road_graph(pbf), profile=profile)
    roads_only = tmp_path / "roads.osm"
    roads_only.write_text(OSM_XML)
    from_xml = RoadNetworkModel(load_road_graph(roads_only), profile=profile)
    assert from_pbf.times((10.77, 106.70), [(10.78, 106.71)], when=NOON) == pytest.approx(
        from_xml.times((10.77, 106.70), [(10.78, 106.71)], when=NOON))
    assert from_pbf.times((10.78, 106.71), [(10.77, 106.71)], when=NOON) == [None]  # not by the footpath


def test_missing_graph_file_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_road_graph(tmp_path / "nowhere.graphml")
