"""The camera AI lists' query filters, through HTTP: each narrows the scoped list; a bad value is a 422 naming it.
(The watch-list's `active` is followed through adding and withdrawing in test_watchlist.)"""

from __future__ import annotations

import datetime as dt
import time

from opscenter.alerts import services as alerts_services
from opscenter.org.roles import Role
from opscenter.testing import listed, refused
from opscenter.vision import services

from .conftest import camera_json, event_message

JSON = "application/json"


def _register(client, code: str, unit: str) -> None:
    response = client.post("/api/vision/cameras", camera_json(code, unit), content_type=JSON)
    assert response.status_code == 201, response.content


def test_camera_and_event_filters(city, api_client):
    security_a, security_b = api_client(Role.SECURITY, "A"), api_client(Role.SECURITY, "B")
    _register(security_a, "CAM-A1", "BV-A")
    _register(security_a, "CAM-A2", "BV-A")
    _register(security_b, "CAM-B1", "BV-B")
    assert security_a.post("/api/vision/ingest/health", {"camera": "CAM-A2", "status": "offline", "reason": "no"},
                           content_type=JSON).status_code == 200
    for camera in ("CAM-A1", "CAM-A2", "CAM-B1"):
        services.ingest(None, event_message(camera=camera, kind="barrier"))
    admin = api_client(Role.ADMIN)

    def cameras(**params):
        return {c["code"] for c in listed(admin, "/api/vision/cameras", **params)}

    assert cameras() == {"CAM-A1", "CAM-A2", "CAM-B1"}
    assert cameras(unit="BV-B") == {"CAM-B1"}
    assert cameras(status="offline") == {"CAM-A2"}
    assert cameras(unit="BV-A", status="") == {"CAM-A1", "CAM-A2"}
    assert {c["code"] for c in listed(security_a, "/api/vision/cameras", unit="BV-B")} == set()  # scope first

    def events(**params):
        return sorted(e["camera"] for e in listed(admin, "/api/vision/events", **params))

    assert events() == ["CAM-A1", "CAM-A2", "CAM-B1"]
    assert events(camera="CAM-A2") == ["CAM-A2"]
    assert events(unit="BV-B") == ["CAM-B1"]
    assert events(kind="barrier") == events() and events(kind="fall") == []
    assert listed(security_b, "/api/vision/events", camera="CAM-A1") == []

    for url, name in (("/api/vision/cameras", "unit"), ("/api/vision/cameras", "status"),
                      ("/api/vision/events", "camera"), ("/api/vision/events", "kind"), ("/api/vision/events", "unit")):
        assert name in refused(admin, url, **{name: "a\x00b"}), (url, name)


def test_zone_count_filters(city, api_client):
    security = api_client(Role.SECURITY, "A")
    _register(security, "CAM-A1", "BV-A")
    now = time.time()
    for at, counts in ((now - 5 * 3600, {"waiting": 4, "entrance": 1}), (now, {"waiting": 9, "entrance": 2})):
        response = security.post("/api/vision/ingest/counts", {"camera": "CAM-A1", "time": at, "counts": counts},
                                 content_type=JSON)
        assert response.status_code == 201, response.content
    url = "/api/vision/cameras/CAM-A1/counts"

    def counts(**params):
        return sorted((c["zone"], c["count"]) for c in listed(security, url, **params))

    assert counts() == [("entrance", 1), ("entrance", 2), ("waiting", 4), ("waiting", 9)]
    assert counts(zone="waiting") == [("waiting", 4), ("waiting", 9)]
    assert counts(hours=1) == [("entrance", 2), ("waiting", 9)]
    assert counts(zone="entrance", hours=1) == [("entrance", 2)]
    assert "zone" in refused(security, url, zone="a\x00b")
    assert "hours" in refused(security, url, hours="inf")
    assert "hours" in refused(security, url, hours=0)


def test_watchlist_filter_refuses_a_bad_value(city, api_client):
    assert "active" in refused(api_client(Role.SECURITY, "A"), "/api/vision/watchlist", active="maybe")


def test_the_events_page_filters_with_its_form(city, api_client, today):
    security = api_client(Role.SECURITY, "A")
    _register(security, "CAM-A1", "BV-A")
    _register(security, "CAM-A2", "BV-A")
    barrier, _stored = services.ingest(None, event_message(camera="CAM-A1", kind="barrier"))
    services.ingest(None, event_message(camera="CAM-A2", kind="loitering", dwell_seconds=400))
    assert barrier.alert is not None
    alerts_services.resolve(city.user(Role.SECURITY, "A"), barrier.alert, resolution="false_alarm")

    def shown(**params) -> int:
        return security.get("/vision/events/", params).content.decode().count("data-event=")

    total = shown()
    assert total == 2
    assert shown(camera="CAM-A2") == 1 and shown(kind="barrier") == 1
    assert shown(alert="false_alarm") == 1
    assert shown(alert="open") + shown(alert="none") == 1  # the loitering event, with or without an alert
    assert shown(since=today.isoformat()) == 2 and shown(until=(today - dt.timedelta(days=1)).isoformat()) == 0
    assert shown(camera="", kind="") == 2
    page = security.get("/vision/events/", {"since": "0001-01-01", "kind": "barrier"}).content.decode()
    assert page.count("data-event=") == 2 and 'aria-describedby="id_since_error"' in page
