"""The demo: idempotent seed of six cameras per pilot hospital, and ticks that move the wall through the services."""

from __future__ import annotations

import pytest

from opscenter.vision import demo
from opscenter.vision.models import Camera, VisionEvent, ZoneCount


@pytest.fixture(autouse=True)
def _no_leftover_incidents():
    demo._open.clear()
    yield
    demo._open.clear()


def test_seed_registers_six_cameras_per_pilot_hospital_once(city, vtest):
    assert demo.seed() == 6  # hospital A is the pilot one
    assert demo.seed() == 0
    cameras = Camera.objects.filter(unit=city.hospital_a)
    assert sorted(cameras.values_list("location_kind", flat=True)) == sorted(
        ["emergency_waiting", "operating_corridor", "isolation_ward", "entrance", "parking", "corridor"])
    assert all(c.status == "online" and c.latest_frame and c.version == 1 for c in cameras)
    assert not Camera.objects.filter(unit=city.hospital_b).exists()


def test_without_footage_the_demo_cameras_say_so(city, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "VTEST", tmp_path / "missing.avi")
    demo.footage.cache_clear()
    try:
        demo.seed()
        assert set(Camera.objects.values_list("status", "status_reason")) == {("offline", "no demo footage")}
        demo.tick()
        assert not ZoneCount.objects.exists()
    finally:
        demo.footage.cache_clear()


def test_ticks_publish_counts_and_incidents_with_snapshots(city, vtest, monkeypatch):
    demo.seed()
    monkeypatch.setattr(demo, "EVENT_CHANCE", 1.0)
    for _ in range(8):
        demo.tick()
    assert ZoneCount.objects.exists()
    events = VisionEvent.objects.all()
    assert events.count() == 8
    assert all(e.snapshot and e.boxes for e in events) and any(e.alert_id for e in events)
    still_open = set(demo._open)
    assert all(e.ended_at is not None for e in events if e.event_id not in still_open)
    monkeypatch.setattr(demo, "INCIDENT_SECONDS", -1)  # every open demo incident ends at the next tick
    monkeypatch.setattr(demo, "EVENT_CHANCE", 0.0)
    demo.tick()
    assert not demo._open and all(e.ended_at is not None for e in VisionEvent.objects.all())
