"""From frame to alert: the pipeline's messages ingested through the API, exactly once, raising alerts."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from opscenter.alerts.models import Alert
from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.org.services import issue_token
from opscenter.vision.models import EventMessage, VisionEvent
from opscenter.vision.pipeline.config import parse_camera
from opscenter.vision.pipeline.run import analyze_video

from .conftest import camera_json
from .test_pipeline_footage import LAWN


def ingest(client, message, **headers):
    return client.post("/api/vision/ingest/events", message, content_type="application/json", **headers)


LAWN_CAMERA = camera_json(zones=[{"name": "lawn", "polygon": LAWN, "rules": [{"type": "barrier", "min_frames": 3}]}])


@functools.cache
def _lawn_pipeline_messages(vtest: Path) -> tuple[str, ...]:
    """The worker's messages (JSON) when people first walk onto the lawn: the same footage and camera give the
    same messages, so the half-minute analysis runs once for the tests that use them."""
    for index, result in analyze_video(parse_camera(LAWN_CAMERA), str(vtest), start=1_750_000_000.0):
        if index < 500:
            continue
        new = [e for e in result.events if e.kind == "barrier" and e.type == "new"]
        if new:
            return tuple(json.dumps(e.message()) for e in new)
    return ()


@pytest.fixture
def lawn_messages(vtest, security):
    assert security.post("/api/vision/cameras", LAWN_CAMERA, content_type="application/json").status_code == 201
    messages = [json.loads(m) for m in _lawn_pipeline_messages(vtest)]  # each test its own copies
    if not messages:
        pytest.fail("the pipeline saw nobody walk onto the lawn")
    return messages


@pytest.mark.slow
def test_barrier_event_is_stored_with_snapshot_and_raises_an_alert(client, city, lawn_messages):
    _token, key = issue_token("test", city.user(Role.SECURITY, "A"), "worker")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = ingest(client, lawn_messages[0], **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    event = VisionEvent.objects.get(pk=body["id"])
    assert event.kind == "barrier" and event.zone == "lawn" and event.snapshot
    alert = Alert.objects.get(pk=body["alert_id"])
    assert alert.source == "vision" and alert.severity == "critical" and alert.unit == city.hospital_a
    assert alert.rule.code == "vision_barrier" and alert.evidence_url == f"/vision/events/{event.pk}/"

    again = ingest(client, lawn_messages[0], **auth)  # the broker delivered it twice
    assert again.status_code == 200 and again.json()["stored"] is False
    assert EventMessage.objects.count() == 1 and Alert.objects.count() == 1

    from django.test import Client

    officer = Client()
    officer.force_login(city.user(Role.SECURITY, "A"))
    detail = officer.get(f"/api/vision/events/{event.pk}").json()
    assert detail["box"] and detail["boxes"] and detail["alert_status"] == "new"
    picture = officer.get(detail["snapshot_url"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert AuditLog.objects.filter(action="vision.footage.viewed", object_id=str(event.pk)).exists()
    outsider = Client()
    outsider.force_login(city.user(Role.SECURITY, "B"))
    assert outsider.get(detail["snapshot_url"]).status_code == 404


@pytest.mark.slow
def test_false_alarms_are_counted_per_camera_and_rule(api_client, city, lawn_messages):
    security = api_client(Role.SECURITY, "A")
    body = ingest(security, lawn_messages[0]).json()
    resolved = security.post(f"/api/alerts/{body['alert_id']}/resolve", {"resolution": "false_alarm"},
                             content_type="application/json")
    assert resolved.status_code == 200
    counts = security.get("/api/vision/false-alarms").json()
    assert counts == [{"camera": "CAM-A1", "camera_name": "Phòng chờ cấp cứu", "rule": "vision_barrier",
                       "alerts": 1, "false_alarms": 1, "false_alarm_share": 1.0}]


def test_bad_messages_name_the_field(security, camera):
    good = {"message_id": "m" * 32, "type": "new", "before": None,
            "after": {"id": "e1", "camera": "CAM-A1", "kind": "barrier", "frame_time": 1_750_000_000}}
    for change, field in [({"message_id": "x"}, "message_id"), ({"type": "maybe"}, "type"),
                          ({"after": {**good["after"], "kind": "ufo"}}, "after.kind"),
                          ({"after": {**good["after"], "camera": "NOPE"}}, "after.camera"),
                          ({"snapshot": "not base64!"}, "snapshot")]:
        response = ingest(security, {**good, **change})
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == field, change
    assert ingest(security, good).status_code == 201


def test_counts_make_a_time_series_and_reach_the_bus(security, camera):
    from opscenter.core import events

    seen = []
    handler = events.subscribe(lambda e: seen.append(e) if e.kind == "crowd.count" else None)
    try:
        r = security.post("/api/vision/ingest/counts", {"camera": "CAM-A1", "time": 1_750_000_000,
                                                        "counts": {"waiting": 12}, "trends": {"waiting": 1.5}},
                          content_type="application/json")
    finally:
        events._handlers.remove(handler)
    assert r.status_code == 201
    assert [(e.unit, e.payload["count"], e.payload["location_kind"]) for e in seen] == [
        ("BV-A", 12, "emergency_waiting")]
    bad = security.post("/api/vision/ingest/counts", {"camera": "CAM-A1", "time": 1, "counts": {"w": -1}},
                        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "counts"


def test_health_marks_a_camera_offline_with_the_reason(security, camera):
    r = security.post("/api/vision/ingest/health", {"camera": "CAM-A1", "status": "offline",
                                                    "reason": "cannot open stream"},
                      content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "offline"
    assert r.json()["status_reason"] == "cannot open stream"


def test_a_new_incident_raises_its_alert_through_its_rule_once(security, camera):
    """The alert comes from the analytic's rule (vision.rules, through the outbox), linked to the incident; the
    incident's later messages do not raise it again; a score under the rule's min_score raises nothing."""
    after = {"id": "e-rule", "camera": "CAM-A1", "kind": "barrier", "zone": "lawn", "frame_time": 1_750_000_000,
             "score": 0.9}
    first = ingest(security, {"message_id": "n" * 32, "type": "new", "before": None, "after": after}).json()
    alert = Alert.objects.get()
    assert first["alert_id"] == alert.pk and alert.kind == "camera_barrier" and alert.rule.code == "vision_barrier"
    assert VisionEvent.objects.get(pk=first["id"]).alert == alert and alert.payload["event"] == first["id"]
    update = {"message_id": "u" * 32, "type": "update", "before": after,
              "after": {**after, "frame_time": 1_750_000_005}}
    assert ingest(security, update).status_code == 201
    assert Alert.objects.get().occurrences == 1
    weak = {**after, "id": "e-weak", "kind": "weapon", "score": 0.1}  # vision_weapon wants 0.5
    assert ingest(security, {"message_id": "w" * 32, "type": "new", "before": None, "after": weak}).json()[
        "alert_id"] is None
    assert Alert.objects.count() == 1
