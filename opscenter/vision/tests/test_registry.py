"""The camera registry through the API: validation naming the field, versions, scope, idempotency."""

import pytest

from opscenter.core.models import AuditLog
from opscenter.org.roles import Role
from opscenter.vision.models import Camera

from .conftest import camera_json


def post(client, body):
    return client.post("/api/vision/cameras", body, content_type="application/json")


def test_security_officer_registers_a_camera_and_it_is_audited(security, city):
    response = post(security, camera_json())
    assert response.status_code == 201, response.content
    body = response.json()["camera"]
    assert body["unit"] == "BV-A" and body["version"] == 1 and body["status"] == "unknown"
    assert body["config"]["zones"][0]["name"] == "waiting"
    camera = Camera.objects.get(code="CAM-A1")
    assert AuditLog.objects.filter(action="vision.camera.registered", object_id=str(camera.pk)).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"zones": [{"name": "a", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]},
                {"name": "b", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]},
                {"name": "c", "polygon": [[0, 0], [1, 1]]}]}, "zones[2].polygon"),
    ({"zones": [{"name": "x", "polygon": [[0, 0], [1, 1], [1, 0], [0, 1]]}]}, "zones[0].polygon"),  # bow tie
    ({"zones": [{"name": "x", "polygon": [[0, 0], [1.5, 0], [1, 1]]}]}, "zones[0].polygon[1][0]"),
    ({"zones": [{"name": "x", "polygon": [[0, 0], [1, 0], [1, 1]], "rules": [{"type": "teleport"}]}]},
     "zones[0].rules[0].type"),
    ({"zones": [{"name": "x", "polygon": [[0, 0], [1, 0], [1, 1]],
                 "rules": [{"type": "loitering", "seconds": -3}]}]}, "zones[0].rules[0].seconds"),
    ({"zones": [{"name": "x", "polygon": [[0, 0], [1, 0], [1, 1]],
                 "rules": [{"type": "barrier", "schedule": [{"start": "25:00", "end": "06:00"}]}]}]},
     "zones[0].rules[0].schedule[0].start"),
    ({"lines": [{"name": "door", "points": [[0.5, 0], [0.5, 0]]}]}, "lines[0].points"),
    ({"lines": [{"name": "door", "points": [[0.5, 0], [0.5, 1]], "direction": "up"}]}, "lines[0].direction"),
    ({"fps": 0}, "fps"),
    ({"location_kind": "moon"}, "location_kind"),
    ({"unit": "NOPE"}, "unit"),
])
def test_invalid_configuration_is_refused_naming_the_field(security, change, field):
    response = post(security, camera_json(**change) if "unit" not in change else {**camera_json(), **change})
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["detail"]]
    assert not Camera.objects.exists()


def test_same_configuration_twice_changes_nothing_and_a_change_keeps_the_old_version(security, camera):
    again = post(security, camera_json())
    assert again.status_code == 200 and again.json()["changed"] is False
    zones = [{"name": "door", "polygon": [[0, 0], [0.5, 0], [0.5, 1]], "rules": [{"type": "barrier"}]}]
    changed = security.put("/api/vision/cameras/CAM-A1", {**camera_json(zones=zones), "comment": "door zone"},
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["camera"]["version"] == 2
    versions = security.get("/api/vision/cameras/CAM-A1/versions").json()
    assert [(v["version"], v["config"]["zones"][0]["name"]) for v in versions] == [(1, "waiting"), (2, "door")]
    assert versions[1]["comment"] == "door zone" and versions[1]["changed_by"] == "security_a"


def test_cameras_of_another_hospital_are_out_of_reach(api_client, camera):
    other = api_client(Role.SECURITY, "B")
    assert other.get("/api/vision/cameras").json() == []
    assert other.get("/api/vision/cameras/CAM-A1").status_code == 404
    assert post(other, camera_json(code="CAM-X")).status_code == 403  # registering at hospital A


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.HOSPITAL_MANAGER, Role.REPORTER, Role.DISPATCHER])
def test_footage_is_for_security_roles_only(api_client, camera, role):
    client = api_client(role, "A")
    assert client.get("/api/vision/cameras").status_code == 403
    assert client.get("/api/vision/events").status_code == 403


def test_department_security_sees_every_hospital(api_client, camera, city):
    admin = api_client(Role.ADMIN)
    assert [c["code"] for c in admin.get("/api/vision/cameras").json()] == ["CAM-A1"]


def test_disabling_needs_a_reason(security, camera):
    r = security.post("/api/vision/cameras/CAM-A1/disable", {"reason": " "}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = security.post("/api/vision/cameras/CAM-A1/disable", {"reason": "repainting"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert AuditLog.objects.filter(action="vision.camera.disabled").count() == 1


def test_weapons_analytic_says_not_available_without_a_weapon_model(security, camera):
    available = security.get("/api/vision/cameras/CAM-A1").json()["analytics_available"]
    assert available["weapon"]["available"] is False
    assert "Not available" in available["weapon"]["reason"] or available["weapon"]["reason"]
    assert available["barrier"]["available"] is True
